"""One live progress line for long batches (Yosys jobs, scan points): done / total, failures, elapsed, time left.

On a terminal the line is rewritten in place; into a file or a pipe each update is a plain line,
so logs stay readable. Nothing is printed when the stream is None.
"""

from __future__ import annotations

import time


def clock(seconds: float) -> str:
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


class ProgressLine:
    def __init__(self, label: str, total: int, unit: str, stream=None, already: int = 0):
        self.label, self.total, self.unit, self.stream, self.already = label, total, unit, stream, already
        self.done = self.failed = self.quick = 0
        self.started = time.perf_counter()
        self.live = stream is not None and hasattr(stream, "isatty") and stream.isatty()

    def step(self, failed: bool = False, quick: bool = False) -> None:
        """One more finished; `quick` ones (cache hits) are left out of the time-left estimate."""
        self.done += 1
        self.failed += failed
        self.quick += quick
        if self.stream is None:
            return
        elapsed = time.perf_counter() - self.started
        timed = self.done - self.quick
        left = elapsed / timed * (self.total - self.already - self.done) if timed else 0.0
        failures = f", {self.failed} failed" if self.failed else ""
        line = (f"{self.label}: {self.already + self.done}/{self.total} {self.unit}{failures}, "
                f"elapsed {clock(elapsed)}, left ~{clock(left)}")
        print(f"\r{line}\033[K" if self.live else line, end="" if self.live else "\n", file=self.stream, flush=True)

    def close(self) -> None:
        if self.live and self.done:
            print(file=self.stream, flush=True)
