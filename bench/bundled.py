"""The bundled models of sim/tests.yml, for the benchmark scripts: model path and config of a named job."""

from __future__ import annotations

from pathlib import Path

import yaml

SIM = Path(__file__).resolve().parent.parent / "sim"


def bundled_job(name: str) -> tuple[Path, object]:
    """(model file, config) of job `name`; the config is a path to its YAML or an inline dict."""
    entry = yaml.safe_load((SIM / "tests.yml").read_text())[name]
    config = entry.get("config")
    return SIM / entry["model"], (SIM / config if isinstance(config, str) else config)
