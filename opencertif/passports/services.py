"""What a holder writes in their passport: declarative entries, CVs and share links; and
the export of everything the platform holds about them. Each write is audited under the
holder's account; the audit keeps ids, never the entries' text."""

import datetime
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from opencertif.core import audit
from opencertif.passports import passport
from opencertif.passports.enums import AuditAction, HiddenField
from opencertif.passports.models import Cv, Experience, Holder, ShareLink

SHARE_DAYS_DEFAULT = 30
SHARE_DAYS_MAX = 365
EXPERIENCE_FIELDS = (
    "kind",
    "title",
    "organisation",
    "place",
    "start_date",
    "end_date",
    "description",
)


def _check_dates(start_date, end_date) -> None:
    if end_date and start_date and end_date < start_date:
        raise ValidationError({"end_date": "La date de fin précède la date de début."})


# ------------------------------------------------------------------ declarative entries


@transaction.atomic
def create_experience(*, holder: Holder, by, **values) -> Experience:
    """Add a declarative entry (job, training, volunteering) to the holder's « Mon
    parcours ». `values` are EXPERIENCE_FIELDS."""
    unknown = set(values) - set(EXPERIENCE_FIELDS)
    if unknown:
        raise TypeError(f"champs inconnus : {sorted(unknown)}")
    _check_dates(values.get("start_date"), values.get("end_date"))
    experience = Experience.objects.create(holder=holder, **values)
    audit.record(actor=by, action=AuditAction.EXPERIENCE_CREATED, obj=experience)
    return experience


@transaction.atomic
def update_experience(*, experience: Experience, by, **values) -> Experience:
    """Change a declarative entry's fields (EXPERIENCE_FIELDS)."""
    unknown = set(values) - set(EXPERIENCE_FIELDS)
    if unknown:
        raise TypeError(f"champs inconnus : {sorted(unknown)}")
    _check_dates(
        values.get("start_date", experience.start_date), values.get("end_date", experience.end_date)
    )
    changed = [key for key, value in values.items() if getattr(experience, key) != value]
    for key, value in values.items():
        setattr(experience, key, value)
    experience.save()
    audit.record(
        actor=by,
        action=AuditAction.EXPERIENCE_UPDATED,
        obj=experience,
        changes={"fields": changed},
    )
    return experience


@transaction.atomic
def delete_experience(*, experience: Experience, by) -> None:
    """Delete a declarative entry; the CVs that selected it no longer show it."""
    audit.record(actor=by, action=AuditAction.EXPERIENCE_DELETED, obj=experience)
    experience.delete()


# ------------------------------------------------------------------ CVs


def _selection(holder: Holder, passage_ids: Iterable[int], experience_ids: Iterable[int]):
    """The holder's own OK passages and own experiences among the ids; ValidationError
    naming what is not theirs."""
    passage_ids, experience_ids = set(passage_ids), set(experience_ids)
    passages = list(passport.guaranteed_passages(holder).filter(pk__in=passage_ids))
    experiences = list(holder.experiences.filter(pk__in=experience_ids))
    errors = {}
    if len(passages) != len(passage_ids):
        errors["passages"] = "Choisissez parmi vos certifications obtenues."
    if len(experiences) != len(experience_ids):
        errors["experiences"] = "Choisissez parmi vos entrées de parcours."
    if errors:
        raise ValidationError(errors)
    return passages, experiences


@transaction.atomic
def create_cv(
    *,
    holder: Holder,
    title: str,
    summary: str = "",
    passage_ids: Iterable[int] = (),
    experience_ids: Iterable[int] = (),
    by,
) -> Cv:
    """A new CV: a title, a summary and a selection of the holder's guaranteed passages
    and declarative entries (ValidationError when one is not theirs)."""
    cv = Cv(holder=holder)
    _fill_cv(cv, title, summary, passage_ids, experience_ids, by=by, action=AuditAction.CV_CREATED)
    return cv


@transaction.atomic
def update_cv(
    *,
    cv: Cv,
    title: str,
    summary: str = "",
    passage_ids: Iterable[int] = (),
    experience_ids: Iterable[int] = (),
    by,
) -> Cv:
    """Change a CV's title, summary and selection (the holder's own entries only)."""
    _fill_cv(cv, title, summary, passage_ids, experience_ids, by=by, action=AuditAction.CV_UPDATED)
    return cv


def _fill_cv(cv: Cv, title, summary, passage_ids, experience_ids, *, by, action) -> None:
    passages, experiences = _selection(cv.holder, passage_ids, experience_ids)
    cv.title, cv.summary = title.strip(), summary.strip()
    cv.save()
    cv.passages.set(passages)
    cv.experiences.set(experiences)
    audit.record(
        actor=by,
        action=action,
        obj=cv,
        changes={
            "passages": sorted(p.pk for p in passages),
            "experiences": sorted(e.pk for e in experiences),
        },
    )


@transaction.atomic
def delete_cv(*, cv: Cv, by) -> None:
    """Delete a CV and its share links (their online view ends at once)."""
    audit.record(actor=by, action=AuditAction.CV_DELETED, obj=cv)
    cv.delete()


# ------------------------------------------------------------------ share links


@transaction.atomic
def create_share_link(
    *, cv: Cv, days: int = SHARE_DAYS_DEFAULT, hidden_fields: Iterable[str] = (), by
) -> ShareLink:
    """A link to the CV's online view, valid `days` days (1 to SHARE_DAYS_MAX), hiding
    the chosen HiddenField values."""
    if not 1 <= int(days) <= SHARE_DAYS_MAX:
        raise ValidationError({"days": f"Choisissez une durée de 1 à {SHARE_DAYS_MAX} jours."})
    hidden = sorted(set(hidden_fields))
    if set(hidden) - set(HiddenField.values):
        raise ValidationError({"hidden_fields": "Choisissez parmi les champs proposés."})
    link = ShareLink.objects.create(
        cv=cv,
        token=secrets.token_urlsafe(32),
        expires_at=timezone.now() + datetime.timedelta(days=int(days)),
        hidden_fields=hidden,
    )
    audit.record(
        actor=by,
        action=AuditAction.SHARE_CREATED,
        obj=link,
        changes={"cv": cv.pk, "days": int(days), "hidden_fields": hidden},
    )
    return link


@transaction.atomic
def revoke_share_link(*, link: ShareLink, by) -> ShareLink:
    """Revoke a link: its online view is refused from now on."""
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit.record(actor=by, action=AuditAction.SHARE_REVOKED, obj=link)
    return link


@transaction.atomic
def delete_share_link(*, link: ShareLink, by) -> None:
    """Delete a link and its count of views (the link stops working)."""
    audit.record(actor=by, action=AuditAction.SHARE_DELETED, obj=link)
    link.delete()


def record_view(link: ShareLink) -> None:
    """Count one view of a shared CV: a counter and a time, nothing about the viewer (no
    address, no browser)."""
    ShareLink.objects.filter(pk=link.pk).update(views=F("views") + 1, last_viewed_at=timezone.now())


# ------------------------------------------------------------------ my data


def _date(value) -> str | None:
    return value.isoformat() if value else None


def export(holder: Holder, *, by) -> dict:
    """Everything the platform holds about the holder, as plain data (the « Mes données »
    download). The reading is audited as the holder's own access."""
    user = holder.user
    person = holder.person
    data = {
        "generated_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _date(user.date_joined),
            "last_login": _date(user.last_login),
        },
        "holder": {
            "match_outcome": holder.match_outcome,
            "match_outcome_label": holder.get_match_outcome_display(),
            "matched_at": _date(holder.matched_at),
            "created_at": _date(holder.created_at),
        },
        "identity": None,
        "guaranteed": [],
        "experiences": [],
        "cvs": [],
        "share_links": [],
        "signed_documents": [],
        "requests": [],
    }
    if person is not None:
        data["identity"] = {
            field: getattr(person, field)
            for field in (
                "birth_name",
                "usage_name",
                "first_name1",
                "first_name2",
                "first_name3",
                "sex",
                "birth_year",
                "birth_month",
                "birth_day",
                "birth_insee",
                "birth_country",
            )
            if hasattr(person, field)
        }
    for entry in passport.guaranteed(holder):
        data["guaranteed"].append(
            {
                "passage": entry.passage_id,
                "certification": entry.number,
                "title": entry.title,
                "level": entry.level_label,
                "valid_from": _date(entry.valid_from),
                "valid_until": _date(entry.valid_until),
                "mention": entry.mention,
                "certifier": entry.certifier,
            }
        )
    for experience in holder.experiences.all():
        data["experiences"].append(
            {
                "id": experience.pk,
                "kind": experience.kind,
                "title": experience.title,
                "organisation": experience.organisation,
                "place": experience.place,
                "start_date": _date(experience.start_date),
                "end_date": _date(experience.end_date),
                "description": experience.description,
            }
        )
    cvs = holder.cvs.prefetch_related("passages", "experiences", "share_links")
    for cv in cvs:
        data["cvs"].append(
            {
                "id": cv.pk,
                "title": cv.title,
                "summary": cv.summary,
                "passages": sorted(p.pk for p in cv.passages.all()),
                "experiences": sorted(e.pk for e in cv.experiences.all()),
                "created_at": _date(cv.created_at),
                "updated_at": _date(cv.updated_at),
            }
        )
        for link in cv.share_links.all():
            data["share_links"].append(
                {
                    "cv": cv.pk,
                    "created_at": _date(link.created_at),
                    "expires_at": _date(link.expires_at),
                    "revoked_at": _date(link.revoked_at),
                    "hidden_fields": link.hidden_fields,
                    "views": link.views,
                    "last_viewed_at": _date(link.last_viewed_at),
                }
            )
    for document in holder.documents.all():
        data["signed_documents"].append(
            {
                "id": str(document.pk),
                "kind": document.kind,
                "title": document.title,
                "issued_at": _date(document.issued_at),
                "sha256": document.sha256,
            }
        )
    for request in holder.requests.all():
        data["requests"].append(
            {
                "id": request.pk,
                "kind": request.kind,
                "state": request.state,
                "passage": request.passage_id,
                "certification": request.certification_id,
                "fields": request.fields,
                "message": request.message,
                "answer": request.answer,
                "created_at": _date(request.created_at),
                "due_on": _date(request.due_on),
                "answered_at": _date(request.answered_at),
            }
        )
    audit.record(actor=by, action=AuditAction.EXPORTED, obj=holder)
    return data
