import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from opencertif.core import periodic
from opencertif.core.models import PeriodicRun

pytestmark = pytest.mark.django_db

JOBS = {"purge": ("opencertif.deposits.tasks.purge_deleted_passages", 86400)}


@override_settings(PERIODIC_JOBS=JOBS)
def test_a_daily_job_runs_once_a_day_whatever_the_number_of_calls():
    monday = timezone.make_aware(datetime.datetime(2026, 11, 23, 9, 0))
    assert periodic.enqueue_due(monday) == ["purge"]
    assert periodic.enqueue_due(monday + datetime.timedelta(hours=3)) == []
    assert periodic.enqueue_due(monday + datetime.timedelta(days=1)) == ["purge"]
    assert list(PeriodicRun.objects.order_by("period").values_list("period", flat=True)) == [
        "2026-11-23",
        "2026-11-24",
    ]


@override_settings(
    PERIODIC_JOBS={**JOBS, "missing": ("opencertif.nowhere.task", 600)},
)
def test_a_job_that_cannot_be_found_does_not_stop_the_others():
    assert periodic.enqueue_due() == ["purge"]
    assert not PeriodicRun.objects.filter(name="missing").exists()


def test_a_short_period_key_changes_with_the_period():
    start = timezone.make_aware(datetime.datetime(2026, 11, 23, 9, 0))
    assert periodic.period_key(600, start) == periodic.period_key(
        600, start + datetime.timedelta(minutes=5)
    )
    assert periodic.period_key(600, start) != periodic.period_key(
        600, start + datetime.timedelta(minutes=10)
    )
