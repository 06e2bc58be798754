"""Passages by API: an organisation's software looks up, deletes and restores the passages
it deposited (or that were deposited for it), with the same rules as its space.

Authentication: the organisation's token (`Authorization: Bearer <token>`), as for deposits.
Corrections go through a deposit (SUPPRESSION then CREATION), or the space's form.
"""

import datetime

from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from opencertif.api.deposits import OrganisationToken
from opencertif.deposits import passages as service
from opencertif.deposits.enums import PassageStatus
from opencertif.deposits.format import vocabulary
from opencertif.deposits.models import Passage

router = Router(tags=["Passages"], auth=OrganisationToken())


class PassageOut(Schema):
    id: int
    id_technique: str
    status: str
    status_label: str
    ko_reason: str
    ko_message: str
    certification_type: str
    certification_code: str
    holder: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    last_deposit: int | None
    received_at: datetime.datetime
    updated_at: datetime.datetime
    deleted_at: datetime.datetime | None
    restorable_until: datetime.datetime | None


class PassageDetailOut(PassageOut):
    fields: dict
    identity_kind: str
    identity: dict
    history: list[dict]


class PassageFilters(Schema):
    id_technique: str | None = None
    statut: str | None = None
    certification: str | None = None
    depot: int | None = None
    valide_du: datetime.date | None = None
    valide_au: datetime.date | None = None


class DeletionIn(Schema):
    reason: str


def _scope(request):
    return service.of_organisation(request.api_organisation)


def _passage(request, passage_id: int) -> Passage:
    passage = _scope(request).filter(pk=passage_id).first()
    if passage is None:
        raise HttpError(404, "Passage introuvable pour cet organisme.")
    return passage


def _out(passage: Passage) -> dict:
    return {
        "id": passage.pk,
        "id_technique": passage.id_technique,
        "status": passage.status,
        "status_label": passage.get_status_display(),
        "ko_reason": passage.ko_reason,
        "ko_message": passage.ko_message,
        "certification_type": passage.certification_type,
        "certification_code": passage.certification_code,
        "holder": passage.holder_label,
        "valid_from": passage.valid_from,
        "valid_until": passage.valid_until,
        "last_deposit": passage.last_deposit_id,
        "received_at": passage.created_at,
        "updated_at": passage.updated_at,
        "deleted_at": passage.deleted_at,
        "restorable_until": service.restore_deadline(passage.deleted_at)
        if service.can_restore(passage)
        else None,
    }


def _detail(passage: Passage) -> dict:
    identity = dict(passage.identity or {})
    if identity.get("nir"):
        identity["nir"] = vocabulary.mask_nir(identity["nir"])
    return {
        **_out(passage),
        "fields": passage.fields or {},
        "identity_kind": passage.identity_kind,
        "identity": identity,
        "history": [
            {
                "at": step.at.isoformat(),
                "event": step.title,
                "by": step.actor,
                "detail": step.detail,
                "deposit": step.deposit_id,
            }
            for step in service.history(passage)
        ],
    }


class PassagePagination(PageNumberPagination):
    page_size = 100


@router.get("", response=list[PassageOut], summary="Passages de l'organisme")
@paginate(PassagePagination)
def list_passages(request, filters: Query[PassageFilters]):
    """The organisation's passages (as certifier, and those it deposited), newest first;
    deleted ones only with `statut=deleted`."""
    queryset = _scope(request)
    if filters.statut:
        if filters.statut not in PassageStatus.values:
            raise HttpError(400, "statut : ok, ko ou deleted.")
        queryset = queryset.filter(status=filters.statut)
    else:
        queryset = queryset.exclude(status=PassageStatus.DELETED)
    if filters.id_technique:
        queryset = queryset.filter(id_technique=filters.id_technique)
    if filters.certification:
        queryset = queryset.filter(certification_code=filters.certification.strip().upper())
    if filters.depot:
        queryset = queryset.filter(last_deposit_id=filters.depot)
    if filters.valide_du:
        queryset = queryset.filter(valid_from__gte=filters.valide_du)
    if filters.valide_au:
        queryset = queryset.filter(valid_from__lte=filters.valide_au)
    return [_out(passage) for passage in queryset.order_by("-created_at", "-id")]


@router.get("/{passage_id}", response=PassageDetailOut, summary="Un passage et son historique")
def get_passage(request, passage_id: int):
    return _detail(_passage(request, passage_id))


def _token_label(request) -> str:
    return f"API ({request.api_token.name})"


@router.post("/{passage_id}/delete", response=PassageDetailOut, summary="Supprimer un passage")
def delete_passage(request, passage_id: int, payload: DeletionIn):
    """Delete a passage with a reason: it leaves its holder's passport and stays
    restorable for 30 days."""
    passage = _passage(request, passage_id)
    try:
        service.delete(
            passage=passage, by=None, reason=payload.reason, actor_label=_token_label(request)
        )
    except service.PassageError as exc:
        raise HttpError(409, str(exc)) from exc
    return _detail(passage)


@router.post("/{passage_id}/restore", response=PassageDetailOut, summary="Restaurer un passage")
def restore_passage(request, passage_id: int):
    passage = _passage(request, passage_id)
    try:
        service.restore(passage=passage, by=None, actor_label=_token_label(request))
    except service.PassageError as exc:
        raise HttpError(409, str(exc)) from exc
    return _detail(passage)
