"""Platform mails: plain-text templates, sent after the transaction commits."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string


def send(*, to: list[str] | str, template: str, context: dict, site_url: str | None = None) -> None:
    """Render `mails/<template>.txt` (first line = subject) and send it on commit.

    Templates build their links as `{{ site_url }}{% url '…' … %}`: `site_url` is the
    address the request was served at when a web page acts (the web layer passes it
    down), settings.SITE_URL for the worker and the CLI. Callers pass ids and tokens in
    `context`, never a path."""
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        return
    text = render_to_string(
        f"mails/{template}.txt", {"site_url": site_url or settings.SITE_URL, **context}
    ).strip()
    subject, _, body = text.partition("\n")
    transaction.on_commit(
        lambda: send_mail(
            subject.strip(),
            body.strip() + "\n\n— opencertif\n",
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
    )
