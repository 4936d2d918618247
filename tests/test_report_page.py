"""The report as a user meets it: a live progress line while Yosys runs, and a page a browser renders."""

from __future__ import annotations

import io
import shutil
import subprocess

import numpy as np
import pytest

from rtl4ml.progress import ProgressLine
from rtl4ml.report import synthesis

from conftest import make_mlp

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_one_rewritten_line_on_a_terminal_and_plain_lines_in_a_log():
    terminal, log = Terminal(), io.StringIO()
    for stream in (terminal, log):
        line = ProgressLine("Yosys", 3, "jobs", stream)
        line.step()
        line.step(failed=True)
        line.step(quick=True)
        line.close()
    assert terminal.getvalue().count("\r") == 3 and terminal.getvalue().endswith("\n") and "\033[K" in terminal.getvalue()
    lines = log.getvalue().splitlines()
    assert len(lines) == 3 and "\r" not in log.getvalue()
    assert lines[0].startswith("Yosys: 1/3 jobs, elapsed ") and "left ~" in lines[0]
    assert lines[2].startswith("Yosys: 3/3 jobs, 1 failed, ") and lines[2].endswith("left ~0s")


def test_synthesis_reports_each_finished_job(monkeypatch, tmp_path):
    jobs = [synthesis.SynthesisJob(f"layer{k}", f"top{k}", []) for k in range(4)]
    fake = {"resources": dict.fromkeys(synthesis.RESOURCE_KEYS, 1), "logic_depth": 2, "worst_path": [],
            "seconds": 0.1}
    monkeypatch.setattr(synthesis, "run_job", lambda job, *args: {**fake, "cached": job.top == "top0"})
    log = io.StringIO()
    per_layer = synthesis.synthesize(jobs, "xcup", workers=2, cache_dir=tmp_path, progress=log)
    assert len(per_layer) == 4
    lines = log.getvalue().splitlines()
    assert [line.split(",")[0] for line in lines] == [f"Yosys: {k}/4 jobs" for k in (1, 2, 3, 4)]


@pytest.fixture
def report_page(keras, tmp_path):
    import rtl4ml

    design = rtl4ml.convert(make_mlp(keras, [4, 6, 3], ["relu", "softmax"], seed=2))
    design.write(tmp_path / "prj")
    X = np.random.default_rng(0).normal(size=(200, 4))
    design.report(X=X, y=np.random.default_rng(1).integers(0, 3, 200), run_synthesis=False)
    return tmp_path / "prj" / "report" / "report.html"


def test_report_page_is_rendered_markdown(report_page):
    page = report_page.read_text()
    assert page.count("<table>") >= 3 and "<th>layer</th>" in page and "<strong>total</strong>" in page
    assert "**" not in page and "`" not in page and "|---" not in page
    for image in ("resources.png", "profiling.png", "roc.png"):
        assert f'src="{image}"' in page and (report_page.parent / image).stat().st_size > 5000


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium)")
def test_report_page_in_a_headless_browser_shows_tables_plots_and_no_markup(report_page, tmp_path):
    browse = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    dom = subprocess.run(browse + ["--dump-dom", report_page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-1000:]
    assert dom.stdout.count("<table>") >= 3 and dom.stdout.count("<img") == 3
    text = dom.stdout.split("<body>", 1)[1]
    assert "**" not in text and "`" not in text and "|---" not in text
    shot = tmp_path / "page.png"
    subprocess.run(browse + ["--window-size=1200,2400", f"--screenshot={shot}", report_page.as_uri()],
                   capture_output=True, timeout=120, check=True)
    import matplotlib.image

    pixels = matplotlib.image.imread(shot)[..., :3]
    coloured = np.abs(pixels - pixels.mean(axis=2, keepdims=True)).max(axis=2) > 0.2  # plot bars, not text
    assert coloured.mean() > 0.005, "the screenshot shows no plot"
