"""Untrusted files are read in a child process: its crash is not the caller's."""

import os

import pytest

from opencertif.core import isolation
from tests.core import crashers


def test_the_child_answers_with_its_result():
    result = isolation.run(crashers.answers, [1, "é"], timeout=30)
    assert result["valeur"] == [1, "é"] and result["pid"] != os.getpid()


def test_a_segmentation_fault_ends_the_child_not_the_caller():
    with pytest.raises(isolation.ChildCrashed) as crash:
        isolation.run(crashers.segfault, timeout=30)
    assert crash.value.exitcode == -11 and "signal 11" in str(crash.value)


def test_a_killed_child_is_reported():
    with pytest.raises(isolation.ChildCrashed, match="signal 9"):
        isolation.run(crashers.killed, timeout=30)


def test_an_exception_in_the_child_is_raised_again():
    with pytest.raises(ValueError, match="valeur refusée"):
        isolation.run(crashers.raises, timeout=30)


def test_a_child_over_its_time_is_stopped():
    with pytest.raises(isolation.ChildTimedOut, match="1 s"):
        isolation.run(crashers.sleeps, 30, timeout=1)


def test_the_caller_beats_while_it_waits_and_can_stop_waiting():
    beats = []
    assert (
        isolation.run(
            crashers.sleeps, 1.0, timeout=30, beat=lambda: beats.append(1), beat_every=0.1
        )
        == "réveillé"
    )
    assert len(beats) >= 5

    class Taken(Exception):
        pass

    def taken():
        raise Taken

    with pytest.raises(Taken):
        isolation.run(crashers.sleeps, 30, timeout=60, beat=taken, beat_every=0.1)
