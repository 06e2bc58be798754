"""Holder matching against the reference population, seen through deposits."""

import pytest

from opencertif.deposits.models import Passage, PassageResult
from opencertif.people.models import TrainingDossier
from tests.deposits import builders as b

pytestmark = pytest.mark.django_db


def messages(deposit):
    return {r.id_technique: r.message for r in PassageResult.objects.filter(deposit=deposit)}


def test_national_id_and_training_dossier(deposit):
    camille = b.person(nir="2900575056123")
    TrainingDossier.objects.create(dossier_id="D123", person=camille)
    passages = [
        b.passage(
            "NIR_OK", kind="national_id", identity={"nir": "2900575056123", "birth_name": "MARTIN"}
        ),
        b.passage(
            "NIR_UNKNOWN",
            kind="national_id",
            identity={"nir": "1900575056999", "birth_name": "MARTIN"},
        ),
        b.passage(
            "NIR_NAME",
            kind="national_id",
            identity={"nir": "2900575056123", "birth_name": "DURAND"},
        ),
        b.passage(
            "DOSSIER_OK",
            kind="dossier",
            identity={
                "dossier_id": "D123",
                "dossier_name": "Martin",
                "dossier_first_name": "Camille",
            },
        ),
        b.passage(
            "DOSSIER_UNKNOWN",
            kind="dossier",
            identity={
                "dossier_id": "D999",
                "dossier_name": "Martin",
                "dossier_first_name": "Camille",
            },
        ),
    ]
    done = deposit(b.deposit_file(passages))
    found = messages(done)
    assert found["NIR_OK"] == "" and found["DOSSIER_OK"] == ""
    assert found["NIR_UNKNOWN"] == "Aucun titulaire ne correspond à ce NIR"
    assert "nom de naissance ne correspond pas" in found["NIR_NAME"]
    assert "Aucun dossier de formation" in found["DOSSIER_UNKNOWN"]
    assert set(Passage.objects.filter(status="ok").values_list("person", flat=True)) == {camille.pk}


def test_detailed_identity_folds_accents_hyphens_apostrophes_and_refines(deposit):
    b.person(birth_name="D'Arc-Lefèvre", first_name="Jeanne Marie")
    b.person(birth_name="Dupont", first_name="Lea", day=1)
    b.person(birth_name="Dupont", first_name="Lea", day=2)
    b.person(birth_name="Bernard", first_name="Alix", month=3, day=3)
    b.person(birth_name="Bernard", first_name="Alix", month=3, day=3, insee="69123")
    passages = [
        b.passage(
            "FOLDED", identity=b.holder(birth_name="DARC LEFEVRE", first_name="jeanne-marie")
        ),
        b.passage("REFINED", identity=b.holder(birth_name="Dupont", first_name="Léa", day=2)),
        b.passage("REFINED_NONE", identity=b.holder(birth_name="Dupont", first_name="Léa", day=9)),
        b.passage(
            "AMBIGUOUS",
            identity=b.holder(birth_name="Dupont", first_name="Léa", month=None, day=None),
        ),
        b.passage("PLACE", identity=b.holder(birth_name="Dupont", first_name="Léa", insee="13055")),
        b.passage("NONE", identity=b.holder(birth_name="Personne", first_name="Nul")),
        b.passage(
            "BY_PLACE",
            identity=b.holder(
                birth_name="Bernard", first_name="Alix", month=3, day=3, insee="69123"
            ),
        ),
    ]
    found = messages(deposit(b.deposit_file(passages)))
    assert found["FOLDED"] == "" and found["REFINED"] == "" and found["BY_PLACE"] == ""
    assert found["REFINED_NONE"].endswith("enrichis du jour et du mois de naissance")
    assert found["AMBIGUOUS"].startswith("Plusieurs titulaires ont été identifiés")
    assert found["PLACE"] == "Aucun titulaire ne correspond aux critères de reconciliation"
    assert found["NONE"] == "Aucun titulaire ne correspond aux critères obligatoires"


def test_near_misses_say_which_field_differs_never_who(deposit):
    b.person(birth_name="Lefebvre", first_name="Camille")
    typo = b.passage("TYPO", identity=b.holder(birth_name="Lefevre", first_name="Camille"))
    done = deposit(b.deposit_file([typo]))
    result = PassageResult.objects.get(deposit=done)
    assert result.message == "Aucun titulaire ne correspond aux critères obligatoires"
    assert (
        result.near_misses and "vérifiez l'orthographe du nom de naissance" in result.near_misses[0]
    )
    assert "Lefebvre" not in " ".join(result.near_misses).capitalize()
    assert "LEFEBVRE" not in " ".join(result.near_misses)
