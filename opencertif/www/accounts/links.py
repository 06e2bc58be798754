"""Addresses the web layer hands out: links in mails, and where `next` may lead."""

from django.utils.http import url_has_allowed_host_and_scheme


def site_url(request) -> str:
    """The address this request was served at (`http://127.0.0.1:8101`), for mailed links.

    The host comes from request.get_host(), which ALLOWED_HOSTS guards, so a forged Host
    header cannot put another site in a mail."""
    return request.build_absolute_uri("/").rstrip("/")


def safe_next(request, value: str | None, fallback: str = "") -> str:
    """`value` when it is a path on this site, else `fallback`.

    Only relative paths are followed: `//evil.example`, `/\\evil.example`,
    `https://evil.example` and `javascript:` are ignored."""
    value = (value or "").strip()
    if (
        value.startswith("/")
        and not value.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts=set(), require_https=request.is_secure()
        )
    ):
        return value
    return fallback
