"""Keeps the search tables (SearchEntry, SearchCard, full-text index) in step with the fiches."""

from collections.abc import Iterable

from django.db import transaction

from opencertif.core.text import fold
from opencertif.organisations.models import Organisation
from opencertif.registry import search_backends
from opencertif.registry.models import (
    Block,
    Certification,
    CertifierLink,
    SearchCard,
    SearchEntry,
)

CHUNK = 500


def _number_key(number: str) -> int:
    digits = "".join(ch for ch in number if ch.isdigit())
    return int(digits) if digits else 0


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


@transaction.atomic
def refresh(ids: Iterable[int] | None = None) -> int:
    """Rebuild the index of these certifications (all of them when `ids` is None)."""
    if ids is None:
        id_list = list(Certification.objects.order_by("pk").values_list("pk", flat=True))
        SearchEntry.objects.all().delete()
        SearchCard.objects.all().delete()
        search_backends.clear()
    else:
        id_list = sorted(set(ids))
    for chunk in _chunks(id_list):
        _refresh_chunk(chunk)
    return len(id_list)


def _refresh_chunk(ids: list[int]) -> None:
    certifications = list(
        Certification.objects.filter(pk__in=ids)
        .only(
            "pk",
            "number",
            "register",
            "title",
            "abbreviation_code",
            "abbreviation_label",
            "level",
            "is_active",
            "decision_date",
            "registration_end_date",
        )
        .prefetch_related("nsf_codes", "rome_codes", "formacodes")
    )
    blocks: dict[int, list[str]] = {}
    for cert_id, code, label in Block.objects.filter(certification_id__in=ids).values_list(
        "certification_id", "code", "label"
    ):
        blocks.setdefault(cert_id, []).append(f"{code} {label}")
    certifiers: dict[int, list[tuple[int, Organisation]]] = {}
    for link in (
        CertifierLink.objects.filter(certification_id__in=ids)
        .select_related("organisation")
        .only("certification_id", "organisation__name", "organisation__commercial_name")
        .order_by("position")
    ):
        certifiers.setdefault(link.certification_id, []).append(
            (link.organisation_id, link.organisation)
        )

    entries = []
    cards = []
    documents = []
    for cert in certifications:
        nsf = list(cert.nsf_codes.all())
        rome = list(cert.rome_codes.all())
        formacodes = list(cert.formacodes.all())
        orgs = certifiers.get(cert.pk, [])
        facets = "|".join(
            (
                cert.register,
                cert.level,
                "1" if cert.is_active else "0",
                " ".join(sorted({code.domain for code in nsf})),
                " ".join(code.code for code in rome),
                "".join(sorted({code.family for code in rome})),
                " ".join(str(org_id) for org_id, _ in orgs),
            )
        )
        entries.append(
            SearchEntry(
                certification_id=cert.pk,
                facets=facets,
                is_active=cert.is_active,
                title_key=fold(cert.title)[:32],
                number_key=_number_key(cert.number),
                decision_key=cert.decision_date.toordinal() if cert.decision_date else 0,
            )
        )
        cards.append(
            SearchCard(
                certification_id=cert.pk,
                number=cert.number,
                title=cert.title,
                register=cert.register,
                level=cert.level,
                is_active=cert.is_active,
                registration_end_date=cert.registration_end_date,
                certifiers_label=", ".join(org.display_name for _, org in orgs),
            )
        )
        digits = cert.number.lstrip("RNCPS")
        codes = " ".join(f"{code.code} {code.label}" for code in (*nsf, *rome, *formacodes))
        documents.append(
            (
                cert.pk,
                (
                    f"{cert.number} {digits}",
                    cert.title,
                    f"{cert.abbreviation_code} {cert.abbreviation_label}",
                    " ".join(blocks.get(cert.pk, [])),
                    codes,
                    " ".join(f"{org.name} {org.commercial_name}" for _, org in orgs),
                ),
            )
        )
    found = {cert.pk for cert in certifications}
    SearchEntry.objects.filter(pk__in=ids).delete()
    SearchEntry.objects.bulk_create(entries)
    SearchCard.objects.filter(pk__in=ids).delete()
    SearchCard.objects.bulk_create(cards)
    search_backends.delete([i for i in ids if i not in found])
    search_backends.write(documents)
