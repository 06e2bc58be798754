"""Holders' requests to certifiers: report an error on a guaranteed certification, or a
certification that is missing from the passport; the certifier's (or the platform's
staff's) answer; and the staff's read of a holder's passport behind such a request.

A request is addressed to one organisation — the certifier of the passage, or the
certifier the holder names for a missing certification — or to the platform's staff
(`organisation` None) when no certifier can be named or the holder's identity was not
matched at sign-in. The addressee has three months (`CorrectionRequest.due_date`) to
answer. Every write is audited (ids and codes only, never the holder's identity nor their
message) and mails leave on commit; the links in them are built by the mail templates.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from opencertif.accounts.perms import ACCOUNT_VALIDATION, DEPOSIT_IDENTIFIERS, is_platform_staff
from opencertif.core import audit, mail
from opencertif.deposits.enums import PassageStatus
from opencertif.deposits.models import Passage
from opencertif.organisations import perms
from opencertif.organisations.models import Organisation
from opencertif.organisations.perms import Right
from opencertif.passports.enums import CorrectedField, MatchOutcome, RequestKind
from opencertif.passports.models import CorrectionRequest, Holder
from opencertif.registry.models import Certification, CertifierLink

MESSAGE_MAX_LENGTH = 2000

User = get_user_model()


class RequestError(ValueError):
    """A request that cannot be made or answered; the message says why, in French."""


def guaranteed_passages(holder: Holder):
    """The holder's guaranteed certifications: the OK passages of the person their
    identity designates (none when it designates nobody)."""
    if holder.person_id is None:
        return Passage.objects.none()
    return Passage.objects.filter(person_id=holder.person_id, status=PassageStatus.OK)


def certifiers_of(certification: Certification):
    """The organisations the registry names as the certification's certifiers."""
    return Organisation.objects.filter(
        pk__in=CertifierLink.objects.filter(certification=certification).values("organisation_id")
    ).order_by("name")


def _clean_message(message: str) -> str:
    message = (message or "").strip()
    if not message:
        raise RequestError("Écrivez un message : dites au certificateur ce qui est inexact.")
    if len(message) > MESSAGE_MAX_LENGTH:
        raise RequestError(f"Votre message dépasse {MESSAGE_MAX_LENGTH} caractères.")
    return message


def _answerers(organisation: Organisation | None) -> list[str]:
    """Who is told of a new request: the organisation's people who may change passages,
    or the platform's staff for a request addressed to the platform."""
    if organisation is None:
        people = User.objects.filter(
            is_active=True,
            is_staff=True,
            groups__name__in=[ACCOUNT_VALIDATION, DEPOSIT_IDENTIFIERS],
        )
    else:
        people = User.objects.filter(
            is_active=True,
            memberships__organisation=organisation,
            memberships__role__in=perms.roles_with(Right.CHANGE_PASSAGES),
        )
    return sorted(set(people.values_list("email", flat=True)))


def _members(organisation: Organisation) -> list[str]:
    """The organisation's people who may see its passages (a depositor told of an answer)."""
    return sorted(
        set(
            User.objects.filter(
                is_active=True,
                memberships__organisation=organisation,
                memberships__role__in=perms.roles_with(Right.SEE_PASSAGES),
            ).values_list("email", flat=True)
        )
    )


def _created(request: CorrectionRequest, *, holder: Holder, site_url: str | None) -> None:
    audit.record(
        actor=holder.user,
        action="passport_request.created",
        obj=request,
        summary=request.get_kind_display(),
        changes={
            "kind": request.kind,
            "passage": request.passage_id,
            "certification": request.certification_id,
            "organisation": request.organisation_id,
            "depositor": request.depositor_id,
            "fields": list(request.fields),
        },
    )
    template = "passport_request_new" if request.organisation_id else "passport_request_staff"
    mail.send(
        to=_answerers(request.organisation),
        template=template,
        context={"request": request},
        site_url=site_url,
    )
    mail.send(
        to=holder.user.email,
        template="passport_request_received",
        context={"request": request},
        site_url=site_url,
    )


@transaction.atomic
def report_error(
    *,
    holder: Holder,
    passage: Passage,
    fields: list[str],
    message: str,
    site_url: str | None = None,
) -> CorrectionRequest:
    """The holder asks the certifier of one of their guaranteed certifications to correct
    it. Addressed to the organisation of the passage's certifier account; the delegated
    depositor that sent it last (when it is not the certifier) is kept, to be told of the
    answer. Refused (RequestError) on a passage that is not the holder's own accepted one,
    with no element named, without a message, or while a request on it is still open."""
    if (
        holder.person_id is None
        or passage.person_id != holder.person_id
        or passage.status != PassageStatus.OK
    ):
        raise RequestError("Cette certification ne figure pas dans votre passeport.")
    fields = list(dict.fromkeys(fields or []))
    if not fields:
        raise RequestError("Cochez au moins un élément à corriger.")
    unknown = set(fields) - set(CorrectedField.values)
    if unknown:
        raise RequestError("Un élément à corriger est inconnu : choisissez dans la liste.")
    message = _clean_message(message)
    if CorrectionRequest.objects.open().filter(holder=holder, passage=passage).exists():
        raise RequestError(
            "Une demande de correction de cette certification attend déjà la réponse du "
            "certificateur."
        )
    organisation = passage.certifier.organisation
    depositor = None
    if passage.last_deposit_id:
        sender = passage.last_deposit.organisation
        if sender.pk != organisation.pk:
            depositor = sender
    today = timezone.localdate()
    request = CorrectionRequest.objects.create(
        kind=RequestKind.CORRECTION,
        holder=holder,
        passage=passage,
        certification=passage.certification,
        organisation=organisation,
        depositor=depositor,
        fields=fields,
        message=message,
        due_on=CorrectionRequest.due_date(today),
    )
    _created(request, holder=holder, site_url=site_url)
    return request


@transaction.atomic
def report_missing(
    *,
    holder: Holder,
    certification: Certification,
    organisation: Organisation | None = None,
    message: str,
    site_url: str | None = None,
) -> CorrectionRequest:
    """The holder says a certification of the registry is missing from their passport,
    naming one of its certifiers (`CertifierLink`) or none. The request reaches that
    certifier, or the platform's staff when no certifier is named or when the holder's
    identity was not matched at sign-in (the certifier could not find them)."""
    message = _clean_message(message)
    if (
        organisation is not None
        and not certifiers_of(certification).filter(pk=organisation.pk).exists()
    ):
        raise RequestError(
            "Cet organisme n'est pas certificateur de cette certification : choisissez-en un "
            "de la liste, ou « Je ne sais pas »."
        )
    if holder.match_outcome != MatchOutcome.MATCHED:
        organisation = None
    today = timezone.localdate()
    request = CorrectionRequest.objects.create(
        kind=RequestKind.MISSING,
        holder=holder,
        certification=certification,
        organisation=organisation,
        message=message,
        due_on=CorrectionRequest.due_date(today),
    )
    _created(request, holder=holder, site_url=site_url)
    return request


def _may_answer(request: CorrectionRequest, by) -> None:
    if not CorrectionRequest.objects.editable_by(by).filter(pk=request.pk).exists():
        raise perms.NotFound("Demande introuvable.")


def _answered(request: CorrectionRequest, *, by, action: str, site_url: str | None) -> None:
    audit.record(
        actor=by,
        action=action,
        obj=request,
        summary=request.get_state_display(),
        changes={"state": request.state},
    )
    mail.send(
        to=request.holder.user.email,
        template="passport_request_answered",
        context={"request": request},
        site_url=site_url,
    )
    if request.depositor_id:
        mail.send(
            to=_members(request.depositor),
            template="passport_request_answered_depositor",
            context={"request": request},
            site_url=site_url,
        )


@transaction.atomic
def answer_corrected(
    *, request: CorrectionRequest, by, note: str = "", site_url: str | None = None
) -> CorrectionRequest:
    """The addressee says the request is dealt with (the passage corrected, the missing
    certification deposited), with an optional note to the holder. Needs the right to
    change the organisation's passages (staff: a request addressed to the platform);
    otherwise NotFound. The holder is told, and the delegated depositor's people."""
    _may_answer(request, by)
    request.correct(by=by, answer=(note or "").strip()[:MESSAGE_MAX_LENGTH])
    _answered(request, by=by, action="passport_request.corrected", site_url=site_url)
    return request


@transaction.atomic
def answer_refused(
    *, request: CorrectionRequest, by, reason: str, site_url: str | None = None
) -> CorrectionRequest:
    """The addressee refuses the request; the reason, required, is sent to the holder.
    Same rights and mails as `answer_corrected`."""
    _may_answer(request, by)
    reason = (reason or "").strip()
    if not reason:
        raise RequestError("Donnez le motif du refus : il est envoyé au titulaire.")
    request.refuse(by=by, reason=reason[:MESSAGE_MAX_LENGTH])
    _answered(request, by=by, action="passport_request.refused", site_url=site_url)
    return request


def record_view(*, request: CorrectionRequest, by) -> None:
    """Record that someone of the certifier (or staff) read a request: it names a holder."""
    audit.record(actor=by, action="passport_request.viewed", obj=request)


def staff_may_read_passport(user, holder: Holder) -> bool:
    """Staff read a holder's passport only behind one of the holder's requests."""
    return is_platform_staff(user) and holder.requests.exists()


def read_passport_as_staff(*, holder: Holder, by) -> dict:
    """What staff see of a holder's passport (guaranteed certifications, declarative
    entries), the read recorded in the audit trail with the passages' ids. Callers check
    `staff_may_read_passport` first."""
    passages = list(
        guaranteed_passages(holder)
        .select_related("certification", "certifier__organisation")
        .order_by("-valid_from", "-id")
    )
    experiences = list(holder.experiences.all())
    audit.record(
        actor=by,
        action="passport.read_by_staff",
        obj=holder,
        summary=f"{len(passages)} certification(s), {len(experiences)} entrée(s) déclarative(s)",
        changes=audit.ids_changes([passage.pk for passage in passages], count=len(passages)),
    )
    return {"passages": passages, "experiences": experiences}
