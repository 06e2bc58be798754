"""Registry endpoints: search and read fiches. Public, read-only."""

from datetime import date
from enum import Enum

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from opencertif.api.auth import PUBLIC
from opencertif.registry.enums import NSF_DOMAINS, Level, Register, SortOrder
from opencertif.registry.models import Certification, CertifierLink
from opencertif.registry.search import MAX_PER_PAGE, SearchParams, search

# The registry is public open data: readable by anyone, on purpose.
router = Router(tags=["Répertoire"], auth=PUBLIC)

RegisterEnum = Enum("RegisterEnum", {v.upper(): v for v in Register.values}, type=str)
LevelEnum = Enum(
    "LevelEnum", {f"L{v}" if v.isdigit() else v.upper(): v for v in Level.values}, type=str
)
SortEnum = Enum("SortEnum", {v.upper(): v for v in SortOrder.values}, type=str)
NsfEnum = Enum("NsfEnum", {f"D{v}": v for v in NSF_DOMAINS}, type=str)


class CertifierOut(Schema):
    id: int
    name: str
    commercial_name: str
    siret: str | None
    state: str


class CertificationSummary(Schema):
    number: str
    register_: str = Field(alias="register", description="rncp ou rs")
    title: str
    level: str = Field(description="niveau européen 1–8, « sans » ou vide pour le RS")
    is_active: bool
    registration_end_date: date | None
    certifiers: list[CertifierOut]
    url: str


class FacetOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class SearchOut(Schema):
    count: int
    page: int
    pages: int
    per_page: int
    results: list[CertificationSummary]
    facets: dict[str, list[FacetOut]]


class SearchFilters(Schema):
    q: str = Field("", max_length=200, description="mots-clés (accents ignorés)")
    register_: RegisterEnum | None = Field(None, alias="register", description="rncp ou rs")
    level: LevelEnum | None = None
    nsf: NsfEnum | None = Field(None, description="domaine NSF à deux chiffres")
    rome: str | None = Field(
        None,
        pattern=r"^[A-Na-n](\d{4})?$",
        description="code ROME (M1203) ou famille de métiers (M)",
    )
    certifier: int | None = Field(None, description="identifiant de l'organisme certificateur")
    active_only: bool = True
    sort: SortEnum = SortEnum.PERTINENCE
    page: int = Field(1, ge=1)
    per_page: int = Field(20, ge=1, le=MAX_PER_PAGE)


def _certifier(link: CertifierLink) -> dict:
    return {
        "id": link.organisation.pk,
        "name": link.organisation.name,
        "commercial_name": link.organisation.commercial_name,
        "siret": link.organisation.siret,
        "state": link.state,
    }


def _summary(request, cert: Certification) -> dict:
    return {
        "number": cert.number,
        "register": cert.register,
        "title": cert.title,
        "level": cert.level,
        "is_active": cert.is_active,
        "registration_end_date": cert.registration_end_date,
        "certifiers": [_certifier(link) for link in cert.certifier_links.all()],
        "url": request.build_absolute_uri(cert.get_absolute_url()),
    }


@router.get(
    "/certifications", response=SearchOut, by_alias=True, summary="Rechercher des certifications"
)
def list_certifications(request, filters: Query[SearchFilters]):
    """Same search as the /repertoire/ page: keywords, filters, facets, sort, pagination."""
    params = SearchParams(
        q=filters.q,
        register=filters.register_.value if filters.register_ else "",
        level=filters.level.value if filters.level else "",
        nsf=filters.nsf.value if filters.nsf else "",
        rome=(filters.rome or "").upper(),
        certifier=filters.certifier,
        active_only=filters.active_only,
        sort=filters.sort.value,
        page=filters.page,
        per_page=filters.per_page,
    )
    result = search(params)
    certifiers: dict[int, list[dict]] = {}
    for link in CertifierLink.objects.filter(
        certification_id__in=[entry.pk for entry in result.items]
    ).select_related("organisation"):
        certifiers.setdefault(link.certification_id, []).append(_certifier(link))
    return {
        "count": result.total,
        "page": result.page,
        "pages": result.pages,
        "per_page": params.per_page,
        "results": [
            {
                "number": entry.number,
                "register": entry.register,
                "title": entry.title,
                "level": entry.level,
                "is_active": entry.is_active,
                "registration_end_date": entry.registration_end_date,
                "certifiers": certifiers.get(entry.pk, []),
                "url": request.build_absolute_uri(entry.get_absolute_url()),
            }
            for entry in result.items
        ],
        "facets": {
            name: [vars(value) for value in values] for name, values in result.facets.items()
        },
    }


class BlockOut(Schema):
    code: str
    label: str
    competences: str
    evaluation: str


class CodeOut(Schema):
    code: str
    label: str


class RouteOut(Schema):
    route: str
    label: str
    is_open: bool
    jury_composition: str


class PartnerOut(Schema):
    siret: str
    name: str
    habilitation: str
    state: str


class LinkOut(Schema):
    kind: str
    number: str


class StatOut(Schema):
    year: int
    certified: int | None
    certified_vae: int | None
    insertion_rate_6m: int | None
    insertion_rate_2y: int | None


class CertificationDetail(CertificationSummary):
    abbreviation_code: str
    abbreviation_label: str
    state: str
    registration_type: str
    decision_date: date | None
    effect_date: date | None
    last_jo_date: date | None
    delivery_limit_date: date | None
    registration_duration: int | None
    activities: str
    abilities: str
    sectors: str
    jobs: str
    objectives: str
    regulations: str
    prerequisites: str
    partial_validation: bool | None
    missing_since: date | None
    blocks: list[BlockOut]
    nsf: list[CodeOut]
    rome: list[CodeOut]
    formacodes: list[CodeOut]
    access_routes: list[RouteOut]
    partners: list[PartnerOut]
    versions: list[LinkOut]
    promotion_stats: list[StatOut]
    jo_publications: list[date]


@router.get(
    "/certifications/{number}",
    response={200: CertificationDetail, 404: dict},
    by_alias=True,
    summary="Lire une fiche",
)
def get_certification(request, number: str):
    """A whole fiche by its number (RNCP34762, RS6604)."""
    cert = get_object_or_404(
        Certification.objects.with_certifiers().prefetch_related(
            "blocks",
            "nsf_codes",
            "rome_codes",
            "formacodes",
            "access_routes",
            "partners",
            "version_links",
            "promotion_stats",
            "jo_publications",
        ),
        number=number.strip().upper(),
    )
    data = _summary(request, cert)
    data.update(
        {
            name: getattr(cert, name)
            for name in (
                "abbreviation_code",
                "abbreviation_label",
                "state",
                "registration_type",
                "decision_date",
                "effect_date",
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
                "partial_validation",
                "missing_since",
            )
        }
    )
    data["blocks"] = [
        vars_of(b, "code", "label", "competences", "evaluation") for b in cert.blocks.all()
    ]
    data["nsf"] = [vars_of(c, "code", "label") for c in cert.nsf_codes.all()]
    data["rome"] = [vars_of(c, "code", "label") for c in cert.rome_codes.all()]
    data["formacodes"] = [vars_of(c, "code", "label") for c in cert.formacodes.all()]
    data["access_routes"] = [
        {**vars_of(r, "route", "is_open", "jury_composition"), "label": r.get_route_display()}
        for r in cert.access_routes.all()
    ]
    data["partners"] = [
        vars_of(p, "siret", "name", "habilitation", "state") for p in cert.partners.all()
    ]
    data["versions"] = [
        {"kind": link.kind, "number": link.other_number} for link in cert.version_links.all()
    ]
    data["promotion_stats"] = [
        vars_of(s, "year", "certified", "certified_vae", "insertion_rate_6m", "insertion_rate_2y")
        for s in cert.promotion_stats.all()
    ]
    data["jo_publications"] = [p.published_on for p in cert.jo_publications.all()]
    return data


def vars_of(obj, *names: str) -> dict:
    return {name: getattr(obj, name) for name in names}
