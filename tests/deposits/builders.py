"""Deposit files and reference people for the tests, written by the tests."""

import io

from opencertif.core.text import identity_key
from opencertif.deposits.format import writer
from opencertif.people.models import Person

GOOD_FIELDS = {
    "obtained_by": "PAR_ADMISSION",
    "certified_data": True,
    "exam_start": "2025-06-02",
    "exam_end": "2025-06-03",
    "valid_from": "2025-06-20",
    "valid_until": None,
    "has_language_level": False,
    "has_digital_level": False,
    "score": None,
    "honours": "MENTION_BIEN",
    "enrolment": {"access_mode": "VAE", "vae_route": "VAE_CLASSIQUE"},
}


def person(
    birth_name="Martin",
    first_name="Camille",
    sex="F",
    year=1990,
    month=5,
    day=12,
    insee="75056",
    nir=None,
    postal="",
    country="",
) -> Person:
    return Person.objects.create(
        nir=nir,
        birth_name=birth_name,
        first_name1=first_name,
        sex=sex,
        birth_year=year,
        birth_month=month,
        birth_day=day,
        birth_insee=insee,
        birth_postal_code=postal,
        birth_country=country,
        birth_name_key=identity_key(birth_name),
        first_name_key=identity_key(first_name),
        row_digest=f"{nir}{birth_name}{first_name}",
    )


def holder(
    birth_name="Martin",
    first_name="Camille",
    sex="F",
    year=1990,
    month=5,
    day=12,
    insee="75056",
    **extra,
) -> dict:
    return {
        "birth_name": birth_name,
        "usage_name": None,
        "first_name1": first_name,
        "birth_year": year,
        "birth_month": month,
        "birth_day": day,
        "sex": sex,
        "birth_insee": insee,
        **extra,
    }


def passage(id_technique: str, *, identity=None, kind="holder", **fields) -> dict:
    return {
        "id_technique": id_technique,
        "fields": {**GOOD_FIELDS, **fields},
        "identity_kind": kind,
        "identity": identity if identity is not None else holder(),
    }


def deposit_file(
    passages,
    *,
    code="RNCP90001",
    certification_type="RNCP",
    emitter="DEMO0001",
    certifier="DEMO0001",
    contract="MCFCER000001",
    action=None,
    certifications=None,
) -> bytes:
    out = io.StringIO()
    writer.write(
        out,
        id_flux="b1c6c1f4-0000-4000-8000-000000000001",
        timestamp="2026-11-20T10:00:00+01:00",
        emitter_id_client=emitter,
        certifier_id_client=certifier,
        id_contract=contract,
        certifications=certifications or [(certification_type, code, passages)],
        action=action,
    )
    return out.getvalue().encode("utf-8")
