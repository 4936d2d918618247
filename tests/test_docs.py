"""The manual as a reader meets it: it builds with no warning (a broken link, a missing page, a stale reference
fails), its tutorial notebooks run top to bottom, its generated pages are what their sources give, and the pages a
user reads hold no work-item numbers or development history."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rtl4ml import config as config_module

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SHARED_JETS = ROOT.parent / "shared" / "jets" / "pythia_jets_hlf.npz"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
sys.path.insert(0, str(ROOT / "bench"))


def user_pages() -> list[Path]:
    return [ROOT / "README.md"] + sorted(path for path in DOCS.rglob("*.md") if "_build" not in path.parts
                                         and not any(part.startswith("prj_") for part in path.parts))


def page_text(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


def build_manual(out: Path, execute: bool) -> Path:
    """Build the manual as `make docs` does, warnings as errors; with execute, the notebooks run (fewer training
    epochs). Without the shared jet data the notebooks cannot run; the pages are still built and checked."""
    env = dict(os.environ, RTL4ML_TUTORIAL_EPOCHS="5",
               RTL4ML_DOCS_EXECUTE="force" if execute and SHARED_JETS.exists() else "off")
    done = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS),
                           str(out)], capture_output=True, text=True, env=env, timeout=1500)
    assert done.returncode == 0, (done.stdout + done.stderr)[-6000:]
    return out


@pytest.mark.sim
def test_manual_builds_without_warnings_and_the_tutorial_runs(tmp_path):
    built_site = build_manual(tmp_path / "html", execute=True)
    for page in ("index", "guide/quickstart", "reference/cli", "reference/api", "performance/index",
                 "tutorial/part1_getting_started", "bad_inputs", "test_strength"):
        assert (built_site / f"{page}.html").exists(), page
    cli = page_text(built_site / "reference" / "cli.html")
    for command in ("config", "convert", "predict", "sim", "csim", "report", "ip", "scan"):  # from the parser
        assert f"rtl4ml {command} [-h]" in cli, command
    api = page_text(built_site / "reference" / "api.html")
    assert "rtl4ml.convert(" in api and "predict(" in api and "load_design(" in api
    if SHARED_JETS.exists():  # what the notebooks printed: their own checks passed (a failing cell fails the build)
        tutorial = page_text(built_site / "tutorial" / "part1_getting_started.html")
        assert "mismatches 0, passed True" in tutorial and "fixed-point accuracy" in tutorial
        streamed = page_text(built_site / "tutorial" / "part5_cnn_streaming.html")
        assert "frames 20, mismatches 0, latency 287..287, interval 256" in streamed


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium)")
def test_manual_in_a_headless_browser_shows_its_tables_and_no_markup(tmp_path):
    # the pages alone (notebooks not executed: one build per run runs them, the test above)
    built_site = build_manual(tmp_path / "html", execute=False)
    browse = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    for page, tables in (("performance/index.html", 1), ("reference/config_keys.html", 2)):
        dom = subprocess.run(browse + ["--dump-dom", (built_site / page).as_uri()], capture_output=True, text=True,
                             timeout=120)
        assert dom.returncode == 0, dom.stderr[-1000:]
        body = dom.stdout.split("<body", 1)[1]
        assert body.count("<table") >= tables, page
        text = re.sub(r"<[^>]+>", "", body)
        assert "|---" not in text and "{doc}" not in text and "```" not in text, page


def test_notebooks_are_committed_without_outputs():
    for notebook in sorted((DOCS / "tutorial").glob("*.ipynb")):
        cells = json.loads(notebook.read_text())["cells"]
        code = [cell for cell in cells if cell["cell_type"] == "code"]
        assert code and all(not cell["outputs"] and cell["execution_count"] is None for cell in code), notebook.name


def test_performance_page_is_generated_from_the_benchmark_results():
    from perf_pages import PAGE, RESULTS, page

    assert PAGE.read_text() == page(RESULTS), "run `make perf` (or bench/perf_pages.py) after changing bench/results"
    for name in ("bundled_jobs", "mutation_python", "mutation_rtl", "mutation_vhdl"):
        result = json.loads((RESULTS / f"{name}.json").read_text())
        assert re.fullmatch(r"[0-9a-f]{7,}", result["commit"]) and re.fullmatch(r"\d{4}-\d\d-\d\d", result["date"])


def test_every_config_key_rtl4ml_accepts_is_documented():
    page = (DOCS / "reference" / "config_keys.md").read_text()
    keys = config_module._KNOWN_LAYER_KEYS | config_module._HLS4ML_IGNORED_KEYS | {"IOType", "ProjectName", "Part",
                                                                                  "ClockPeriod", "HLSConfig"}
    assert not [key for key in sorted(keys) if f"`{key}`" not in page]


def test_user_pages_hold_no_work_items_or_timing_logs():
    work_item = re.compile(r"\b(issue|session) \d+|\bthis session\b|\bprevious session|\bas measured before\b", re.I)
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}" for path in user_pages()
             for number, line in enumerate(path.read_text().splitlines(), 1) if work_item.search(line)]
    assert not found, "\n".join(found)


def test_readme_is_a_front_page():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 200
    for link in re.findall(r"\]\(([^)#]+)", readme):  # every local link resolves
        assert link.startswith("http") or (ROOT / link).exists(), link
    assert (ROOT / "CHANGELOG.md").exists()
