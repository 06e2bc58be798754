import re

from django import template
from django.utils.html import format_html_join
from django.utils.http import urlencode

register = template.Library()

# The export flattens line breaks into runs of spaces; they mark the paragraphs.
_BREAKS = re.compile(r"\s{3,}|\n+")


@register.filter
def paragraphs(value: str):
    """Render an export text as paragraphs, one per flattened line break."""
    parts = [part.strip() for part in _BREAKS.split(value or "") if part.strip()]
    return format_html_join("\n", '<p class="fr-mb-1w">{}</p>', ((part,) for part in parts))


@register.filter
def thousands(value) -> str:
    """12345 → '12 345' (French grouping with a narrow no-break space)."""
    try:
        return f"{int(value):,}".replace(",", "\u202f")
    except (TypeError, ValueError):
        return value


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current search's query string with some parameters changed."""
    params = context["params"]
    return urlencode(params.to_query(**changes))


@register.filter
def get_item(mapping, key):
    """dict lookup by a variable key in templates."""
    if not mapping:
        return None
    return mapping.get(key)
