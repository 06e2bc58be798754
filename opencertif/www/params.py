"""Numbers read from a query string or a URL: anything out of range is "absent", never a
database error (SQLite refuses integers beyond 64 bits; a 500 is not an answer)."""

from django.urls import register_converter

from opencertif.core.ids import is_id


def id_param(value) -> int | None:
    """A database id from a query-string value, or None when it is not one."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if is_id(number) else None


class IdConverter:
    """`<id:pk>` in URLs: at most 18 digits, so that it always fits a 64-bit key; a longer
    number matches no URL (404) instead of overflowing the database driver."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
