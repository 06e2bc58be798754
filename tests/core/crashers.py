"""Functions that misbehave the way a C parser can, for the isolation tests."""

import ctypes
import os
import signal
import time


def segfault(*args, **kwargs):
    """A real segmentation fault: read address 0."""
    ctypes.string_at(0)


def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


def sleeps(seconds: float, *args, **kwargs) -> str:
    time.sleep(seconds)
    return "réveillé"


def raises(*args, **kwargs):
    raise ValueError("valeur refusée")


def answers(value):
    return {"valeur": value, "pid": os.getpid()}


def slow_refusal(path, *, max_passages=None):
    """A whole-file check that takes a second, then refuses the file."""
    from opencertif.deposits.format import reader

    time.sleep(1.0)
    return reader.Envelope(), [reader.FileError("XML", "Le fichier est lent.", 1, 1)]
