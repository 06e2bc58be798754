"""Parsers for the values of the France Compétences export, shared by the CSV and XML readers."""

import datetime
import re

from opencertif.core.text import clean_text, fold
from opencertif.registry.enums import AccessRoute, FicheState, Habilitation, LinkState, Register

NUMBER_RE = re.compile(r"^(RNCP|RS)(\d{1,7})$")


class ValueProblem(ValueError):
    """A value that cannot be read; the row that holds it is reported and skipped."""


def number(value: str) -> tuple[str, str]:
    """Normalise a fiche number, returning it with its register."""
    cleaned = (value or "").strip().upper().replace(" ", "")
    match = NUMBER_RE.match(cleaned)
    if not match:
        raise ValueProblem(f"numéro de fiche invalide « {value.strip()} » (attendu RNCP… ou RS…)")
    prefix, digits = match.groups()
    normalised = f"{prefix}{int(digits)}"
    return normalised, Register.RNCP if prefix == "RNCP" else Register.RS


def date(value: str | None) -> datetime.date | None:
    value = (value or "").strip()
    if not value:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueProblem(f"date illisible « {value} » (attendu JJ/MM/AAAA)")


def yes_no(value: str | None) -> bool | None:
    lowered = fold(value or "")
    if lowered in ("oui", "true", "1", "active", "actif"):
        return True
    if lowered in ("non", "false", "0", "inactive", "inactif"):
        return False
    if not lowered:
        return None
    raise ValueProblem(f"valeur « {value} » au lieu de Oui/Non")


def integer(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise ValueProblem(f"nombre illisible « {value} »") from exc


def siret(value: str | None) -> str | None:
    """The export prefixes SIRETs with a TAB (to keep spreadsheets from eating the zeros)."""
    digits = re.sub(r"\s", "", value or "")
    if len(digits) == 14 and digits.isdigit():
        return digits
    return None


def level(value: str | None) -> str:
    cleaned = (value or "").strip().upper()
    if not cleaned:
        return ""
    if cleaned == "REPRISE" or cleaned.startswith("SANS"):
        return "sans"
    match = re.match(r"^(?:NIV(?:EAU)?\s*)?([1-8])$", cleaned)
    if match:
        return match.group(1)
    raise ValueProblem(f"niveau inconnu « {value} »")


def text(value: str | None) -> str:
    return clean_text(value)


def code_and_label(code: str | None, label: str | None) -> tuple[str, str]:
    """Codes come as '326' + '326 : Informatique…' in the CSV, '326' + 'Informatique…' in XML."""
    code = (code or "").strip()
    label = clean_text(label)
    prefix = f"{code} : "
    if label.startswith(prefix):
        label = label[len(prefix) :]
    return code, label


_STATES = {
    "publiee": FicheState.PUBLISHED,
    "archivee": FicheState.ARCHIVED,
    "brouillon": FicheState.DRAFT,
}


def fiche_state(value: str | None) -> str:
    return _STATES.get(fold(value or ""), FicheState.OTHER if value else FicheState.PUBLISHED)


def registration_type(value: str | None) -> str:
    lowered = fold(value or "")
    if not lowered:
        return ""
    if "droit" in lowered:
        return "by_right"
    if "demande" in lowered:
        return "on_request"
    return "other"


def link_state(value: str | None) -> str:
    lowered = fold(value or "")
    if lowered.startswith("actif") or lowered == "active":
        return LinkState.ACTIVE
    if lowered.startswith("inactif") or lowered == "inactive":
        return LinkState.INACTIVE
    return LinkState.UNKNOWN


_HABILITATIONS = {
    "habilitation orga form": Habilitation.TRAIN,
    "habilitation form eval": Habilitation.TRAIN_ASSESS,
    "habilitation orga form eval": Habilitation.TRAIN_ASSESS,
    "habilitation former evaluer": Habilitation.TRAIN_ASSESS,
    "habilitation eval": Habilitation.ASSESS,
    "habilitation orga eval": Habilitation.ASSESS,
}


def habilitation(value: str | None) -> str:
    lowered = fold(value or "")
    if not lowered:
        return ""
    return _HABILITATIONS.get(lowered, Habilitation.OTHER)


_ROUTES_BY_LABEL = (
    ("eleve", AccessRoute.INITIAL),
    ("etudiant", AccessRoute.INITIAL),
    ("apprentissage", AccessRoute.APPRENTICESHIP),
    ("formation continue", AccessRoute.CONTINUING),
    ("professionnalisation", AccessRoute.PROFESSIONALISATION),
    ("candidature individuelle", AccessRoute.CANDIDACY),
    ("experience", AccessRoute.VAE),
)

ROUTES_BY_XML_TAG = {
    "SI_JURY_FI": AccessRoute.INITIAL,
    "SI_JURY_CA": AccessRoute.APPRENTICESHIP,
    "SI_JURY_FC": AccessRoute.CONTINUING,
    "SI_JURY_CQ": AccessRoute.PROFESSIONALISATION,
    "SI_JURY_CL": AccessRoute.CANDIDACY,
    "SI_JURY_VAE": AccessRoute.VAE,
}


def route_from_label(value: str | None) -> str:
    lowered = fold(value or "")
    for needle, route in _ROUTES_BY_LABEL:
        if needle in lowered:
            return route
    raise ValueProblem(f"voie d'accès inconnue « {value} »")
