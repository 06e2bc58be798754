"""Row ids read from outside (URLs, query strings, JSON): a number no bigint column can hold
names nothing, and must not reach SQL (SQLite raises beyond 64 bits, PostgreSQL refuses the
comparison)."""

MAX_ID = 2**63 - 1  # the largest value of a signed 64-bit primary key


def is_id(value) -> bool:
    """Could a database row carry this id?"""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID
