"""Turning fiches and queries into search tokens, the same way for SQLite and PostgreSQL.

Words are stemmed with the French Snowball stemmer, then folded (accents and case away).
The stemmer needs the accents ("comptabilité" → comptabl, "comptabilite" → comptabilit),
and users often type without them: a document word is indexed under both stems when they
differ, and a query word matches either.
"""

import functools
import re

import snowballstemmer

from opencertif.core.text import fold, strip_accents

STOP_WORDS = frozenset(
    {
        *("a", "au", "aux", "avec", "ce", "ces", "cette", "d", "dans", "de", "des", "du"),
        *("en", "et", "l", "la", "le", "les", "leur", "leurs", "ou", "par", "pour", "qu"),
        *("que", "qui", "sa", "se", "ses", "son", "sur", "un", "une"),
    }
)
_WORDS = re.compile(r"[^\W_]+")
_stemmer = snowballstemmer.stemmer("french")


@functools.lru_cache(maxsize=100_000)
def word_stems(word: str) -> tuple[str, ...]:
    """The folded stems of one lower-case word: one, or two when accents change the stem."""
    if any(ch.isdigit() for ch in word):
        return (fold(word).replace(" ", ""),)
    with_accents = fold(_stemmer.stemWord(word)).replace(" ", "")
    folded = fold(word).replace(" ", "")
    without_accents = _stemmer.stemWord(folded)
    if with_accents == without_accents:
        return (with_accents,)
    return (with_accents, without_accents)


def words(text: str) -> list[str]:
    """Lower-case words, accents kept, stop words out."""
    return [
        word
        for word in _WORDS.findall((text or "").lower().replace("œ", "oe").replace("æ", "ae"))
        if strip_accents(word) not in STOP_WORDS
    ]


def stemmed_document(text: str) -> str:
    """The text as a space-separated list of stems, for the full-text index."""
    return " ".join(stem for word in words(text) for stem in word_stems(word))


def query_groups(text: str, limit: int = 12) -> list[tuple[str, ...]]:
    """One group of alternative stems per query word; every group must match."""
    groups: list[tuple[str, ...]] = []
    for word in words(text):
        stems = word_stems(word)
        if stems not in groups:
            groups.append(stems)
    return groups[:limit]
