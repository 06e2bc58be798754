"""Search over the registry: one full-text query, then filters, facets and sort in one pass.

The full-text match returns, for every matching fiche, its packed facets (SearchEntry);
filtering, facet counts and sorting are done in one pass over those tuples, and only the
page's entries are then loaded, so the cost stays close to the bare full-text query.
"""

import math
from dataclasses import dataclass, field, replace

from django.db import connection

from opencertif.core.ids import is_id
from opencertif.organisations.models import Organisation
from opencertif.registry import search_backends
from opencertif.registry.enums import NSF_DOMAINS, ROME_FAMILIES, Level, Register, SortOrder
from opencertif.registry.models import SearchCard, SearchEntry

PER_PAGE = 20
MAX_PER_PAGE = 100
LEVEL_ORDER = {"sans": 0, "": -1, **{str(n): n for n in range(1, 9)}}


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    register: str = ""
    level: str = ""
    nsf: str = ""
    rome: str = ""
    certifier: int | None = None
    active_only: bool = True
    sort: str = SortOrder.RELEVANCE
    page: int = 1
    per_page: int = PER_PAGE

    @classmethod
    def from_query(cls, data) -> "SearchParams":
        """Read a query string leniently: an unknown value is ignored, never an error page."""

        def get(name: str) -> str:
            return str(data.get(name) or "").strip()

        register = get("repertoire").lower()
        level = get("niveau").lower()
        nsf = get("nsf")
        rome = get("rome").upper()
        sort = get("tri") or SortOrder.RELEVANCE
        try:
            certifier = int(get("certificateur")) if get("certificateur") else None
        except ValueError:
            certifier = None
        try:
            page = max(1, int(get("page") or 1))
        except ValueError:
            page = 1
        return cls(
            q=get("q")[:200],
            register=register if register in Register.values else "",
            level=level if level in Level.values else "",
            nsf=nsf if nsf in NSF_DOMAINS else "",
            rome=rome if _valid_rome(rome) else "",
            certifier=certifier,
            active_only=get("toutes") not in ("1", "on", "oui"),
            sort=sort if sort in SortOrder.values else SortOrder.RELEVANCE,
            page=page,
        )

    def to_query(self, **changes) -> dict:
        """The query-string form, for shareable URLs (defaults omitted)."""
        params = replace(self, **changes)
        query = {
            "q": params.q,
            "repertoire": params.register,
            "niveau": params.level,
            "nsf": params.nsf,
            "rome": params.rome,
            "certificateur": params.certifier or "",
            "toutes": "" if params.active_only else "1",
            "tri": "" if params.sort == SortOrder.RELEVANCE else params.sort,
            "page": "" if params.page == 1 else params.page,
        }
        return {key: value for key, value in query.items() if value not in ("", None)}


def _valid_rome(value: str) -> bool:
    if len(value) == 1:
        return value in ROME_FAMILIES
    return len(value) == 5 and value[0].isalpha() and value[1:].isdigit()


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchResult:
    params: SearchParams
    total: int
    page: int
    pages: int
    items: list[SearchCard]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    terms: list = field(default_factory=list)

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.params.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.params.per_page)


# Read for every matching fiche: the id, the packed facets, a sort key when the sort needs one.
_SORT_COLUMNS = {
    SortOrder.TITLE: "e.title_key",
    SortOrder.RECENT: "e.decision_key",
    SortOrder.NUMBER: "e.number_key",
    SortOrder.LEVEL: "e.title_key",
    SortOrder.RELEVANCE: "0",
}
ID, FACETS, SORT, RANK = range(4)
REGISTER, LEVEL, ACTIVE, NSF, ROME, FAMILIES, CERTIFIERS = range(7)


def _fetch(terms: list, sort: str, *, active_only: bool = False) -> list[tuple]:
    columns = f"e.certification_id, e.facets, {_SORT_COLUMNS[sort]}"
    if terms:
        sql, args = search_backends.match_sql(terms, columns)
        return search_backends.fetch_all(sql, args)
    where = " WHERE e.is_active" if active_only else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}, 0 AS rank FROM registry_searchentry e{where}")
        return cursor.fetchall()


def _sort_key(sort: str):
    """Sort keys over (id, facets, sort column, rank, facet values)."""
    if sort == SortOrder.TITLE:
        return lambda hit: (hit[0][SORT], hit[0][ID])
    if sort == SortOrder.NUMBER:
        return lambda hit: (hit[1][REGISTER], hit[0][SORT])
    if sort == SortOrder.RECENT:
        return lambda hit: (-hit[0][SORT], hit[0][ID])
    if sort == SortOrder.LEVEL:
        return lambda hit: (-LEVEL_ORDER.get(hit[1][LEVEL], -1), hit[0][SORT])
    return lambda hit: (-hit[0][RANK], hit[0][ID])


def search(params: SearchParams) -> SearchResult:
    """Run a registry search: the requested page of matching fiches, with facet counts.

    Each facet is counted over the fiches that pass every *other* filter, so that the
    user sees how many results each alternative value would give.
    """
    terms = search_backends.query_terms(params.q)

    want_register, want_level, want_nsf = params.register, params.level, params.nsf
    want_rome = params.rome if len(params.rome) == 5 else ""
    want_family = params.rome if len(params.rome) == 1 else ""
    want_certifier = str(params.certifier) if params.certifier else ""
    active_only = params.active_only

    registers: dict[str, int] = {}
    levels: dict[str, int] = {}
    domains: dict[str, int] = {}
    families: dict[str, int] = {}
    certifiers: dict[str, int] = {}
    matched = []
    active_count = all_count = 0
    only_active_filter = active_only and not (
        want_register or want_level or want_nsf or want_rome or want_family or want_certifier
    )
    if only_active_filter and not terms:
        # Browsing the whole registry: let the database drop the inactive fiches.
        rows = _fetch(terms, params.sort, active_only=True)
        all_count = SearchEntry.objects.count() - len(rows)
    else:
        rows = _fetch(terms, params.sort)
    for row in rows:
        if only_active_filter and row[FACETS].split("|", 3)[ACTIVE] != "1":
            # Fails the one filter there is: it only counts towards "all fiches".
            all_count += 1
            continue
        values = row[FACETS].split("|")
        failed = None
        failures = 0
        if want_register and values[REGISTER] != want_register:
            failures, failed = failures + 1, "register"
        if want_level and values[LEVEL] != want_level:
            failures, failed = failures + 1, "level"
        if want_nsf and want_nsf not in values[NSF].split():
            failures, failed = failures + 1, "nsf"
        if (want_family and want_family not in values[FAMILIES]) or (
            want_rome and want_rome not in values[ROME].split()
        ):
            failures, failed = failures + 1, "rome"
        if want_certifier and want_certifier not in values[CERTIFIERS].split():
            failures, failed = failures + 1, "certifier"
        is_active = values[ACTIVE] == "1"
        if active_only and not is_active:
            failures, failed = failures + 1, "active"
        if failures > 1:
            continue
        if failures == 0:
            matched.append((row, values))
        if failed is None or failed == "register":
            registers[values[REGISTER]] = registers.get(values[REGISTER], 0) + 1
        if failed is None or failed == "level":
            levels[values[LEVEL]] = levels.get(values[LEVEL], 0) + 1
        if failed is None or failed == "nsf":
            for domain in values[NSF].split():
                domains[domain] = domains.get(domain, 0) + 1
        if failed is None or failed == "rome":
            for family in values[FAMILIES]:
                families[family] = families.get(family, 0) + 1
        if failed is None or failed == "certifier":
            for certifier in values[CERTIFIERS].split():
                certifiers[certifier] = certifiers.get(certifier, 0) + 1
        if failed is None or failed == "active":
            all_count += 1
            if is_active:
                active_count += 1

    matched.sort(key=_sort_key(params.sort))
    per_page = min(max(1, params.per_page), MAX_PER_PAGE)
    pages = max(1, math.ceil(len(matched) / per_page))
    page = min(params.page, pages)
    page_ids = [row[ID] for row, _ in matched[(page - 1) * per_page : page * per_page]]
    by_id = SearchCard.objects.filter(pk__in=page_ids).in_bulk()
    counters = {
        "register": registers,
        "level": levels,
        "nsf": domains,
        "rome": families,
        "certifier": certifiers,
        "active": {"active": active_count, "all": all_count},
    }
    return SearchResult(
        params=params,
        total=len(matched),
        page=page,
        pages=pages,
        items=[by_id[pk] for pk in page_ids if pk in by_id],
        facets=_facets(params, counters),
        terms=terms,
    )


def _facets(params: SearchParams, counters: dict[str, dict]) -> dict:
    def count(name: str, value: str) -> int:
        return counters[name].get(value, 0)

    facets = {
        "register": [
            FacetValue(value, label, count("register", value), params.register == value)
            for value, label in Register.choices
        ],
        "level": [
            FacetValue(value, label, count("level", value), params.level == value)
            for value, label in Level.choices
            if count("level", value) or params.level == value
        ],
        "nsf": [
            FacetValue(code, f"{code} – {label}", count("nsf", code), params.nsf == code)
            for code, label in NSF_DOMAINS.items()
            if count("nsf", code) or params.nsf == code
        ],
        "rome": [
            FacetValue(letter, f"{letter} – {label}", count("rome", letter), params.rome == letter)
            for letter, label in ROME_FAMILIES.items()
            if count("rome", letter) or params.rome == letter
        ],
        "active": [
            FacetValue(
                "active", "Actives seulement", count("active", "active"), params.active_only
            ),
            FacetValue(
                "all", "Actives et inactives", count("active", "all"), not params.active_only
            ),
        ],
    }
    top = sorted(counters["certifier"].items(), key=lambda item: (-item[1], item[0]))[:10]
    wanted = {int(pk) for pk, _ in top}
    if params.certifier and is_id(params.certifier):
        wanted.add(params.certifier)
    names = dict(Organisation.objects.filter(pk__in=wanted).values_list("pk", "name"))
    values = [
        FacetValue(pk, names.get(int(pk), pk), n, str(params.certifier) == pk) for pk, n in top
    ]
    if params.certifier and not any(value.selected for value in values):
        values.insert(
            0,
            FacetValue(
                str(params.certifier),
                names.get(params.certifier, "Organisme inconnu"),
                count("certifier", str(params.certifier)),
                True,
            ),
        )
    facets["certifier"] = values
    return facets
