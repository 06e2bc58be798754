"""Text normalisation shared by search, identity matching and imports."""

import functools
import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—'’`´.,;:/\\_()\[\]{}\"«»!?+*&|<>=~#%@^]+")
_NON_ALNUM = re.compile(r"[^0-9A-Za-z ]+")
_SPACES = re.compile(r"\s+")


def strip_accents(value: str) -> str:
    """Remove diacritics (é → e, œ → oe, ß → ss) keeping the base letters."""
    value = value.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    value = value.replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(value: str) -> str:
    """Lower-case, accent-free, punctuation turned into single spaces."""
    value = strip_accents(value or "").lower()
    value = _SEPARATORS.sub(" ", value)
    value = _NON_ALNUM.sub(" ", value)
    return _SPACES.sub(" ", value).strip()


@functools.lru_cache(maxsize=100_000)
def identity_key(value: str) -> str:
    """Upper-case key for names: accents, hyphens, apostrophes and spaces folded away."""
    return fold(value).replace(" ", "").upper()


def clean_text(value: str | None) -> str:
    """Tidy a free text from an export: trim, collapse the doubled apostrophes of the source."""
    if not value:
        return ""
    return value.replace("''", "'").strip()
