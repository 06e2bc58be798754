"""Plain records of a fiche, produced by every source (CSV, XML, demo) and upserted as one.

A source may carry only part of a fiche (the CSV export has no texts): `provided` lists the
scalar fields and child collections it carries; the upsert leaves the others untouched.
"""

import datetime
import hashlib
import json
from dataclasses import asdict, dataclass, field

SCALAR_FIELDS = (
    "source_id",
    "title",
    "abbreviation_code",
    "abbreviation_label",
    "level",
    "state",
    "is_active",
    "registration_type",
    "decision_date",
    "effect_date",
    "registration_end_date",
    "last_jo_date",
    "delivery_limit_date",
    "registration_duration",
    "activities",
    "abilities",
    "sectors",
    "jobs",
    "objectives",
    "regulations",
    "prerequisites",
    "description_url",
    "partial_validation",
    "new_caledonia",
    "french_polynesia",
    "has_partners",
)

CHILD_FIELDS = (
    "blocks",
    "block_details",
    "certifiers",
    "partners",
    "routes",
    "links",
    "jo_publications",
    "stats",
    "agreements",
    "nsf",
    "rome",
    "formacodes",
)


@dataclass
class BlockRecord:
    code: str
    label: str
    competences: str = ""
    evaluation: str = ""


@dataclass
class CertifierRecord:
    siret: str | None
    name: str
    state: str = ""


@dataclass
class PartnerRecord:
    siret: str
    name: str
    habilitation: str = ""
    state: str = ""
    active_since: datetime.date | None = None
    state_changed_on: datetime.date | None = None


@dataclass
class RouteRecord:
    route: str
    is_open: bool = True
    jury_composition: str = ""
    updated_on: datetime.date | None = None


@dataclass
class StatRecord:
    year: int
    certified: int | None = None
    certified_vae: int | None = None
    insertion_rate_6m: int | None = None
    insertion_rate_2y: int | None = None


@dataclass
class FicheRecord:
    number: str
    register: str
    source: str
    provided: frozenset
    line: int | None = None
    source_id: int | None = None
    title: str = ""
    abbreviation_code: str = ""
    abbreviation_label: str = ""
    level: str = ""
    state: str = "published"
    is_active: bool = False
    registration_type: str = ""
    decision_date: datetime.date | None = None
    effect_date: datetime.date | None = None
    registration_end_date: datetime.date | None = None
    last_jo_date: datetime.date | None = None
    delivery_limit_date: datetime.date | None = None
    registration_duration: int | None = None
    activities: str = ""
    abilities: str = ""
    sectors: str = ""
    jobs: str = ""
    objectives: str = ""
    regulations: str = ""
    prerequisites: str = ""
    description_url: str = ""
    partial_validation: bool | None = None
    new_caledonia: bool | None = None
    french_polynesia: bool | None = None
    has_partners: bool | None = None
    blocks: list[BlockRecord] = field(default_factory=list)
    certifiers: list[CertifierRecord] = field(default_factory=list)
    partners: list[PartnerRecord] = field(default_factory=list)
    routes: list[RouteRecord] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    jo_publications: list[tuple[datetime.date, str]] = field(default_factory=list)
    stats: list[StatRecord] = field(default_factory=list)
    agreements: list[tuple[str, str]] = field(default_factory=list)
    nsf: list[tuple[str, str]] = field(default_factory=list)
    rome: list[tuple[str, str]] = field(default_factory=list)
    formacodes: list[tuple[str, str]] = field(default_factory=list)

    def digest(self) -> str:
        """Fingerprint of what this source says about the fiche: equal means unchanged."""
        data = asdict(self)
        payload = {
            key: data[key]
            for key in sorted(self.provided)
            if key in data and key not in ("line", "source", "provided")
        }
        payload["number"] = self.number
        encoded = json.dumps(payload, default=str, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(encoded.encode()).hexdigest()


@dataclass
class RowError:
    """A bad row, reported with where it is and skipped."""

    source: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}, ligne {self.line}" if self.line else self.source
        return f"{where} : {self.message}"


class RowWarning(RowError):
    """A row that is well formed but cannot be used (it names a fiche absent from the export)."""


class RegistryImportError(Exception):
    """The file cannot be read at all: the import stops and the database is left as it was."""
