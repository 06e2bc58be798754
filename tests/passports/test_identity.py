"""A holder's identity (FranceConnect's claims) designates a person of the reference
population only when the whole identity agrees, and exactly one person has it."""

import pytest

from opencertif.core.models import AuditEntry
from opencertif.passports.enums import MatchOutcome
from opencertif.passports.identity import (
    NO_MAIL_DOMAIN,
    claims_of,
    match_identity,
    sign_in_holder,
)
from opencertif.passports.models import Holder
from tests import factories
from tests.passports import factories as passport_factories

pytestmark = pytest.mark.django_db


def fc_claims(**overrides) -> dict:
    """Claims as FranceConnect sends them for Camille MARTIN, born 12/04/1990 in Paris."""
    claims = {
        "sub": "fc-subject-1",
        "given_name": "Camille Anne",
        "family_name": "MARTIN",
        "birthdate": "1990-04-12",
        "gender": "female",
        "birthplace": "75056",
        "birthcountry": "99100",
    }
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


def test_the_whole_identity_designates_its_person():
    camille = passport_factories.person()
    passport_factories.person(first_name="Claude")

    assert match_identity(fc_claims()) == (MatchOutcome.MATCHED, camille)


def test_a_homonym_born_the_same_year_another_day_gets_only_their_own_match():
    camille = passport_factories.person()
    homonym = passport_factories.person(birth_month=9, birth_day=3)

    assert match_identity(fc_claims()) == (MatchOutcome.MATCHED, camille)
    assert match_identity(fc_claims(birthdate="1990-09-03")) == (MatchOutcome.MATCHED, homonym)


def test_a_homonym_absent_from_the_population_matches_nobody():
    passport_factories.person()

    assert match_identity(fc_claims(birthdate="1990-09-03")) == (MatchOutcome.NONE, None)


def test_a_person_whose_birth_day_is_unknown_is_never_matched():
    passport_factories.person(birth_month=None, birth_day=None)

    assert match_identity(fc_claims()) == (MatchOutcome.NONE, None)


def test_two_people_identical_on_the_whole_identity_match_several_and_nobody_is_chosen():
    passport_factories.person()
    passport_factories.person()

    assert match_identity(fc_claims()) == (MatchOutcome.SEVERAL, None)


def test_a_different_birth_place_matches_nobody():
    passport_factories.person(birth_insee="69123")

    assert match_identity(fc_claims()) == (MatchOutcome.NONE, None)


def test_another_sex_matches_nobody():
    passport_factories.person()

    assert match_identity(fc_claims(gender="male")) == (MatchOutcome.NONE, None)


def test_accents_hyphens_and_case_are_folded_as_for_deposits():
    person = passport_factories.person(birth_name="Le Bihan-Guérin", first_name="Jean-Éric")

    claims = fc_claims(given_name="JEAN ERIC", family_name="le bihan guerin")
    # "JEAN ERIC": the first given name is "JEAN", not the hyphenated "Jean-Éric".
    assert match_identity(claims) == (MatchOutcome.NONE, None)
    claims = fc_claims(given_name="Jean-Eric Pierre", family_name="LE BIHAN GUERIN")
    assert match_identity(claims) == (MatchOutcome.MATCHED, person)


def test_only_the_first_given_name_counts():
    person = passport_factories.person(first_name="Camille", first_name2="Anne")

    assert match_identity(fc_claims(given_name="Camille")) == (MatchOutcome.MATCHED, person)
    assert match_identity(fc_claims(given_name="Anne Camille")) == (MatchOutcome.NONE, None)


@pytest.mark.parametrize(
    "overrides",
    [
        {"birthdate": None},
        {"birthdate": ""},
        {"birthdate": "1990-04"},
        {"birthdate": "19900412"},
        {"birthdate": "1990-02-30"},
        {"given_name": "  "},
        {"family_name": None},
        {"gender": "unknown"},
        {"birthcountry": None},
        {"birthcountry": "100"},
        {"birthplace": ""},
        {"birthplace": "Paris"},
    ],
    ids=lambda overrides: ",".join(f"{k}={v!r}" for k, v in overrides.items()),
)
def test_a_missing_or_malformed_claim_makes_the_identity_incomplete(overrides):
    passport_factories.person()

    assert match_identity(fc_claims(**overrides)) == (MatchOutcome.INCOMPLETE, None)


def test_a_person_born_abroad_is_matched_by_country():
    # Stored as the deposits store it: the 3-digit country code, no town.
    algeria = passport_factories.person(birth_insee="", birth_country="352")
    passport_factories.person(birth_insee="", birth_country="350", birth_day=13)

    claims = fc_claims(birthplace="", birthcountry="99352")
    assert match_identity(claims) == (MatchOutcome.MATCHED, algeria)
    assert match_identity(fc_claims(birthplace="", birthcountry="99350")) == (
        MatchOutcome.NONE,
        None,
    )


def test_a_person_born_abroad_stored_with_a_99_code_is_matched_by_country():
    spain = passport_factories.person(birth_insee="99134")

    # FranceConnect leaves the town out for people born abroad; a stray one is ignored.
    assert match_identity(fc_claims(birthplace="", birthcountry="99134")) == (
        MatchOutcome.MATCHED,
        spain,
    )
    assert match_identity(fc_claims(birthcountry="99134")) == (MatchOutcome.MATCHED, spain)


def test_claims_of_a_person_match_that_person():
    for fields in ({}, {"birth_insee": "99134"}, {"birth_insee": "", "birth_country": "352"}):
        person = passport_factories.person(birth_name=f"NOM{len(fields)}{fields}", **fields)
        assert match_identity(claims_of(person)) == (MatchOutcome.MATCHED, person)


def test_first_sign_in_creates_the_holder_and_its_account_without_a_password():
    camille = passport_factories.person()

    holder = sign_in_holder(subject="fc-1", claims=fc_claims(email="Camille@Example.TEST"))

    holder.refresh_from_db()
    assert (holder.subject, holder.person, holder.match_outcome) == (
        "fc-1",
        camille,
        MatchOutcome.MATCHED,
    )
    assert holder.matched_at is not None
    user = holder.user
    assert (user.email, user.first_name, user.last_name) == (
        "camille@example.test",
        "Camille",
        "MARTIN",
    )
    assert not user.has_usable_password()


def test_an_email_already_used_by_an_account_is_not_taken_over():
    organisation_user = factories.user("camille@example.test")

    holder = sign_in_holder(subject="fc-1", claims=fc_claims(email="camille@example.test"))

    assert holder.user != organisation_user
    assert holder.user.email.endswith(f"@{NO_MAIL_DOMAIN}")
    assert not Holder.objects.filter(user=organisation_user).exists()


def test_without_an_email_claim_the_account_gets_an_address_that_routes_nowhere():
    holder = sign_in_holder(subject="fc-1", claims=fc_claims())

    assert holder.user.email.endswith(f"@{NO_MAIL_DOMAIN}")


def test_every_sign_in_matches_again_and_keeps_the_same_account():
    first = sign_in_holder(subject="fc-1", claims=fc_claims())
    assert (first.match_outcome, first.person) == (MatchOutcome.NONE, None)

    camille = passport_factories.person()
    again = sign_in_holder(subject="fc-1", claims=fc_claims(email="camille@example.test"))

    assert again.pk == first.pk and again.user_id == first.user_id
    again.refresh_from_db()
    assert (again.match_outcome, again.person) == (MatchOutcome.MATCHED, camille)
    assert again.user.email == "camille@example.test"
    assert Holder.objects.count() == 1

    passport_factories.person()  # now two people share the identity
    third = sign_in_holder(subject="fc-1", claims=fc_claims())
    third.refresh_from_db()
    assert (third.match_outcome, third.person) == (MatchOutcome.SEVERAL, None)


def test_a_sign_in_is_audited_without_the_identity():
    passport_factories.person()

    holder = sign_in_holder(subject="fc-1", claims=fc_claims())

    entry = AuditEntry.objects.get(action="holder.signed_in")
    assert (entry.actor, entry.object_id) == (holder.user, str(holder.pk))
    stored = f"{entry.summary} {entry.changes}".upper()
    for part in ("MARTIN", "CAMILLE", "1990", "75056"):
        assert part not in stored
    assert entry.changes["outcome"] == "matched"


def test_a_sign_in_without_subject_is_refused():
    with pytest.raises(ValueError):
        sign_in_holder(subject="", claims=fc_claims())
    assert not Holder.objects.exists()
