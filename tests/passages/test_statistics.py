import datetime
import itertools
import json

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from opencertif.core import periodic
from opencertif.deposits.enums import AccountRole, DepositState, PassageStatus
from opencertif.deposits.models import Deposit, DepositAccount, Passage
from opencertif.organisations.enums import OrganisationKind
from opencertif.passages import statistics
from opencertif.passages.models import StatisticsSnapshot
from opencertif.registry.models import Certification, CertifierLink
from tests import factories
from tests.deposits import builders

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


def at(year, month, day, hour=12, minute=0) -> datetime.datetime:
    """A moment in the site's time zone (Europe/Paris)."""
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


NOW = at(2026, 11, 15)


def fiche(number: str, *certifiers) -> Certification:
    register = "rs" if number.startswith("RS") else "rncp"
    certification = Certification.objects.create(
        number=number, register=register, title=f"Fiche {number}"
    )
    for position, organisation in enumerate(certifiers):
        CertifierLink.objects.create(
            certification=certification, organisation=organisation, position=position
        )
    return certification


def organisation(name: str, kind: str):
    org = factories.organisation(name)
    org.kind = kind
    org.save(update_fields=["kind"])
    return org


def account(org, *, activated=True, role=AccountRole.CERTIFIER) -> DepositAccount:
    number = next(_numbers)
    return DepositAccount.objects.create(
        organisation=org,
        role=role,
        id_client=f"STAT{number:04d}",
        id_contract=f"C{number}" if role == AccountRole.CERTIFIER else "",
        activated_at=NOW if activated else None,
    )


def passage(certifier, status, received, *, person=None, certification=None) -> Passage:
    created = Passage.objects.create(
        certifier=certifier,
        id_technique=f"T{next(_numbers)}",
        status=status,
        status_before_deletion=PassageStatus.OK if status == PassageStatus.DELETED else "",
        person=person,
        certification=certification,
        certification_type=certification.register.upper() if certification else "RNCP",
        certification_code=certification.number if certification else "RNCP99999",
        content_hash="0" * 32,
    )
    Passage.objects.filter(pk=created.pk).update(created_at=received)
    return created


def deposit(org, certifier, state, finished, *, duplicate_of=None) -> Deposit:
    return Deposit.objects.create(
        organisation=org,
        certifier_account=certifier,
        channel="cli",
        file_name="depot.xml",
        stored_path="depot.xml.gz",
        size=1,
        sha256=f"{next(_numbers):064d}",
        state=state,
        finished_at=finished,
        duplicate_of=duplicate_of,
    )


@pytest.fixture
def world():
    """Certifiers of several kinds at every stage, passages of every status over months."""
    univ_a = organisation("Université A", OrganisationKind.HIGHER_EDUCATION)
    univ_b = organisation("Université B", OrganisationKind.HIGHER_EDUCATION)
    ministry = organisation("Ministère C", OrganisationKind.MINISTRY)
    company = organisation("Société D", OrganisationKind.COMPANY)
    unknown_kind = organisation("Organisme E", "")
    branch = organisation("CPNE G", OrganisationKind.CPNE)
    third_party = organisation("Tiers F", OrganisationKind.ASSOCIATION)
    organisation("Organisme H, ni fiche ni identifiants", OrganisationKind.OTHER)

    rncp1 = fiche("RNCP1001", univ_a)
    rncp2 = fiche("RNCP1002", univ_b)
    rncp3 = fiche("RNCP1003", ministry)  # only a deleted passage
    rs1 = fiche("RS1001", ministry)  # the ministry certifies two fiches: counted once
    rs2 = fiche("RS1002", branch)  # only a KO passage
    fiche("RNCP1004", univ_a, univ_b)  # no passage at all

    a = account(univ_a)
    account(univ_b, activated=False)
    d = account(company)
    e = account(unknown_kind)
    g = account(branch)
    account(third_party, role=AccountRole.DEPOSITOR)

    p1, p2, p3, p4 = (
        builders.person(birth_name=name, nir=None) for name in ("Un", "Deux", "Trois", "Quatre")
    )
    # Midnight and a half in Paris on 1 November is still 31 October in UTC.
    passage(a, PassageStatus.OK, at(2026, 11, 1, 0, 30), person=p1, certification=rncp1)
    passage(a, PassageStatus.OK, at(2026, 10, 31, 23, 30), person=p1, certification=rs1)
    passage(a, PassageStatus.KO, at(2026, 10, 5), person=p2, certification=rncp1)
    passage(a, PassageStatus.OK, at(2024, 11, 20), person=p2, certification=rncp1)  # > 24 months
    passage(d, PassageStatus.OK, at(2026, 3, 15), person=p2, certification=rncp2)
    passage(d, PassageStatus.KO, at(2026, 3, 16), certification=rs2)
    passage(d, PassageStatus.DELETED, at(2026, 3, 17), person=p4, certification=rncp3)
    passage(d, PassageStatus.KO, at(2025, 1, 10), person=p3)

    first = deposit(univ_a, a, DepositState.DONE, at(2026, 3, 10))
    deposit(univ_a, a, DepositState.DONE, at(2026, 5, 2))
    deposit(univ_a, a, DepositState.DONE, at(2026, 5, 3), duplicate_of=first)
    deposit(third_party, a, DepositState.DONE, at(2026, 6, 1))  # made for A by its depositor
    deposit(unknown_kind, e, DepositState.DONE, at(2026, 5, 20))
    deposit(branch, g, DepositState.REJECTED, at(2026, 4, 1))
    return {"rncp1": rncp1, "certifier": a}


@pytest.fixture
def figures(world):
    with time_machine.travel(NOW, tick=False):
        return statistics.compute()


def by_kind(figures) -> dict:
    return {
        row["kind"]: (row["known"], row["identified"], row["activated"], row["deposited"])
        for row in figures["certifiers"]["by_kind"]
    }


def test_certifiers_are_counted_at_each_stage(figures):
    assert figures["certifiers"]["total"] == {
        "known": 6,
        "identified": 5,
        "activated": 4,
        "deposited": 3,
    }


def test_certifiers_are_counted_by_kind_of_organisation(figures):
    assert by_kind(figures) == {
        "higher_ed": (2, 2, 1, 1),
        "ministry": (1, 0, 0, 0),
        "company": (1, 1, 1, 1),  # deposited: passages without a processed deposit
        "": (1, 1, 1, 1),  # deposited: a processed deposit without passages
        "cpne": (1, 1, 1, 0),  # a rejected deposit is not a deposit
    }


def test_passages_collected_leave_out_deleted_ones(figures):
    assert figures["passages"] == {"collected": 7, "ok": 4, "ko": 3, "deleted": 1}


def test_passports_fed_count_distinct_people_with_an_ok_passage(figures):
    assert figures["passports"] == 2


def test_certifications_with_ok_passages_are_counted_per_register(figures):
    assert figures["certifications"] == {"rncp": 2, "rs": 1}


def test_passages_are_counted_by_month_of_reception_in_local_time(figures):
    trends = figures["trends"]
    assert len(trends["months"]) == 24
    assert (trends["months"][0], trends["months"][-1]) == ("2024-12", "2026-11")
    received = dict(zip(trends["months"], trends["passages"], strict=True))
    ok = dict(zip(trends["months"], trends["passages_ok"], strict=True))
    assert {month: n for month, n in received.items() if n} == {
        "2025-01": 1,
        "2026-03": 2,
        "2026-10": 2,
        "2026-11": 1,
    }
    assert {month: n for month, n in ok.items() if n} == {
        "2026-03": 1,
        "2026-10": 1,
        "2026-11": 1,
    }


def test_processed_deposits_by_month_leave_out_duplicates_and_rejections(figures):
    trends = figures["trends"]
    deposits = dict(zip(trends["months"], trends["deposits"], strict=True))
    assert {month: n for month, n in deposits.items() if n} == {
        "2026-03": 1,
        "2026-05": 2,
        "2026-06": 1,
    }


def test_new_certifiers_are_counted_in_the_month_of_their_first_processed_deposit(figures):
    trends = figures["trends"]
    new = dict(zip(trends["months"], trends["new_certifiers"], strict=True))
    assert {month: n for month, n in new.items() if n} == {"2026-03": 1, "2026-05": 1}


def test_figures_are_json_serialisable(figures):
    assert json.loads(json.dumps(figures)) == figures


def test_compute_runs_the_same_few_queries_whatever_the_volume(world, django_assert_num_queries):
    # One statement per figure, and the staff compliance list's six.
    expected = len(statistics.queries()) - 1 + 6
    with django_assert_num_queries(expected):
        statistics.compute()
    for _ in range(20):
        passage(world["certifier"], PassageStatus.OK, NOW, certification=world["rncp1"])
    with django_assert_num_queries(expected):
        statistics.compute()


def test_every_figure_is_zero_on_an_empty_platform():
    data = statistics.compute()
    assert data["certifiers"] == {
        "total": {"known": 0, "identified": 0, "activated": 0, "deposited": 0},
        "by_kind": [],
    }
    assert data["passages"]["collected"] == data["passports"] == 0
    assert set(data["trends"]["passages"]) == {0}


def test_refresh_stores_a_snapshot_and_keeps_only_the_last_few(world):
    for _ in range(statistics.KEEP_SNAPSHOTS + 2):
        snapshot = statistics.refresh()
    assert StatisticsSnapshot.objects.count() == statistics.KEEP_SNAPSHOTS
    assert statistics.latest() == snapshot
    assert snapshot.data["passages"]["collected"] == 7


def test_latest_is_none_before_the_first_computation():
    assert statistics.latest() is None


def test_latest_ignores_snapshots_of_an_older_shape(world):
    StatisticsSnapshot.objects.create(data={"version": statistics.VERSION - 1})
    assert statistics.latest() is None
    snapshot = statistics.refresh()
    assert statistics.latest() == snapshot


def test_a_request_already_answered_by_a_newer_snapshot_computes_nothing(world):
    asked = timezone.now()
    answer = statistics.refresh(requested_at=asked)
    again = statistics.refresh(requested_at=asked)  # the same request, enqueued twice
    assert again == answer
    assert StatisticsSnapshot.objects.count() == 1
    later = statistics.refresh(requested_at=timezone.now() + datetime.timedelta(seconds=1))
    assert later != answer
    assert StatisticsSnapshot.objects.count() == 2


def test_the_task_can_run_twice_without_harm(world):
    statistics.refresh_statistics.call()
    statistics.refresh_statistics.call()
    assert StatisticsSnapshot.objects.count() == 2
    assert statistics.latest().data["certifiers"]["total"]["known"] == 6


@override_settings(
    PERIODIC_JOBS={"statistics": ("opencertif.passages.statistics.refresh_statistics", 600)}
)
def test_the_periodic_scheduler_refreshes_the_statistics(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert periodic.enqueue_due() == ["statistics"]
    assert statistics.latest().data["passports"] == 2


def test_figures_follow_a_real_deposit(deposit):
    builders.person(birth_name="Martin", first_name="Camille")
    builders.person(birth_name="Durand", first_name="Louis", sex="M", year=1985)
    processed = deposit(
        builders.deposit_file(
            [
                builders.passage("STAT-1"),
                builders.passage(
                    "STAT-2",
                    identity=builders.holder(
                        birth_name="Durand", first_name="Louis", sex="M", year=1985
                    ),
                ),
                builders.passage("STAT-3", identity=builders.holder(birth_name="Inconnu")),
            ]
        )
    )
    assert (processed.ok_count, processed.ko_count) == (2, 1)
    data = statistics.compute()
    assert data["passages"] == {"collected": 3, "ok": 2, "ko": 1, "deleted": 0}
    assert data["passports"] == 2
    assert data["certifications"]["rncp"] == 1
    assert by_kind(data)["higher_ed"][3] == 1  # the demo university has deposited
    assert data["trends"]["passages"][-1] == 3
    assert data["trends"]["deposits"][-1] == 1
    assert data["trends"]["new_certifiers"][-1] == 1
