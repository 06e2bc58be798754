"""Passages by API: an organisation's software looks up, deletes and restores the passages
it deposited (or that were deposited for it), with the same rules as its space.

Authentication: the organisation's token (`Authorization: Bearer <token>`), as for deposits.
A token acts for its organisation with `organisations.perms.TOKEN_RIGHTS`, through the same
querysets as the web pages (`Passage.objects.visible_to` / `editable_by` / `deletable_by`):
a passage the token may not reach answers 404.
Corrections go through a deposit (SUPPRESSION then CREATION), or the space's form. Reads
of passages are audited under the token's name (ids and counts, never a holder's identity
nor the typed search text).
"""

import datetime

from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from opencertif.core.ids import is_id
from opencertif.deposits import lifecycle
from opencertif.deposits.format import vocabulary
from opencertif.deposits.models import Passage
from opencertif.organisations.perms import Right
from opencertif.passages import care, listing

router = Router(tags=["Passages"])
PAGE_SIZE = 100
MAX_PAGE = 1_000_000
MAX_PAGE_LABEL = "1 000 000"


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


class PassageListQuery(Schema):
    """The list's parameters: those of the web list (`passages.listing.read_filters`
    reads and checks both), plus the paging. Texts here, so that any value gets the
    domain's French message and a 400, never a bare validation error."""

    q: str | None = Field(None, description="idTechnique ou nom du titulaire (contient)")
    id_technique: str | None = Field(None, description="idTechnique exact")
    statut: str | None = Field(
        None, description="ok, ko ou deleted ; sans statut : les acceptés et les refusés"
    )
    certification: str | None = Field(None, description="code (ex. : RNCP34762)")
    depot: str | None = Field(None, description="numéro du dernier dépôt qui a nommé le passage")
    valide_du: str | None = Field(
        None, description="début de validité à partir du (AAAA-MM-JJ ou JJ/MM/AAAA)"
    )
    valide_au: str | None = Field(
        None, description="début de validité jusqu'au (AAAA-MM-JJ ou JJ/MM/AAAA)"
    )
    obtention: str | None = Field(None, description="PAR_ADMISSION ou PAR_SCORING")
    acces: str | None = Field(None, description="modalité d'accès (ex. : VAE)")
    tri: str | None = Field(
        None,
        description="-recu (défaut), recu, id, titulaire, -validite ou validite",
    )
    page: str | None = Field(
        None, description=f"numéro de page, de 1 à {MAX_PAGE_LABEL} (100 passages par page)"
    )
    apres: str | None = Field(
        None,
        description="curseur de la page suivante, donné par `next` (tri par défaut) : "
        "le plus rapide pour parcourir toute la liste",
    )


class PassagePage(Schema):
    count: int | None = Field(
        description="nombre de passages de la sélection, donné avec les pages désignées "
        "par leur numéro ; null sur les pages suivantes d'un parcours par `apres` (il a "
        "été donné avec la première), et quand le compter lirait tous les passages de "
        "l'organisme (filtres autres que statut et id_technique) : suivez alors `next`"
    )
    next: str | None = Field(description="adresse de la page suivante ; null à la fin")
    items: list[PassageOut]


class DeletionIn(Schema):
    reason: str


def _scope(request, right: Right = Right.SEE_PASSAGES):
    return {
        Right.SEE_PASSAGES: Passage.objects.visible_to,
        Right.CHANGE_PASSAGES: Passage.objects.editable_by,
        Right.DELETE_PASSAGES: Passage.objects.deletable_by,
    }[right](request.api_token)


def _token_label(request) -> str:
    return f"API ({request.api_token.name})"


def _passage(request, passage_id: int, right: Right = Right.SEE_PASSAGES) -> Passage:
    scope = _scope(request, right)
    passage = scope.filter(pk=passage_id).first() if is_id(passage_id) else None
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
        "restorable_until": (
            lifecycle.restore_deadline(passage.deleted_at)
            if lifecycle.can_restore(passage)
            else None
        ),
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
                "code": step.code,
                "label": step.title,
                # Kept for the clients written before `label`.
                "event": step.title,
                "by": step.actor,
                "detail": step.detail,
                "deposit": step.deposit_id,
                "changes": [
                    {
                        "field": change.field,
                        "label": change.label,
                        "before": change.before,
                        "before_label": change.before_label,
                        "after": change.after,
                        "after_label": change.after_label,
                    }
                    for change in step.changes or ()
                ],
            }
            for step in care.history(passage)
        ],
    }


def _page_number(text: str | None, errors: dict[str, str]) -> int:
    text = (text or "").strip()
    if not text:
        return 1
    number = int(text) if text.isascii() and text.isdigit() and len(text) < 10 else 0
    if not 1 <= number <= MAX_PAGE:
        errors["page"] = (
            f"Indiquez un numéro de page de 1 à {MAX_PAGE_LABEL} ; pour aller plus loin, "
            "suivez `next`."
        )
    return number


@router.get("", response=PassagePage, summary="Passages de l'organisme")
def list_passages(request, params: Query[PassageListQuery]):
    """The organisation's passages (as certifier, and those it deposited for a certifier
    that still delegates deposit to it), 100 a page, newest first by default; deleted
    ones only with `statut=deleted`. Paged in the database: `next` carries a cursor (the
    default order) or the next page number (another `tri`)."""
    filters, errors = listing.read_filters(params.model_dump())
    number = _page_number(params.page, errors)
    cursor = (params.apres or "").strip()
    if cursor and params.page:
        errors["apres"] = "Avec `apres`, pas de `page` : suivez simplement `next`."
    elif cursor and filters.tri != listing.DEFAULT_SORT:
        errors["apres"] = "Le curseur ne sert que l'ordre par défaut (tri=-recu) : utilisez `page`."
    if errors:
        raise HttpError(400, str(listing.FilterError(errors)))
    scope = _scope(request)
    queryset = listing.filtered(scope, filters).defer("fields", "identity")
    offset = 0
    if cursor:
        try:
            queryset = listing.after(queryset, cursor)
        except listing.FilterError as exc:
            raise HttpError(400, str(exc)) from exc
    else:
        offset = (number - 1) * PAGE_SIZE
    rows = list(queryset[offset : offset + PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if not more and not cursor and (rows or number == 1):
        count = offset + len(rows)  # the whole selection was in reach: no count needed
    elif filters.countable and not cursor:
        # Once, with the first page: following `next` stays as fast on the last page.
        count = listing.filtered(scope, filters).count()
    else:
        count = None
    next_url = None
    if more:
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("apres", None)
        if filters.tri == listing.DEFAULT_SORT:
            query["apres"] = listing.cursor_of(rows[-1])
        else:
            query["page"] = str(number + 1)
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    listing.record_read(
        action="passages.listed",
        obj=request.api_organisation,
        actor_label=_token_label(request),
        ids=[passage.pk for passage in rows],
        count=count,
        filters=filters,
    )
    return {"count": count, "next": next_url, "items": [_out(passage) for passage in rows]}


@router.get("/{passage_id}", response=PassageDetailOut, summary="Un passage et son historique")
def get_passage(request, passage_id: int):
    passage = _passage(request, passage_id)
    listing.record_read(
        action="passage.viewed",
        obj=passage,
        actor_label=_token_label(request),
        ids=[passage.pk],
    )
    return _detail(passage)


@router.post("/{passage_id}/delete", response=PassageDetailOut, summary="Supprimer un passage")
def delete_passage(request, passage_id: int, payload: DeletionIn):
    """Delete a passage with a reason: it leaves its holder's passport and stays
    restorable for 30 days."""
    passage = _passage(request, passage_id, Right.DELETE_PASSAGES)
    try:
        lifecycle.delete(passage, reason=payload.reason, actor_label=_token_label(request))
    except lifecycle.PassageError as exc:
        raise HttpError(409, str(exc)) from exc
    return _detail(passage)


@router.post("/{passage_id}/restore", response=PassageDetailOut, summary="Restaurer un passage")
def restore_passage(request, passage_id: int):
    passage = _passage(request, passage_id, Right.CHANGE_PASSAGES)
    try:
        lifecycle.restore(passage, actor_label=_token_label(request))
    except lifecycle.PassageError as exc:
        raise HttpError(409, str(exc)) from exc
    return _detail(passage)
