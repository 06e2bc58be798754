"""Per-passage business checks: what the schema cannot say (French messages)."""

import datetime
from dataclasses import dataclass

from opencertif.deposits.format import names as n

CERTIFICATION_TYPES = {"RNCP": "rncp", "RS": "rs"}


@dataclass(frozen=True)
class FicheFacts:
    """What the checks need to know of a registry fiche."""

    pk: int
    number: str
    register: str
    start: datetime.date | None
    end: datetime.date | None
    delivery_limit: datetime.date | None
    certifier_ids: frozenset


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _fr(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def certification_problem(
    certification_type: str,
    code: str,
    fiche: FicheFacts | None,
    certifier_org_id: int,
    *,
    emitter: str,
    id_technique: str,
) -> str:
    """Why the certification named by the passage cannot receive it, or ''."""
    register = CERTIFICATION_TYPES.get(certification_type.strip().upper())
    if register is None:
        return (
            f"Le type de certification « {certification_type} » n'est pas pris en charge : "
            "seuls RNCP et RS le sont (statut de la certification KO pour le bcr émetteur "
            f"{emitter} et l'id technique partenaire {id_technique})."
        )
    if fiche is None or fiche.register != register:
        return (
            f"La certification {code} ({certification_type}) est inconnue du répertoire ou "
            "d'un autre type : vérifiez le code et le type (statut de la certification KO "
            f"pour le bcr émetteur {emitter} et l'id technique partenaire {id_technique})."
        )
    if certifier_org_id not in fiche.certifier_ids:
        return (
            f"L'organisme certificateur de ce fichier n'est pas certificateur de la fiche "
            f"{fiche.number} au répertoire : seuls ses certificateurs peuvent y déposer des "
            "passages."
        )
    return ""


def missing_fields(fields: dict) -> list[str]:
    """Data the dictionary requires for a CREATION; dateDebutValidite may not be nil."""
    missing = [tag for key, tag in n.REQUIRED_FOR_CREATION.items() if key not in fields]
    if "valid_from" in fields and fields["valid_from"] is None:
        missing.append("dateDebutValidite")
    return sorted(set(missing))


def dates_problem(fields: dict, fiche: FicheFacts) -> str:
    """Incoherent dates, or a validity outside the fiche's registration, or ''."""
    exam_start, exam_end = _date(fields.get("exam_start")), _date(fields.get("exam_end"))
    valid_from, valid_until = _date(fields.get("valid_from")), _date(fields.get("valid_until"))
    if exam_start and exam_end and exam_end < exam_start:
        return (
            f"La date de fin d'examen ({_fr(exam_end)}) est antérieure à la date de début "
            f"d'examen ({_fr(exam_start)})."
        )
    if valid_from and valid_until and valid_until < valid_from:
        return (
            "La date de fin de validité est inférieure à date de début de validité pour ce "
            f"passage ({_fr(valid_until)} < {_fr(valid_from)})."
        )
    if exam_start and valid_from and exam_start > valid_from:
        return (
            f"L'examen ({_fr(exam_start)}) ne peut pas commencer après la date de début de "
            f"validité de la certification ({_fr(valid_from)})."
        )
    if valid_from:
        if fiche.start and valid_from < fiche.start:
            return (
                f"La date de début de validité ({_fr(valid_from)}) précède l'enregistrement de "
                f"la fiche {fiche.number} ({_fr(fiche.start)})."
            )
        limit = fiche.delivery_limit or fiche.end
        if limit and valid_from > limit:
            return (
                f"La date de début de validité ({_fr(valid_from)}) est postérieure à la date "
                f"limite de délivrance de la fiche {fiche.number} ({_fr(limit)})."
            )
    return ""
