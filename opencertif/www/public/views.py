"""The public registry: search, fiche and certifier pages. No sign-in needed."""

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from opencertif.core.text import fold
from opencertif.organisations.models import Organisation
from opencertif.registry.enums import NSF_DOMAINS, ROME_FAMILIES, Level, Register, SortOrder
from opencertif.registry.importers.values import NUMBER_RE
from opencertif.registry.models import Block, Certification
from opencertif.registry.search import SearchParams
from opencertif.registry.search import search as run_search


@login_not_required
def search(request):
    params = SearchParams.from_query(request.GET)
    result = run_search(params)
    number = params.q.strip().upper().replace(" ", "")
    exact = None
    if NUMBER_RE.match(number):
        exact = Certification.objects.filter(number=number).only("number", "title").first()
    context = {
        "result": result,
        "params": params,
        "exact": exact,
        "registers": Register.choices,
        "levels": Level.choices,
        "nsf_domains": NSF_DOMAINS,
        "rome_families": ROME_FAMILIES,
        "sorts": SortOrder.choices,
        "page_links": _page_links(result),
        "query_string": urlencode(params.to_query()),
    }
    template = "public/_search_zone.html" if request.htmx else "public/search.html"
    return render(request, template, context)


def _page_links(result) -> list[dict]:
    """Pages around the current one, with shareable URLs."""
    if result.pages <= 1:
        return []
    wanted = {
        1,
        result.pages,
        *range(max(1, result.page - 2), min(result.pages, result.page + 2) + 1),
    }
    links, previous = [], 0
    base = reverse("public:search")
    for number in sorted(wanted):
        if number - previous > 1:
            links.append({"gap": True})
        links.append(
            {
                "number": number,
                "url": f"{base}?{urlencode(result.params.to_query(page=number))}",
                "current": number == result.page,
            }
        )
        previous = number
    return links


@login_not_required
def certification(request, number: str):
    normalised = number.strip().upper()
    if normalised != number:
        return redirect("public:certification", number=normalised, permanent=True)
    cert = get_object_or_404(
        Certification.objects.with_certifiers().prefetch_related(
            "blocks",
            "access_routes",
            "nsf_codes",
            "rome_codes",
            "formacodes",
            "version_links",
            "jo_publications",
            "promotion_stats",
            "collective_agreements",
        ),
        number=normalised,
    )
    links = list(cert.version_links.all())
    known = dict(
        Certification.objects.filter(number__in=[link.other_number for link in links]).values_list(
            "number", "title"
        )
    )
    versions = [
        {
            "kind": link.get_kind_display(),
            "number": link.other_number,
            "title": known.get(link.other_number),
        }
        for link in links
    ]
    partners = cert.partners.all()
    partner_page = Paginator(partners, 50).get_page(request.GET.get("partenaires"))
    return render(
        request,
        "public/certification.html",
        {
            "cert": cert,
            "versions": versions,
            "equivalent_blocks": _equivalent_blocks(
                cert, [v["number"] for v in versions if v["title"]]
            ),
            "partner_page": partner_page,
            "routes": cert.access_routes.all(),
        },
    )


def _equivalent_blocks(cert: Certification, other_numbers: list[str]) -> dict[int, list[Block]]:
    """Blocks of the old/new versions bearing the same label (folded), per block of this fiche."""
    if not other_numbers:
        return {}
    others: dict[str, list[Block]] = {}
    for block in Block.objects.filter(certification__number__in=other_numbers).select_related(
        "certification"
    ):
        others.setdefault(fold(block.label), []).append(block)
    return {
        block.pk: others[fold(block.label)]
        for block in cert.blocks.all()
        if fold(block.label) in others
    }


@login_not_required
def certifier(request, pk: int):
    organisation = get_object_or_404(Organisation, pk=pk)
    fiches = (
        Certification.objects.filter(certifier_links__organisation=organisation)
        .annotate(
            active_first=Case(
                When(is_active=True, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("active_first", "register", "title")
    )
    page = Paginator(fiches, 30).get_page(request.GET.get("page"))
    if not page.object_list and page.number == 1 and not organisation.certifier_links.exists():
        raise Http404("Cet organisme n'est certificateur d'aucune fiche.")
    return render(
        request,
        "public/certifier.html",
        {
            "organisation": organisation,
            "page": page,
            "active_count": fiches.filter(is_active=True).count(),
            "search_url": reverse("public:search")
            + "?"
            + urlencode({"certificateur": organisation.pk, "toutes": 1}),
        },
    )
