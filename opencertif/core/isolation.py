"""Reading untrusted files in a child process: a parser that crashes ends the child, never
the worker that asked.

libxml2 and the other C parsers behind lxml and openpyxl are fast but not crash-proof on
crafted input (a segmentation fault is not an exception: it ends the process, and with it
every task the worker would have run next). `run` calls a function in a forked child and
returns its result, or raises `ChildCrashed` / `ChildTimedOut` with a French explanation.
While it waits it calls `beat` every `beat_every` seconds, so the caller can keep its
heartbeat going (and stop waiting by raising from `beat`).

The child is forked (copy-on-write: a few milliseconds whatever the worker's size) and
leaves with `os._exit`, so it runs no exit handler of the parent. It must not use the
parent's database connections, locks or logging: the function reads a file and returns
picklable values, nothing else. (The "spawn" and "forkserver" start methods would re-import
the parent's main module in every child; a fork inherits what is already imported.)
"""

import faulthandler
import multiprocessing
import time
from collections.abc import Callable
from typing import Any


class ChildCrashed(RuntimeError):
    """The child process died without an answer (signal, memory exhausted, exit)."""

    def __init__(self, exitcode: int | None):
        self.exitcode = exitcode
        if exitcode is not None and exitcode < 0:
            how = f"arrêté par le signal {-exitcode}"
        else:
            how = f"terminé avec le code {exitcode}"
        super().__init__(f"le programme de lecture du fichier s'est arrêté ({how})")


class ChildTimedOut(RuntimeError):
    """The child did not answer in time; it was stopped."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"la lecture du fichier a dépassé {int(seconds)} s et a été arrêtée")


def _context():
    return multiprocessing.get_context("fork")


def _child(connection, function: Callable, args: tuple, kwargs: dict) -> None:
    # A crash here is expected of hostile input and reported by the parent (ChildCrashed):
    # no "Fatal Python error" dump in the worker's log, which would read as its own end.
    faulthandler.disable()
    try:
        result = ("ok", function(*args, **kwargs))
    except BaseException as exc:  # noqa: BLE001 (every failure goes back to the parent)
        result = ("error", exc)
    try:
        connection.send(result)
    except Exception as exc:  # noqa: BLE001 (an unpicklable exception still says something)
        connection.send(("error", RuntimeError(f"{type(result[1]).__name__}: {exc}")))
    finally:
        connection.close()


def run(
    function: Callable,
    *args,
    timeout: float,
    beat: Callable[[], None] | None = None,
    beat_every: float = 5.0,
    **kwargs,
) -> Any:
    """Call `function(*args, **kwargs)` in a child process and return what it returns.

    An exception raised by the function is raised again here; a child that dies raises
    ChildCrashed, one that runs over `timeout` seconds ChildTimedOut. The child is always
    gone when this returns."""
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(sender, function, args, kwargs), name="opencertif-lecture"
    )
    child.start()
    sender.close()
    deadline = time.monotonic() + timeout
    try:
        while True:
            wait = max(0.0, min(beat_every, deadline - time.monotonic()))
            if receiver.poll(wait):
                try:
                    kind, value = receiver.recv()
                except (EOFError, OSError):
                    child.join(5)
                    raise ChildCrashed(child.exitcode) from None
                if kind == "error":
                    raise value
                return value
            if time.monotonic() >= deadline:
                raise ChildTimedOut(timeout)
            if beat is not None:
                beat()
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
        child.close()
