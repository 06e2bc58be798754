import datetime
import re
import zoneinfo

import pytest

from opencertif.accounts.perms import ACCOUNT_VALIDATION
from opencertif.deposits.enums import AccountRole
from opencertif.deposits.models import Deposit, DepositAccount
from opencertif.organisations.models import Organisation
from opencertif.registry.models import Certification
from opencertif.www.instruction import compliance as staff_pages
from tests import factories
from tests.factories import page
from tests.registry.factories import create, fiche

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 1, 10, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
UP_TO_DATE = ["RNCP90002", "RNCP90003", "RNCP90004", "RNCP90005", "RNCP90006", "RNCP90007"]
UP_TO_DATE += ["RNCP90008", "RNCP90009", "RNCP90010", "RS90001", "RS90002", "RS90003"]


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def university(demo):
    """The demo university: every fiche deposited in January but RNCP90001."""
    university = demo["university"]
    account = DepositAccount.objects.get(organisation=university, role=AccountRole.CERTIFIER)
    deposit = Deposit.objects.create(
        organisation=university,
        channel="form",
        file_name="declaration",
        size=1,
        sha256="0",
        state="done",
        certifier_account=account,
        certifications=[{"type": "RNCP", "code": number, "passages": 1} for number in UP_TO_DATE],
    )
    Deposit.objects.filter(pk=deposit.pk).update(received_at=NOW - datetime.timedelta(days=45))
    return university


@pytest.fixture
def manager(university):
    return university.memberships.get().user


@pytest.fixture
def ministry(db):
    """Another certifier, without deposit identifiers, and its manager."""
    create(fiche("RNCP123456", certifiers=(("11004301500012", "MINISTERE DU TRAVAIL"),)))
    organisation = Certification.objects.get(number="RNCP123456").certifier_links.get().organisation
    return {"organisation": organisation, "manager": factories.manager(organisation)}


def flat(html: str) -> str:
    """The HTML with its runs of white space made single spaces."""
    return " ".join(html.split())


def rows_of(html: str) -> list[str]:
    """The fiche numbers of the table rows, in order."""
    return re.findall(r'<th scope="row">\s*<a href="/repertoire/[^"]+/">([^<]+)</a>', html)


# --- certifier space -----------------------------------------------------------------------


def test_a_certifier_sees_its_certifications_late_first_with_the_reason(client, manager):
    client.force_login(manager)
    response = client.get("/espace/conformite/")
    assert response.status_code == 200
    html = page(response)
    assert "Université de démonstration (Campus Démo)" in html
    assert "Prochaine échéance annuelle : le 31 mars 2026" in html
    assert 'href="/espace/depots/"' in html
    assert rows_of(html)[:2] == ["RNCP90001", "RNCP90002"]
    assert len(rows_of(html)) == 13
    assert "1 certification en retard</strong> sur 13 suivies" in html
    assert html.count(">En retard</p>") == 1 and html.count(">À jour</p>") == 12
    assert "Aucun dépôt depuis le 1 mars 2025 (plus de 12 mois)." in html
    assert "15 janvier 2026" in html  # the last deposit, in French
    assert '<a href="/repertoire/RNCP90001/">RNCP90001</a>' in html


def test_a_member_who_is_not_a_manager_sees_it_too(client, university):
    member = factories.member(university)
    client.force_login(member)
    html = page(client.get("/espace/conformite/"))
    assert rows_of(html)[0] == "RNCP90001"
    detail = client.get(f"/espace/conformite/{university.pk}/")
    assert detail.status_code == 200 and rows_of(page(detail))[0] == "RNCP90001"


def test_late_only_shows_the_late_certifications(client, manager, university):
    client.force_login(manager)
    html = page(client.get("/espace/conformite/?retard=1"))
    assert rows_of(html) == ["RNCP90001"]
    assert re.search(r'name="retard"\s+value="1"\s+checked', html)
    detail = page(client.get(f"/espace/conformite/{university.pk}/?retard=1"))
    assert rows_of(detail) == ["RNCP90001"]


def test_another_organisations_page_answers_404(client, manager, ministry, university):
    client.force_login(manager)
    assert client.get(f"/espace/conformite/{ministry['organisation'].pk}/").status_code == 404
    client.force_login(ministry["manager"])
    assert client.get(f"/espace/conformite/{university.pk}/").status_code == 404
    html = page(client.get("/espace/conformite/"))
    assert "Université de démonstration" not in html
    assert rows_of(html) == ["RNCP123456"]
    assert "n'a pas encore d'identifiants de dépôt de certificateur" in html


def test_an_organisation_that_is_not_a_certifier_is_told_why_it_has_nothing(client, university):
    third_party = Organisation.objects.get(siret="00000002600013")
    client.force_login(third_party.memberships.get().user)
    html = page(client.get("/espace/conformite/"))
    assert "n'est certificateur d'aucune fiche du répertoire" in html
    assert rows_of(html) == []


def test_a_user_with_several_organisations_sees_each(client, manager, ministry):
    factories.member(ministry["organisation"], email="double@exemple.fr")
    from opencertif.organisations.models import Membership

    Membership.objects.filter(user__email="double@exemple.fr").update(user=manager)
    client.force_login(manager)
    html = page(client.get("/espace/conformite/"))
    assert "MINISTERE DU TRAVAIL" in html and "Université de démonstration" in html
    assert set(rows_of(html)) >= {"RNCP90001", "RNCP123456"}


def test_the_certifier_page_needs_a_signed_in_user(client):
    response = client.get("/espace/conformite/")
    assert response.status_code == 302 and "/connexion/" in response["Location"]


# --- staff back office ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/instruction/conformite/", "/instruction/conformite/{pk}/"])
def test_staff_pages_need_a_platform_staff_role(client, university, manager, path):
    url = path.format(pk=university.pk)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/connexion/" in anonymous["Location"]
    client.force_login(manager)
    assert client.get(url).status_code == 403
    client.force_login(factories.user(is_staff=True))  # staff flag but no role
    assert client.get(url).status_code == 403
    client.force_login(factories.staff(ACCOUNT_VALIDATION))
    assert client.get(url).status_code == 200


def test_staff_see_every_certifier_with_its_late_counts(client, university, ministry):
    create(fiche("RNCP123457", certifiers=(("19750000000010", "ECOLE DES METIERS"),)))
    client.force_login(factories.staff())
    html = page(client.get("/instruction/conformite/"))
    assert "3 organismes certificateurs, dont <strong>3 en retard</strong>" in flat(html)
    names = re.findall(
        r'<th scope="row">\s*<a href="/instruction/conformite/\d+/">([^<]+)</a>', html
    )
    assert names == [
        "ECOLE DES METIERS",
        "MINISTERE DU TRAVAIL",
        "Université de démonstration (Campus Démo)",
    ]
    assert "DEMO0001" in html and "Aucun dépôt" in html
    dashboard = page(client.get("/instruction/"))
    assert 'href="/instruction/conformite/"' in dashboard


def test_staff_filter_sort_and_page_the_certifiers(client, university, ministry, monkeypatch):
    # The university becomes up to date; the ministry stays late.
    deposit = Deposit.objects.get()
    deposit.certifications += [{"type": "RNCP", "code": "RNCP90001", "passages": 1}]
    deposit.save(update_fields=["certifications"])
    client.force_login(factories.staff())
    late = page(client.get("/instruction/conformite/?retard=1"))
    assert "MINISTERE DU TRAVAIL" in late and "Université de démonstration" not in late
    by_name = page(client.get("/instruction/conformite/?tri=nom"))
    assert by_name.index("MINISTERE DU TRAVAIL") < by_name.index("Université de démonstration")
    assert '<th scope="col" aria-sort="ascending">Organisme</th>' in by_name
    oldest_deposit = page(client.get("/instruction/conformite/?tri=depot"))
    assert oldest_deposit.index("MINISTERE") < oldest_deposit.index("Université de démonstration")
    monkeypatch.setattr(staff_pages, "PER_PAGE", 1)
    first = page(client.get("/instruction/conformite/?tri=nom"))
    assert "MINISTERE DU TRAVAIL" in first and "Université de démonstration" not in first
    assert 'href="?tri=nom&retard=&page=2"' in first
    second = page(client.get("/instruction/conformite/?tri=nom&retard=&page=2"))
    assert "Université de démonstration" in second and "MINISTERE DU TRAVAIL" not in second
    unknown_sort = client.get("/instruction/conformite/?tri=n%27importe")
    assert unknown_sort.status_code == 200


def test_staff_see_the_same_table_as_the_certifier(client, university, manager):
    client.force_login(manager)
    certifier_rows = rows_of(page(client.get(f"/espace/conformite/{university.pk}/")))
    client.force_login(factories.staff())
    html = page(client.get(f"/instruction/conformite/{university.pk}/"))
    assert rows_of(html) == certifier_rows
    assert "Aucun dépôt depuis le 1 mars 2025 (plus de 12 mois)." in html
    assert rows_of(page(client.get(f"/instruction/conformite/{university.pk}/?retard=1"))) == [
        "RNCP90001"
    ]
    assert client.get("/instruction/conformite/999999/").status_code == 404


def test_the_staff_list_reads_a_recent_statistics_snapshot(client, university):
    """At national volume the list is computed in the background and read here."""
    from opencertif.passages import statistics
    from opencertif.passages.models import StatisticsSnapshot

    client.force_login(factories.staff())
    live = flat(page(client.get("/instruction/conformite/")))
    assert "Chiffres calculés à l'instant" in live and "Université de démonstration" in live
    snapshot = statistics.refresh()
    rows = {row["name"]: row for row in snapshot.compliance}
    assert rows["Université de démonstration (Campus Démo)"]["late_numbers"] == ["RNCP90001"]
    # The stored list answers, even when the passages changed since (here: renamed).
    snapshot.compliance[0]["name"] = "Nom tel que stocké"
    snapshot.save(update_fields=["compliance"])
    stored = flat(page(client.get("/instruction/conformite/")))
    assert "Chiffres au 1 mars 2026" in stored and "Nom tel que stocké" in stored
    # An old snapshot is not trusted: computed at once again.
    StatisticsSnapshot.objects.update(computed_at=NOW - datetime.timedelta(hours=2))
    again = flat(page(client.get("/instruction/conformite/")))
    assert "Chiffres calculés à l'instant" in again and "Nom tel que stocké" not in again
