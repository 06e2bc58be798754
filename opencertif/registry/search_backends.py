"""The full-text index, one implementation per database behind the same three functions.

- SQLite: an FTS5 table (`registry_fts`, rowid = certification id) holding French stems of
  folded text, ranked by bm25 with per-column weights.
- PostgreSQL: a weighted `tsvector` column on registry_searchentry with a GIN index, built
  with the `french` configuration over folded (accent-free) text, ranked by ts_rank.

`install` is called by the migration; `write` by the indexer; `match_sql` by the search
service, which adds its own columns to the same query.
"""

from collections.abc import Sequence

from django.db import connection, transaction

from opencertif.registry.search_text import query_groups, stemmed_document

# Column order of the documents given to write(): number, title, abbreviation, blocks,
# codes, certifiers.
COLUMNS = ("number", "title", "abbreviation", "blocks", "codes", "certifiers")
SQLITE_WEIGHTS = (10.0, 8.0, 6.0, 3.0, 2.0, 2.0)
PG_WEIGHTS = ("A", "A", "A", "B", "B", "C")


def vendor() -> str:
    return connection.vendor


def install(schema_editor) -> None:
    """Create the backend's full-text structure (called from a migration)."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS registry_fts USING fts5("
            + ", ".join(COLUMNS)
            + ", tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')"
        )
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE registry_searchentry ADD COLUMN IF NOT EXISTS vector tsvector"
        )
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS registry_searchentry_vector "
            "ON registry_searchentry USING gin (vector)"
        )


def uninstall(schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS registry_fts")


def write(documents: Sequence[tuple[int, Sequence[str]]]) -> None:
    """Replace the full-text rows of these certifications (id, six column texts)."""
    if not documents:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            ids = [(doc_id,) for doc_id, _ in documents]
            cursor.executemany("DELETE FROM registry_fts WHERE rowid = %s", ids)
            cursor.executemany(
                "INSERT INTO registry_fts (rowid, "
                + ", ".join(COLUMNS)
                + ") VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [
                    (doc_id, *(stemmed_document(text) for text in texts))
                    for doc_id, texts in documents
                ],
            )
        else:
            vector = " || ".join(
                f"setweight(to_tsvector('simple', %s), '{weight}')" for weight in PG_WEIGHTS
            )
            cursor.executemany(
                f"UPDATE registry_searchentry SET vector = {vector} WHERE certification_id = %s",
                [
                    (*(stemmed_document(text) for text in texts), doc_id)
                    for doc_id, texts in documents
                ],
            )


def delete(ids: Sequence[int]) -> None:
    if connection.vendor == "sqlite" and ids:
        with connection.cursor() as cursor:
            cursor.executemany("DELETE FROM registry_fts WHERE rowid = %s", [(i,) for i in ids])


def fetch_all(sql: str, args: list) -> list[tuple]:
    """Run a search query. On PostgreSQL the planner overrates the cost of GIN prefix scans
    and falls back to reading every tsvector (2 to 3 times slower): the scan is steered
    to the index for this one statement."""
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(sql, args)
            return cursor.fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return cursor.fetchall()


def clear() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM registry_fts")


def query_terms(text: str) -> list[tuple[str, ...]]:
    """The query as groups of alternative stems (empty when only stop words were typed)."""
    return query_groups(text)


def _prefix(stem: str) -> bool:
    """Words match as prefixes ("compta" finds "comptabilité"); numbers and codes
    ("RNCP3", "M1805") match whole, or "RNCP3" would find every RNCP3xxxx."""
    return not any(ch.isdigit() for ch in stem)


def _fts5_expression(terms: list[tuple[str, ...]]) -> str:
    return " AND ".join(
        "(" + " OR ".join(f'"{s}"*' if _prefix(s) else f'"{s}"' for s in group) + ")"
        for group in terms
    )


def _tsquery_expression(terms: list[tuple[str, ...]]) -> str:
    return " & ".join(
        "(" + " | ".join(f"{s}:*" if _prefix(s) else s for s in group) + ")" for group in terms
    )


def match_sql(terms: list[tuple[str, ...]], columns: str) -> tuple[str, list]:
    """SQL selecting `columns` of registry_searchentry `e` plus a `rank` (higher is better)
    for the fiches matching every term group (each stem as a prefix)."""
    if connection.vendor == "sqlite":
        weights = ", ".join(str(w) for w in SQLITE_WEIGHTS)
        sql = (
            f"SELECT {columns}, -bm25(registry_fts, {weights}) AS rank "
            "FROM registry_fts JOIN registry_searchentry e ON e.certification_id = "
            "registry_fts.rowid WHERE registry_fts MATCH %s"
        )
        return sql, [_fts5_expression(terms)]
    sql = (
        f"SELECT {columns}, ts_rank(e.vector, q) AS rank "
        "FROM registry_searchentry e, to_tsquery('simple', %s) q WHERE e.vector @@ q"
    )
    return sql, [_tsquery_expression(terms)]


def raw_sql(terms: list[tuple[str, ...]]) -> tuple[str, list]:
    """The bare full-text query, the benchmark's yardstick: every matching id with its rank,
    best first, and nothing else (no facets, no filters, no page)."""
    if connection.vendor == "sqlite":
        weights = ", ".join(str(w) for w in SQLITE_WEIGHTS)
        return (
            f"SELECT rowid, bm25(registry_fts, {weights}) AS rank FROM registry_fts "
            "WHERE registry_fts MATCH %s ORDER BY rank",
            [_fts5_expression(terms)],
        )
    return (
        "SELECT certification_id, ts_rank(vector, q) AS rank FROM registry_searchentry, "
        "to_tsquery('simple', %s) q WHERE vector @@ q ORDER BY rank DESC",
        [_tsquery_expression(terms)],
    )
