import datetime

import pytest

from opencertif.organisations.models import Organisation
from opencertif.registry import search_backends, search_index
from opencertif.registry.search import SearchParams, search
from tests.registry.factories import create, fiche

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    create(
        fiche(
            "RNCP1",
            title="Comptable gestionnaire",
            level="5",
            blocks=("Tenue de la comptabilité",),
            nsf=(("314", "Comptabilité, gestion"),),
            rome=(("M1203", "Comptabilité"),),
        ),
        fiche(
            "RNCP2",
            title="Responsable en comptabilité et finance",
            level="6",
            nsf=(("314", "Comptabilité, gestion"),),
            rome=(("M1206", "Management comptable"),),
            decision=datetime.date(2024, 5, 1),
        ),
        fiche(
            "RNCP3",
            title="Chargé de paie",
            level="6",
            blocks=("Comptabilité sociale",),
            nsf=(("315", "Ressources humaines"),),
            rome=(("M1501", "Paie"),),
        ),
        fiche(
            "RNCP4",
            title="Éducateur spécialisé",
            level="6",
            active=False,
            nsf=(("332", "Travail social"),),
            rome=(("K1207", "Intervention socioéducative"),),
            certifiers=(("13000000000013", "Université de démonstration"),),
        ),
        fiche("RS5", title="Utiliser un tableur en comptabilité", nsf=(("314", "Comptabilité"),)),
        fiche(
            "RNCP6",
            title="Technicien de maintenance industrielle",
            level="4",
            rome=(("I1304", "Maintenance industrielle"),),
            abbreviation="BAC PRO",
        ),
    )


def numbers(result):
    return [cert.number for cert in result.items]


def test_search_is_accent_and_case_insensitive(registry):
    assert set(numbers(search(SearchParams(q="COMPTABILITE")))) == {
        "RNCP1",
        "RNCP2",
        "RNCP3",
        "RS5",
    }
    assert numbers(search(SearchParams(q="educateur", active_only=False))) == ["RNCP4"]


def test_search_is_french_aware_and_matches_prefixes(registry):
    # "comptable" and "comptabilité" differ; a prefix still finds both families of words.
    assert "RNCP1" in numbers(search(SearchParams(q="comptables")))
    assert set(numbers(search(SearchParams(q="compta")))) == {"RNCP1", "RNCP2", "RNCP3", "RS5"}
    assert numbers(search(SearchParams(q="techniciens maintenance"))) == ["RNCP6"]


def test_title_matches_rank_before_block_matches(registry):
    result = numbers(search(SearchParams(q="comptabilité")))
    assert result.index("RNCP2") < result.index("RNCP3")  # RNCP3 only has it in a block


def test_search_by_number_code_and_certifier(registry):
    assert numbers(search(SearchParams(q="RNCP3"))) == ["RNCP3"]
    assert numbers(search(SearchParams(q="M1501"))) == ["RNCP3"]
    assert numbers(search(SearchParams(q="bac pro"))) == ["RNCP6"]
    assert numbers(search(SearchParams(q="université démonstration", active_only=False))) == [
        "RNCP4"
    ]


def test_filters_combine(registry):
    assert set(numbers(search(SearchParams(q="comptabilité", level="6")))) == {"RNCP2", "RNCP3"}
    assert numbers(search(SearchParams(register="rs"))) == ["RS5"]
    assert set(numbers(search(SearchParams(nsf="31")))) == {"RNCP1", "RNCP2", "RNCP3", "RS5"}
    assert numbers(search(SearchParams(rome="K"))) == []  # inactive only
    assert numbers(search(SearchParams(rome="K", active_only=False))) == ["RNCP4"]
    assert numbers(search(SearchParams(rome="M1206"))) == ["RNCP2"]
    university = Organisation.objects.get(siret="13000000000013")
    assert numbers(search(SearchParams(certifier=university.pk, active_only=False))) == ["RNCP4"]


def test_facets_count_with_the_other_filters_applied(registry):
    result = search(SearchParams(q="comptabilité", level="6"))
    levels = {f.value: f.count for f in result.facets["level"]}
    # the level facet ignores the level filter itself, so other levels stay visible
    assert levels == {"5": 1, "6": 2}
    registers = {f.value: f.count for f in result.facets["register"]}
    assert registers == {"rncp": 2, "rs": 0}
    active = {f.value: f.count for f in result.facets["active"]}
    assert active == {"active": 2, "all": 2}
    assert [f.value for f in result.facets["level"] if f.selected] == ["6"]


def test_sorts(registry):
    by_title = numbers(search(SearchParams(sort="intitule", active_only=False)))
    assert by_title[0] == "RNCP3" and by_title[-1] == "RS5"  # Chargé … Utiliser
    recent = numbers(search(SearchParams(sort="recent")))
    assert recent[0] == "RNCP2"
    by_number = numbers(search(SearchParams(sort="numero")))
    assert by_number[:3] == ["RNCP1", "RNCP2", "RNCP3"]


def test_pagination(registry):
    first = search(SearchParams(per_page=2, active_only=False))
    assert (first.total, first.pages, len(first.items)) == (6, 3, 2)
    last = search(SearchParams(per_page=2, page=99, active_only=False))
    assert last.page == 3 and len(last.items) == 2


def test_query_string_round_trip():
    params = SearchParams(q="paie", level="6", register="rncp", rome="M", active_only=False, page=2)
    assert SearchParams.from_query(params.to_query()) == params
    assert (
        SearchParams.from_query({"niveau": "12", "rome": "Z9", "page": "x", "tri": "?"})
        == SearchParams()
    )


def test_stop_words_and_punctuation_alone_list_everything(registry):
    assert search(SearchParams(q="de la ' !")).total == 5


def test_full_refresh_rebuilds_the_same_index(registry):
    before = numbers(search(SearchParams(q="comptabilité")))
    search_index.refresh()
    assert numbers(search(SearchParams(q="comptabilité"))) == before


def test_raw_query_matches_the_service(registry):
    from django.db import connection

    sql, args = search_backends.raw_sql(search_backends.query_terms("comptabilité"))
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        raw = {row[0] for row in cursor.fetchall()}
    service = search(SearchParams(q="comptabilité", active_only=False))
    assert raw == {cert.pk for cert in service.items}
    assert len(raw) == 4
