"""Run a scan's missing points on Dask distributed and write the table as points finish.

With no scheduler a LocalCluster sized to the machine (one single-threaded worker process per
core); with a scheduler address, the cluster a lab already runs (`dask scheduler` / `dask worker`,
dask-jobqueue on HTCondor or Slurm): the same tasks either way. Each point is one task keyed by
its content hash; model and data are scattered once to every worker. A finished point is saved
the moment its row arrives, so an interruption loses only the points in flight, and a rerun
(`--resume`) submits only the points without a saved row.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
from pathlib import Path

from ..errors import fail
from ..progress import ProgressLine
from .point import point_key, run_point
from .store import ScanPlan, finished_rows, save_row


def _dask():
    try:
        import dask.distributed as distributed  # noqa: F401
    except ImportError:
        raise fail("rtl4ml scan needs Dask distributed and pandas: pip install 'rtl4ml[scan]'") from None
    return distributed


@contextlib.contextmanager
def open_client(client=None, scheduler: str | None = None, workers: int | None = None):
    """The caller's client as it is; else one on `scheduler`; else on a LocalCluster of `workers` processes."""
    if client is not None:
        yield client
        return
    distributed = _dask()
    import logging

    if scheduler:
        try:
            remote = distributed.Client(scheduler, timeout="20s")
        except OSError as exc:
            raise fail(f"cannot reach the Dask scheduler at {scheduler!r} ({' '.join(str(exc).split())})") from None
        with remote:
            yield remote
        return
    count = (os.cpu_count() or 1) if workers is None else workers
    if count < 1:
        raise fail(f"--workers must be a positive number of worker processes, got {count}")
    # Any free port for the scheduler's HTTP server (a second scan on the machine must not collide)
    with distributed.LocalCluster(n_workers=count, threads_per_worker=1, processes=True, silence_logs=logging.ERROR,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as local:
        yield local


def dashboard(client) -> str | None:
    """The dashboard address: a remote scheduler's, or a LocalCluster's when bokeh serves it."""
    cluster = getattr(client, "cluster", None)
    if cluster is not None and importlib.util.find_spec("bokeh") is None:
        return None
    try:
        return client.dashboard_link
    except Exception:  # noqa: BLE001 - the address is a courtesy; a scan runs without it
        return None


def run_points(plan: ScanPlan, scan_dir: Path, client, progress_stream=sys.stderr) -> list[dict]:
    """Every point's row in grid order: saved ones read back, missing ones computed (and saved) now."""
    distributed = _dask()
    keys = [point_key(plan.model, plan.data, plan.options, point) for point in plan.grid.points]
    saved = finished_rows(scan_dir)
    missing, seen = [], set(saved)
    for index, key in enumerate(keys):  # a point listed twice is one task (the same key): run once, shown twice
        if key not in seen:
            seen.add(key)
            missing.append((index, key))
    link = dashboard(client)
    print(f"scan: {len(set(keys))} points, {len(set(keys)) - len(missing)} already done, {len(missing)} to run on "
          f"{len(client.scheduler_info().get('workers', {}))} Dask workers" + (f" (dashboard {link})" if link else ""),
          file=progress_stream, flush=True)
    rows = dict(saved)
    if missing:
        model, data = client.scatter([plan.model, plan.data], broadcast=True)
        futures = {client.submit(run_point, model, data, plan.options, plan.grid.points[index],
                                 key=f"rtl4ml-point-{key}", pure=True): key for index, key in missing}
        progress = ProgressLine("scan", len(set(keys)), "points", progress_stream,
                                already=len(set(keys)) - len(missing))
        try:
            for future in distributed.as_completed(futures):
                key = futures[future]
                if future.status == "finished":
                    rows[key] = future.result()
                    save_row(scan_dir, key, rows[key])
                else:  # the task itself died (a lost worker): not saved, so --resume retries it
                    error = future.exception()
                    rows[key] = {**plan.grid.points[keys.index(key)], "status": "error",
                                 "error": f"task failed: {type(error).__name__}: {' '.join(str(error).split())}"}
                progress.step(failed=rows[key].get("status") != "ok")
        finally:
            progress.close()
    return [{**rows[key], "point": index} for index, key in enumerate(keys)]
