"""The demo's organisations carry SIRETs that the sign-up form accepts."""

import pytest
from django.core.management import call_command

from opencertif.demo.registry import (
    DEMO_THIRD_PARTY_SIRET,
    DEMO_UNIVERSITY_SIRET,
    demo_siret,
    generate,
)
from opencertif.organisations.models import Organisation
from opencertif.www.espace.forms import SiretForm


def accepted_by_signup(siret: str) -> bool:
    form = SiretForm(data={"has_siret": "oui", "siret": siret, "name": "Organisme de démo"})
    return form.is_valid() and form.cleaned_data["siret"] == siret


def test_every_demo_certifier_and_partner_siret_passes_the_signup_form():
    records = list(generate(2000))
    certifiers = {c.siret for record in records for c in record.certifiers if c.siret}
    partners = {p.siret for record in records for p in record.partners if p.siret}
    assert len(certifiers) == 201  # two thirds of the 300 certifiers, and the university
    assert len(partners) > 1000
    assert sorted(s for s in certifiers | partners if not accepted_by_signup(s)) == []


@pytest.mark.django_db
def test_the_demo_organisations_sirets_pass_the_signup_form():
    call_command("demo", fiches=0, passages=False)
    sirets = set(Organisation.objects.exclude(siret=None).values_list("siret", flat=True))
    assert {DEMO_UNIVERSITY_SIRET, DEMO_THIRD_PARTY_SIRET} <= sirets
    assert sorted(s for s in sirets if not accepted_by_signup(s)) == []


def test_demo_sirets_are_deterministic_and_read_as_demo_numbers():
    assert DEMO_UNIVERSITY_SIRET == demo_siret(1) == "00000001800010"
    assert DEMO_THIRD_PARTY_SIRET == "00000002600013"
    assert all(accepted_by_signup(demo_siret(n, n % 10_000)) for n in range(1, 100_000, 997))
    assert all(demo_siret(n).startswith("00") for n in (1, 999_999))
    with pytest.raises(ValueError):
        demo_siret(10**6)
