"""Registry import: records from any source upserted by fiche number, in batches."""

import datetime
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from opencertif.organisations.models import Organisation
from opencertif.registry import search_index
from opencertif.registry.importers.csv_export import CsvExport
from opencertif.registry.importers.sources import collect
from opencertif.registry.importers.xml_export import XmlExport
from opencertif.registry.models import (
    AccessRouteInfo,
    Block,
    Certification,
    CertificationLink,
    CertifierLink,
    CollectiveAgreement,
    Formacode,
    JoPublication,
    NsfCode,
    Partner,
    PromotionStat,
    RomeCode,
)
from opencertif.registry.records import (
    SCALAR_FIELDS,
    FicheRecord,
    RegistryImportError,
    RowError,
    RowWarning,
)

BATCH = 250
MAX_REPORTED_ERRORS = 1000


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    vanished: int = 0
    reappeared: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    warning_count: int = 0
    warnings: list[RowError] = field(default_factory=list)
    ignored_tags: Counter = field(default_factory=Counter)
    registers: set = field(default_factory=set)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.vanished)

    def add_error(self, error: RowError) -> None:
        if isinstance(error, RowWarning):
            self.warning_count += 1
            if len(self.warnings) < MAX_REPORTED_ERRORS:
                self.warnings.append(error)
            return
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)


ProgressCallback = Callable[[int, int, int], None]


def import_registry(
    *,
    paths: list[Path],
    partial: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import the official export (CSV zip or folder, XML files or zips) in one transaction.

    Fiches are upserted by number; re-importing the same files changes nothing. Unless
    `partial`, fiches of the imported registers that are absent from the files are kept
    but marked `missing_since`. Bad rows are reported and skipped; an unreadable file
    raises RegistryImportError and leaves the database as it was.
    """
    sources = collect(paths)
    readers: list = [CsvExport(files) for files in sources.csv_sets]
    readers.extend(XmlExport(source) for source in sources.xml_files)
    total_bytes = sum(reader.total_bytes for reader in readers) or 1

    report = ImportReport()
    today = timezone.localdate()
    seen: set[str] = set()
    touched: set[int] = set()
    done_before = 0

    def tick(reader) -> None:
        if progress:
            progress(done_before + reader.bytes_read, total_bytes, len(seen))

    try:
        with transaction.atomic():
            for reader in readers:
                batch: dict[str, FicheRecord] = {}
                for item in reader.records():
                    if isinstance(item, RowError):
                        report.add_error(item)
                        continue
                    if item.number in batch:
                        _upsert(list(batch.values()), report, touched, today)
                        batch.clear()
                    batch[item.number] = item
                    seen.add(item.number)
                    report.registers.add(item.register)
                    if len(batch) >= BATCH:
                        _upsert(list(batch.values()), report, touched, today)
                        batch.clear()
                        tick(reader)
                _upsert(list(batch.values()), report, touched, today)
                done_before += reader.total_bytes
                tick(reader)
                report.ignored_tags.update(getattr(reader, "ignored_tags", {}))
            if not partial and seen:
                _mark_vanished(report, seen, touched, today)
            search_index.refresh(touched)
    except zipfile.BadZipFile as exc:
        raise RegistryImportError(f"Archive zip corrompue : {exc}") from exc
    return report


def upsert_records(records: Iterable[FicheRecord]) -> ImportReport:
    """Upsert records produced by code (demo data, tests) and refresh their index."""
    report = ImportReport()
    touched: set[int] = set()
    today = timezone.localdate()
    with transaction.atomic():
        batch: list[FicheRecord] = []
        for record in records:
            batch.append(record)
            if len(batch) >= BATCH:
                _upsert(batch, report, touched, today)
                batch = []
        _upsert(batch, report, touched, today)
        search_index.refresh(touched)
    return report


def _mark_vanished(report: ImportReport, seen: set[str], touched: set[int], today) -> None:
    # Only fiches that came from an official export can vanish from it (not demo data).
    candidates = Certification.objects.filter(
        register__in=report.registers, missing_since__isnull=True, origin__in=("csv", "xml")
    ).values_list("pk", "number")
    gone = [pk for pk, number in candidates.iterator(chunk_size=5000) if number not in seen]
    for start in range(0, len(gone), 500):
        Certification.objects.filter(pk__in=gone[start : start + 500]).update(missing_since=today)
    report.vanished = len(gone)
    touched.update(gone)


def _digest_fields(source: str) -> tuple[str, str]:
    return ("csv_digest", "xml_digest") if source == "csv" else ("xml_digest", "csv_digest")


def _upsert(
    records: list[FicheRecord], report: ImportReport, touched: set[int], today: datetime.date
) -> None:
    if not records:
        return
    existing = {
        cert.number: cert
        for cert in Certification.objects.filter(number__in=[r.number for r in records]).only(
            "pk", "number", "register", "csv_digest", "xml_digest", "missing_since"
        )
    }
    to_create: list[tuple[FicheRecord, Certification]] = []
    to_update: list[tuple[FicheRecord, Certification]] = []
    for record in records:
        digest = record.digest()
        own, other = _digest_fields(record.source)
        cert = existing.get(record.number)
        if cert is not None and getattr(cert, own) == digest:
            if cert.missing_since is None:
                report.unchanged += 1
                continue
            Certification.objects.filter(pk=cert.pk).update(missing_since=None)
            report.reappeared += 1
            report.updated += 1
            touched.add(cert.pk)
            continue
        if cert is None:
            cert = Certification(number=record.number, register=record.register)
            to_create.append((record, cert))
        else:
            if cert.missing_since is not None:
                report.reappeared += 1
            to_update.append((record, cert))
        for name in SCALAR_FIELDS:
            if name in record.provided:
                setattr(cert, name, getattr(record, name))
        setattr(cert, own, digest)
        setattr(cert, other, "")
        cert.origin = record.source
        cert.missing_since = None

    if to_create:
        Certification.objects.bulk_create([cert for _, cert in to_create])
        report.created += len(to_create)
    for record, cert in to_update:
        fields = [n for n in SCALAR_FIELDS if n in record.provided]
        fields += ["csv_digest", "xml_digest", "origin", "missing_since", "register", "updated_at"]
        cert.updated_at = timezone.now()
        cert.save(update_fields=fields)
    report.updated += len(to_update)

    pairs = to_create + to_update
    touched.update(cert.pk for _, cert in pairs)
    _replace_children(pairs)


def _replace_children(pairs: list[tuple[FicheRecord, Certification]]) -> None:
    by_kind: dict[str, list[tuple[FicheRecord, Certification]]] = {}
    for record, cert in pairs:
        for kind in record.provided:
            by_kind.setdefault(kind, []).append((record, cert))

    def ids(kind: str) -> list[int]:
        return [cert.pk for _, cert in by_kind.get(kind, [])]

    if "blocks" in by_kind:
        kept: dict[tuple[int, str], tuple[str, str]] = {}
        without_details = [c.pk for r, c in by_kind["blocks"] if "block_details" not in r.provided]
        if without_details:
            for cert_id, code, competences, evaluation in Block.objects.filter(
                certification_id__in=without_details
            ).values_list("certification_id", "code", "competences", "evaluation"):
                kept[(cert_id, code)] = (competences, evaluation)
        Block.objects.filter(certification_id__in=ids("blocks")).delete()
        blocks = []
        for record, cert in by_kind["blocks"]:
            codes_seen = set()
            for position, block in enumerate(record.blocks):
                if block.code in codes_seen:
                    continue
                codes_seen.add(block.code)
                competences, evaluation = block.competences, block.evaluation
                if "block_details" not in record.provided:
                    competences, evaluation = kept.get((cert.pk, block.code), ("", ""))
                blocks.append(
                    Block(
                        certification_id=cert.pk,
                        code=block.code,
                        label=block.label,
                        competences=competences,
                        evaluation=evaluation,
                        position=position,
                    )
                )
        Block.objects.bulk_create(blocks)

    if "certifiers" in by_kind:
        organisations = _resolve_organisations(
            [c for record, _ in by_kind["certifiers"] for c in record.certifiers]
        )
        CertifierLink.objects.filter(certification_id__in=ids("certifiers")).delete()
        links = []
        for record, cert in by_kind["certifiers"]:
            linked = set()
            for position, certifier in enumerate(record.certifiers):
                org_id = organisations[_org_key(certifier.siret, certifier.name)]
                if org_id in linked:
                    continue
                linked.add(org_id)
                links.append(
                    CertifierLink(
                        certification_id=cert.pk,
                        organisation_id=org_id,
                        state=certifier.state,
                        position=position,
                    )
                )
        CertifierLink.objects.bulk_create(links)

    simple_children = (
        (
            "partners",
            Partner,
            lambda cert, record: [
                Partner(certification_id=cert.pk, position=i, **vars(p))
                for i, p in enumerate(record.partners)
            ],
        ),
        (
            "routes",
            AccessRouteInfo,
            lambda cert, record: [
                AccessRouteInfo(certification_id=cert.pk, **vars(r))
                for r in {r.route: r for r in record.routes}.values()
            ],
        ),
        (
            "links",
            CertificationLink,
            lambda cert, record: [
                CertificationLink(certification_id=cert.pk, kind=kind, other_number=number)
                for kind, number in dict.fromkeys(record.links)
                if number != record.number
            ],
        ),
        (
            "jo_publications",
            JoPublication,
            lambda cert, record: [
                JoPublication(certification_id=cert.pk, published_on=day, label=label)
                for day, label in dict.fromkeys(record.jo_publications)
            ],
        ),
        (
            "stats",
            PromotionStat,
            lambda cert, record: [
                PromotionStat(certification_id=cert.pk, **vars(s))
                for s in {s.year: s for s in record.stats}.values()
            ],
        ),
        (
            "agreements",
            CollectiveAgreement,
            lambda cert, record: [
                CollectiveAgreement(certification_id=cert.pk, number=number, label=label)
                for number, label in dict.fromkeys(record.agreements)
            ],
        ),
    )
    for kind, model, build in simple_children:
        if kind not in by_kind:
            continue
        model.objects.filter(certification_id__in=ids(kind)).delete()
        rows = [row for record, cert in by_kind[kind] for row in build(cert, record)]
        model.objects.bulk_create(rows)

    for kind, model, relation in (
        ("nsf", NsfCode, Certification.nsf_codes),
        ("rome", RomeCode, Certification.rome_codes),
        ("formacodes", Formacode, Certification.formacodes),
    ):
        if kind not in by_kind:
            continue
        codes: dict[str, str] = {}
        for record, _ in by_kind[kind]:
            for code, label in getattr(record, kind):
                if label or code not in codes:
                    codes[code] = label
        _upsert_codes(model, codes)
        through = relation.through
        target = relation.field.m2m_reverse_field_name()
        through.objects.filter(certification_id__in=ids(kind)).delete()
        through.objects.bulk_create(
            [
                through(certification_id=cert.pk, **{f"{target}_id": code})
                for record, cert in by_kind[kind]
                for code in dict.fromkeys(code for code, _ in getattr(record, kind))
            ]
        )


def _upsert_codes(model, codes: dict[str, str]) -> None:
    existing = dict(model.objects.filter(code__in=list(codes)).values_list("code", "label"))
    model.objects.bulk_create(
        [
            model(code=code, label=label[:255])
            for code, label in codes.items()
            if code not in existing
        ]
    )
    changed = [
        model(code=code, label=label[:255])
        for code, label in codes.items()
        if code in existing and label and existing[code] != label[:255]
    ]
    if changed:
        model.objects.bulk_update(changed, ["label"])


def _org_key(siret: str | None, name: str) -> str:
    return f"siret:{siret}" if siret else f"name:{Organisation.key_for(name)}"


def _resolve_organisations(certifiers) -> dict[str, int]:
    """Find or create the Organisation of each certifier: by SIRET, else by folded name."""
    resolved: dict[str, int] = {}
    sirets = {c.siret: c.name for c in certifiers if c.siret}
    for pk, siret in Organisation.objects.filter(siret__in=list(sirets)).values_list("pk", "siret"):
        resolved[f"siret:{siret}"] = pk
    new = [
        Organisation(siret=siret, name=name[:255], name_key=Organisation.key_for(name))
        for siret, name in sirets.items()
        if f"siret:{siret}" not in resolved
    ]
    names = {Organisation.key_for(c.name): c.name for c in certifiers if not c.siret}
    for pk, key in (
        Organisation.objects.filter(siret__isnull=True, name_key__in=list(names))
        .order_by("pk")
        .values_list("pk", "name_key")
    ):
        resolved.setdefault(f"name:{key}", pk)
    new += [
        Organisation(siret=None, name=name[:255], name_key=key)
        for key, name in names.items()
        if f"name:{key}" not in resolved
    ]
    for org in Organisation.objects.bulk_create(new):
        resolved[_org_key(org.siret, org.name)] = org.pk
    return resolved
