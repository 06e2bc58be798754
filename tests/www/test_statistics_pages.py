import re

import pytest
from django.test import override_settings
from django_tasks import default_task_backend

from opencertif.passages import statistics
from opencertif.passages.models import StatisticsSnapshot
from opencertif.www.templatetags.charts import month_chart, nice_scale
from tests import factories
from tests.factories import page

pytestmark = pytest.mark.django_db

URL = "/instruction/statistiques/"
REFRESH = "/instruction/statistiques/actualiser/"
MONTHS = [f"2025-{month:02d}" for month in range(1, 13)] + [
    f"2026-{month:02d}" for month in range(1, 13)
]


def snapshot_data(**changes) -> dict:
    data = {
        "version": statistics.VERSION,
        "certifiers": {
            "total": {"known": 2500, "identified": 2000, "activated": 1500, "deposited": 1234},
            "by_kind": [
                {"kind": "", "known": 100, "identified": 10, "activated": 5, "deposited": 1},
                {
                    "kind": "higher_ed",
                    "known": 400,
                    "identified": 300,
                    "activated": 200,
                    "deposited": 150,
                },
                {
                    "kind": "company",
                    "known": 2000,
                    "identified": 1690,
                    "activated": 1295,
                    "deposited": 1083,
                },
            ],
        },
        "passages": {"collected": 35123456, "ok": 31000000, "ko": 4123456, "deleted": 12},
        "passports": 19000001,
        "certifications": {"rncp": 6012, "rs": 3001},
        "trends": {
            "months": MONTHS,
            "passages": [100 * (index + 1) for index in range(24)],
            "passages_ok": [90 * (index + 1) for index in range(24)],
            "deposits": [7] * 23 + [1234],
            "new_certifiers": [0] * 23 + [3],
        },
        "timings_ms": {},
    }
    data.update(changes)
    return data


def text(html: str) -> str:
    """The text of an HTML fragment, spaces collapsed (narrow no-break spaces kept)."""
    return re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def snapshot():
    return StatisticsSnapshot.objects.create(data=snapshot_data(), duration_ms=4200)


@pytest.fixture
def staff(client):
    user = factories.staff("Identifiants de dépôt")
    client.force_login(user)
    return user


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/connexion/")
    assert client.post(REFRESH).status_code == 302
    assert not StatisticsSnapshot.objects.exists()


def test_certifier_users_may_not_see_the_statistics(client):
    client.force_login(factories.manager(factories.organisation()))
    assert client.get(URL).status_code == 403
    assert client.post(REFRESH).status_code == 403


def test_staff_without_a_role_may_not_see_the_statistics(client):
    client.force_login(factories.user(is_staff=True))
    assert client.get(URL).status_code == 403


def test_staff_see_the_figures_of_the_latest_snapshot(client, staff, snapshot):
    response = client.get(URL)
    html = page(response)
    assert response.status_code == 200
    assert "Chiffres au " in html
    assert re.search(r"Chiffres au \d\d/\d\d/\d{4} à \d\d:\d\d", html)
    assert "35\u202f123\u202f456" in html  # passages collected, French grouping
    assert "31\u202f000\u202f000 OK et 4\u202f123\u202f456 KO" in html
    assert "19\u202f000\u202f001" in html  # passports
    assert "6\u202f012 RNCP et 3\u202f001 RS" in html
    assert "calculés en 4,2 s" in html
    assert "recalculés toutes les 10 minutes" in html  # STATISTICS_REFRESH_SECONDS


@override_settings(PERIODIC_JOBS={})
def test_the_page_says_when_figures_are_computed_on_request_only(client, staff, snapshot):
    assert "recalculés à la demande uniquement" in page(client.get(URL))


def test_the_certifier_table_gives_counts_and_percentages_by_kind(client, staff, snapshot):
    html = page(client.get(URL))
    table = html[html.index("<caption>Certificateurs par type d'organisme") :]
    table = table[: table.index("</table>")]
    rows = [text(row) for row in table.split("<tr>")]
    assert (
        "Établissement d'enseignement supérieur (université, école…) 400 "
        "300 (75,0\u202f%) 200 (50,0\u202f%) 150 (37,5\u202f%)"
    ) in rows
    assert "Non renseigné 100 10 (10,0\u202f%) 5 (5,0\u202f%) 1 (1,0\u202f%)" in rows
    assert (
        "Ensemble 2\u202f500 2\u202f000 (80,0\u202f%) 1\u202f500 (60,0\u202f%) "
        "1\u202f234 (49,4\u202f%)"
    ) in rows
    labels = [row.split(" ")[0] for row in rows[2:]]
    assert labels == ["Établissement", "Entreprise", "Non", "Ensemble"]  # « Non renseigné » last


def test_each_chart_is_an_accessible_svg_with_its_data_table(client, staff, snapshot):
    html = page(client.get(URL))
    svgs = re.findall(r"<svg viewBox[^>]*>", html)
    assert len(svgs) == 3
    for chart_id in ("graphique-passages", "graphique-depots", "graphique-nouveaux"):
        assert f'aria-labelledby="{chart_id}-titre"' in html
        assert f'<title id="{chart_id}-titre">' in html
        assert f'aria-controls="{chart_id}-donnees"' in html
    assert all('role="img"' in svg for svg in svgs)
    assert "<caption>Passages reçus par mois</caption>" in html
    assert '<th scope="row">décembre 2026</th>' in html
    assert re.search(
        r'<th scope="row">décembre 2026</th>\s*<td>2\u202f400</td>\s*<td>2\u202f160</td>', html
    )
    assert re.search(r'<th scope="row">décembre 2026</th>\s*<td>1\u202f234</td>', html)
    assert "Ligne à points : dont OK" in html  # the legend names the series, not only colours
    assert "au plus 2\u202f400 en décembre 2026" in html  # the chart's description


def test_the_page_says_when_no_figures_were_computed_yet(client, staff):
    html = page(client.get(URL))
    assert "pas encore été calculées" in html
    assert "Calculer les chiffres maintenant" in html
    assert "<svg viewBox" not in html


def test_the_refresh_button_enqueues_the_computation(
    client, staff, snapshot, django_capture_on_commit_callbacks
):
    html = page(client.get(URL))
    assert f'action="{REFRESH}"' in html and "Actualiser maintenant" in html
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(REFRESH, follow=True)
        enqueued = [result.task.name for result in default_task_backend.results]
    assert enqueued == ["refresh_statistics"]
    assert response.redirect_chain[-1][0] == URL
    assert "Actualisation en cours" in page(response)


def test_the_refreshed_figures_appear_once_the_task_ran(
    client, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(REFRESH)
    assert StatisticsSnapshot.objects.count() == 1
    html = page(client.get(URL))
    assert "Chiffres au " in html and "Aucun certificateur connu." in html


def test_the_refresh_needs_a_post(client, staff):
    assert client.get(REFRESH).status_code == 405


def test_the_refresh_needs_the_csrf_token(staff):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff)
    assert strict.post(REFRESH).status_code == 403


def test_the_dashboard_links_to_the_statistics(client, staff):
    assert f'href="{URL}"' in page(client.get("/instruction/"))


def test_the_statistics_page_runs_no_heavy_query(
    client, staff, snapshot, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8) as captured:
        client.get(URL)
    assert not any("deposits_passage" in query["sql"] for query in captured.captured_queries)


def test_the_home_page_summarises_the_latest_snapshot(client, snapshot):
    html = page(client.get("/"))
    assert "La plateforme en chiffres" in html
    assert "35\u202f123\u202f456" in html and "passages de certification collectés" in html
    assert "19\u202f000\u202f001" in html and "passeports de compétences alimentés" in html
    assert "9\u202f013" in html and "(6\u202f012 RNCP, 3\u202f001 RS)" in html
    assert "1\u202f234" in html and "certificateurs ayant déposé" in html


def test_the_home_page_hides_the_summary_without_a_snapshot(client):
    html = page(client.get("/"))
    assert client.get("/").status_code == 200
    assert "La plateforme en chiffres" not in html


def test_the_y_axis_uses_round_steps_above_the_highest_value():
    assert nice_scale(0) == (1, 4)
    assert nice_scale(3) == (1, 3)
    assert nice_scale(2400) == (1000, 3000)
    assert nice_scale(35_000_000) == (10_000_000, 40_000_000)


def test_bars_are_as_high_as_their_values():
    chart = month_chart("g", "Titre", ["2026-01", "2026-02"], [50, 100], "Valeurs")
    low, high = chart["columns"]
    assert high["bar_height"] == 2 * low["bar_height"]
    assert high["bar_y"] < low["bar_y"]
    assert not chart["has_line"]
