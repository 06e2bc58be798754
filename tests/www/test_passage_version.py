"""The optimistic-concurrency check of the passage form cannot be skipped: a POST
without the version it was shown with, or with another one, changes nothing and asks to
reload."""

import pytest

from opencertif.deposits.models import Passage
from opencertif.passages import care
from tests.deposits import builders as b
from tests.factories import page
from tests.www.test_passages_pages import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, demo):
    client.force_login(demo["university"].memberships.get().user)
    return client


@pytest.fixture
def passage(deposit):
    b.person()
    deposit(b.deposit_file([b.passage("V-1")]))
    return Passage.objects.get(id_technique="V-1")


def test_the_form_carries_the_version_it_was_shown_with(signed_in, passage):
    html = signed_in.get(f"/espace/passages/{passage.pk}/modifier/").content.decode()
    assert f'name="version" value="{passage.content_hash}"' in html


@pytest.mark.parametrize("version", [None, "", "   "])
def test_a_post_without_the_version_is_refused_and_asks_to_reload(signed_in, passage, version):
    data = form_data(honours="SANS_MENTION")
    if version is not None:
        data["version"] = version
    response = signed_in.post(f"/espace/passages/{passage.pk}/modifier/", data)
    text = page(response)
    assert response.status_code == 200
    assert "ne dit pas quelle version du passage" in text and "Rechargez la page" in text
    passage.refresh_from_db()
    assert passage.fields["honours"] == "MENTION_BIEN" and not passage.events.exists()


def test_a_post_with_another_version_is_refused_and_asks_to_reload(signed_in, passage):
    response = signed_in.post(
        f"/espace/passages/{passage.pk}/modifier/",
        form_data(honours="SANS_MENTION", version="0" * 32),
    )
    assert "modifié entre-temps" in page(response) and "Rechargez la page" in page(response)
    passage.refresh_from_db()
    assert passage.fields["honours"] == "MENTION_BIEN"


def test_the_right_version_is_saved(signed_in, passage):
    response = signed_in.post(
        f"/espace/passages/{passage.pk}/modifier/",
        form_data(honours="SANS_MENTION", version=passage.content_hash),
    )
    assert response.status_code == 302
    passage.refresh_from_db()
    assert passage.fields["honours"] == "SANS_MENTION"


def test_the_service_refuses_a_modification_without_a_version(passage):
    record, errors = care.read(
        {
            "id_technique": passage.id_technique,
            "fields": {**b.GOOD_FIELDS, "honours": "SANS_MENTION"},
            "identity_kind": "holder",
            "identity": b.holder(),
        },
        certification_type="RNCP",
        code="RNCP90001",
    )
    assert not errors
    with pytest.raises(care.ConcurrentChange, match="Rechargez la page"):
        care.modify(passage=passage, record=record, by=None, expected_hash="")
    passage.refresh_from_db()
    assert passage.fields["honours"] == "MENTION_BIEN"
