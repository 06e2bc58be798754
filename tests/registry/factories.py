"""Builds fiches through the same upsert as the importers, so the search index is real."""

import datetime
import itertools

from opencertif.registry.records import (
    CHILD_FIELDS,
    SCALAR_FIELDS,
    BlockRecord,
    CertifierRecord,
    FicheRecord,
)
from opencertif.registry.services import upsert_records

_numbers = itertools.count(1000)


def fiche(
    number: str | None = None,
    *,
    title: str = "Gestionnaire de paie",
    level: str = "5",
    active: bool = True,
    blocks: tuple[str, ...] = (),
    certifiers: tuple[tuple[str | None, str], ...] = (("11004301500012", "MINISTERE DU TRAVAIL"),),
    nsf: tuple[tuple[str, str], ...] = (),
    rome: tuple[tuple[str, str], ...] = (),
    decision: datetime.date = datetime.date(2022, 1, 1),
    abbreviation: str = "",
) -> FicheRecord:
    number = number or f"RNCP{next(_numbers)}"
    register = "rs" if number.startswith("RS") else "rncp"
    return FicheRecord(
        number=number,
        register=register,
        source="demo",
        provided=frozenset(SCALAR_FIELDS) | frozenset(CHILD_FIELDS),
        title=title,
        level="" if register == "rs" else level,
        is_active=active,
        abbreviation_code=abbreviation,
        decision_date=decision,
        registration_end_date=decision.replace(year=decision.year + 5),
        blocks=[
            BlockRecord(code=f"{number}BC{i:02d}", label=label) for i, label in enumerate(blocks, 1)
        ],
        certifiers=[CertifierRecord(siret=siret, name=name) for siret, name in certifiers],
        nsf=list(nsf),
        rome=list(rome),
    )


def create(*records: FicheRecord) -> None:
    upsert_records(records)
