"""Loading the reference population from CSV (`opencertif import_persons`)."""

import csv
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from opencertif.core.text import identity_key
from opencertif.people.models import Person, TrainingDossier

COLUMNS = (
    "nir",
    "nom_naissance",
    "nom_usage",
    "prenom1",
    "prenom2",
    "prenom3",
    "sexe",
    "annee_naissance",
    "mois_naissance",
    "jour_naissance",
    "code_insee_naissance",
    "code_postal_naissance",
    "code_pays_naissance",
)
OPTIONAL_COLUMNS = ("dossiers_formation",)
NIR_RE = re.compile(r"^[12]\d{4}(2[AB]|\d\d)\d{6}$")
BATCH = 5000
MAX_REPORTED = 1000


class PersonImportError(Exception):
    """The file cannot be read: nothing was changed."""


@dataclass
class PersonImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[str] = field(default_factory=list)

    def error(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(f"ligne {line} : {message}")


def _int(value: str, low: int, high: int, label: str, *, required: bool) -> int | None:
    value = value.strip()
    if not value:
        if required:
            raise ValueError(f"{label} manquant")
        return None
    try:
        number = int(value)
    except ValueError as exc:
        raise ValueError(f"{label} « {value} » n'est pas un nombre") from exc
    if not low <= number <= high:
        raise ValueError(f"{label} {number} hors de [{low}, {high}]")
    return number


def _person(row: dict) -> tuple[dict, list[str]]:
    nir = row["nir"].strip().upper()
    if nir and not NIR_RE.match(nir):
        raise ValueError(f"NIR « {nir} » invalide (13 caractères sans la clé)")
    birth_name, first = row["nom_naissance"].strip(), row["prenom1"].strip()
    if not birth_name or not first:
        raise ValueError("nom de naissance et prénom 1 obligatoires")
    sex = {"1": "M", "2": "F"}.get(row["sexe"].strip(), row["sexe"].strip().upper())
    if sex not in ("M", "F"):
        raise ValueError(f"sexe « {row['sexe']} » (M ou F attendu)")
    data = {
        "nir": nir or None,
        "birth_name": birth_name[:60],
        "usage_name": row["nom_usage"].strip()[:60],
        "first_name1": first[:60],
        "first_name2": row["prenom2"].strip()[:60],
        "first_name3": row["prenom3"].strip()[:60],
        "sex": sex,
        "birth_year": _int(row["annee_naissance"], 1900, 2099, "année", required=True),
        "birth_month": _int(row["mois_naissance"], 1, 12, "mois", required=False),
        "birth_day": _int(row["jour_naissance"], 1, 31, "jour", required=False),
        "birth_insee": row["code_insee_naissance"].strip().upper()[:5],
        "birth_postal_code": row["code_postal_naissance"].strip()[:9],
        "birth_country": row["code_pays_naissance"].strip()[:3],
    }
    data["birth_name_key"] = identity_key(birth_name)[:60]
    data["first_name_key"] = identity_key(first)[:60]
    data["row_digest"] = hashlib.md5(  # noqa: S324 (a fingerprint, not a secret)
        "|".join(str(data[key]) for key in sorted(data)).encode()
    ).hexdigest()
    dossiers = [d.strip() for d in (row.get("dossiers_formation") or "").split() if d.strip()]
    return data, dossiers


def import_persons(
    *, path: Path, progress: Callable[[int, int], None] | None = None
) -> PersonImportReport:
    """Upsert the persons of a CSV file (by NIR, else by the whole identity), in one
    transaction. Re-importing the same file changes nothing."""
    report = PersonImportReport()
    total = path.stat().st_size
    raw = path.open("rb")
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    try:
        reader = csv.DictReader(text, delimiter=_delimiter(path))
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise PersonImportError(
                f"Colonnes manquantes : {', '.join(missing)}. En-tête attendu : {','.join(COLUMNS)}"
            )
        with transaction.atomic():
            batch: list[tuple[dict, list[str]]] = []
            for row in reader:
                try:
                    batch.append(_person(row))
                except ValueError as exc:
                    report.error(reader.line_num, str(exc))
                    continue
                if len(batch) >= BATCH:
                    _upsert(batch, report)
                    batch = []
                    if progress:
                        progress(raw.tell(), total)
            _upsert(batch, report)
    except UnicodeDecodeError as exc:
        raise PersonImportError(
            f"Le fichier n'est pas en UTF-8 (vers la ligne {reader.line_num + 1}) : rien n'a été "
            "importé."
        ) from exc
    except csv.Error as exc:
        raise PersonImportError(f"CSV illisible ligne {reader.line_num} : {exc}") from exc
    finally:
        text.close()
    return report


def _delimiter(path: Path) -> str:
    with path.open("r", encoding="utf-8-sig", errors="replace") as probe:
        header = probe.readline()
    return ";" if header.count(";") > header.count(",") else ","


def _upsert(batch: list[tuple[dict, list[str]]], report: PersonImportReport) -> None:
    if not batch:
        return
    with_nir = {data["nir"]: (data, dossiers) for data, dossiers in batch if data["nir"]}
    without = {data["row_digest"]: (data, dossiers) for data, dossiers in batch if not data["nir"]}
    existing = {person.nir: person for person in Person.objects.filter(nir__in=list(with_nir))}
    known_digests = set(
        Person.objects.filter(nir__isnull=True, row_digest__in=list(without)).values_list(
            "row_digest", flat=True
        )
    )
    new, changed = [], []
    for nir, (data, _) in with_nir.items():
        person = existing.get(nir)
        if person is None:
            new.append(Person(**data))
        elif person.row_digest != data["row_digest"]:
            for key, value in data.items():
                setattr(person, key, value)
            changed.append(person)
        else:
            report.unchanged += 1
    for digest, (data, _) in without.items():
        if digest in known_digests:
            report.unchanged += 1
        else:
            new.append(Person(**data))
    Person.objects.bulk_create(new, batch_size=1000)
    if changed:
        Person.objects.bulk_update(
            changed, [f for f in with_nir[changed[0].nir][0] if f != "nir"], batch_size=1000
        )
    report.created += len(new)
    report.updated += len(changed)
    dossier_rows = [(dossier, data) for data, dossiers in batch for dossier in dossiers]
    if dossier_rows:
        persons = {
            p.nir or p.row_digest: p.pk
            for p in Person.objects.filter(
                row_digest__in=[data["row_digest"] for _, data in dossier_rows]
            )
        }
        known = set(
            TrainingDossier.objects.filter(
                dossier_id__in=[dossier for dossier, _ in dossier_rows]
            ).values_list("dossier_id", flat=True)
        )
        TrainingDossier.objects.bulk_create(
            [
                TrainingDossier(
                    dossier_id=dossier, person_id=persons[data["nir"] or data["row_digest"]]
                )
                for dossier, data in dossier_rows
                if dossier not in known
            ]
        )
