"""Run a file reader in a child process with a time limit.

The HDF5 library can loop forever on a few damaged files (a fuzzing run found an .h5 with one changed byte whose
attributes never finished reading), and a C library's loop cannot be interrupted from Python. Reading in a forked
child turns such a file into a one-line refusal after the time limit instead of a hang.
"""

from __future__ import annotations

import multiprocessing
import os

from ..errors import Rtl4mlError, fail

# seconds a model file may take to read; RTL4ML_READ_TIMEOUT sets it (far beyond any real model file: ~0.1 s)
READ_TIMEOUT = float(os.environ.get("RTL4ML_READ_TIMEOUT", 60))


def _child(connection, function, args) -> None:
    try:
        connection.send((True, function(*args)))
    except Rtl4mlError as exc:
        connection.send((False, str(exc)))
    except BaseException as exc:  # noqa: BLE001 - whatever the reader met, the parent says it in one line
        connection.send((False, f"{args[0]}: cannot read the file ({exc.__class__.__name__}: {exc})"))
    finally:
        connection.close()


def read_isolated(function, *args, timeout: float | None = None):
    """function(*args) in a forked child; its result, or its refusal, or a refusal after `timeout` seconds.
    Where fork is not available, or this process may not have children (a daemon process, as Dask's workers are),
    the reader runs here, without the time limit."""
    if "fork" not in multiprocessing.get_all_start_methods() or multiprocessing.current_process().daemon:
        return function(*args)
    limit = READ_TIMEOUT if timeout is None else timeout
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, function, args), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(limit):
            raise fail(f"{args[0]}: reading it did not finish in {limit:g} s; the file is probably damaged (the HDF5 "
                       "library can loop on some damaged files; RTL4ML_READ_TIMEOUT sets the limit)")
        try:
            ok, value = receiver.recv()
        except EOFError:
            raise fail(f"{args[0]}: the reader stopped without an answer (exit code {process.exitcode}); the file "
                       "is probably damaged") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    if not ok:
        raise fail(value)
    return value
