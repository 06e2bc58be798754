"""The list of passages, for the web page and the API alike: who sees what (the scope),
the filters read from the query string and checked, the order, paging by key, and the
audit of every read of holder data."""

import base64
import binascii
import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from opencertif.core import audit
from opencertif.core.ids import is_id
from opencertif.deposits.enums import PassageStatus
from opencertif.deposits.format import vocabulary
from opencertif.deposits.lifecycle import PassageError
from opencertif.deposits.models import Passage
from opencertif.organisations.models import Organisation

# ------------------------------------------------------------------ reading


def of_organisation(organisation: Organisation):
    """Passages an organisation may see and look after: those of its certifier accounts,
    and those it deposited for a certifier that still delegates deposit to it."""
    return Passage.objects.of_organisations([organisation.pk])


# ------------------------------------------------------------------ the list's filters


class FilterError(PassageError):
    """Query-string parameters of the list that cannot be read: {parameter: message}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(f"{name} : {message}" for name, message in errors.items()))
        self.errors = errors


SORTS = {
    "-recu": ("-created_at", "-id"),
    "recu": ("created_at", "id"),
    "id": ("id_technique", "id"),
    "titulaire": ("holder_label", "id"),
    "-validite": ("-valid_from", "-id"),
    "validite": ("valid_from", "id"),
}
DEFAULT_SORT = "-recu"
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


@dataclass(frozen=True)
class Filters:
    """The list's selection, as the web page and the API both take it from the query
    string (same parameter names, same checks: `read_filters`)."""

    q: str = ""
    id_technique: str = ""
    statut: str = ""
    certification: str = ""
    depot: int | None = None
    valide_du: datetime.date | None = None
    valide_au: datetime.date | None = None
    obtention: str = ""
    acces: str = ""
    tri: str = DEFAULT_SORT

    @property
    def searched(self) -> bool:
        return bool(self.q or self.id_technique)

    @property
    def countable(self) -> bool:
        """Can an index count the selection? (certifier, status) serves the status, the
        unique (certifier, idTechnique) the exact idTechnique; any other filter would read
        every passage of the organisation to count them."""
        return not (
            self.q
            or self.certification
            or self.depot
            or self.valide_du
            or self.valide_au
            or self.obtention
            or self.acces
        )

    def criteria(self) -> dict[str, str]:
        """The filters worth recording in the audit trail: never the typed text (a name
        or an idTechnique), only whether there was one."""
        kept = {
            "statut": self.statut,
            "certification": self.certification,
            "depot": str(self.depot or ""),
            "valide_du": self.valide_du.isoformat() if self.valide_du else "",
            "valide_au": self.valide_au.isoformat() if self.valide_au else "",
            "obtention": self.obtention,
            "acces": self.acces,
        }
        criteria = {key: value for key, value in kept.items() if value}
        if self.searched:
            criteria["recherche"] = "oui"
        return criteria


def _date(value: str) -> datetime.date:
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


def read_filters(params) -> tuple[Filters, dict[str, str]]:
    """The list's filters from query-string parameters (a QueryDict or a dict of texts):
    the filters that could be read, and {parameter: message saying what to write} for
    the others, which are left out. The web page shows the messages beside its fields;
    the API answers 400 with them."""
    values: dict[str, object] = {}
    errors: dict[str, str] = {}

    def text(name: str) -> str:
        return str(params.get(name) or "").strip()

    for name, limit in (("q", 255), ("id_technique", 255)):
        value = text(name)
        if len(value) > limit:
            errors[name] = f"Écrivez {limit} caractères au plus."
        elif value:
            values[name] = value
    status = text("statut").lower()
    if status and status not in PassageStatus.values:
        errors["statut"] = (
            "Statut inconnu : choisissez ok (acceptés), ko (refusés) ou deleted (supprimés)."
        )
    elif status:
        values["statut"] = status
    code = text("certification").upper()
    if len(code) > 100:
        errors["certification"] = (
            "Indiquez le code d'une certification (ex. : RNCP34762), 100 caractères au plus."
        )
    elif code:
        values["certification"] = code
    depot = text("depot")
    if depot:
        number = int(depot) if depot.isascii() and depot.isdigit() and len(depot) < 25 else 0
        if is_id(number):
            values["depot"] = number
        else:
            errors["depot"] = "Indiquez le numéro d'un dépôt : un nombre entier positif."
    for name in ("valide_du", "valide_au"):
        value = text(name)
        if not value:
            continue
        try:
            values[name] = _date(value)
        except ValueError:
            errors[name] = "Date invalide : écrivez-la JJ/MM/AAAA (ou AAAA-MM-JJ)."
    for name, vocabulary_values in (
        ("obtention", vocabulary.OBTAINED_BY),
        ("acces", vocabulary.ACCESS_MODES),
    ):
        value = text(name).upper()
        allowed = [key for key, _label in vocabulary_values]
        if value and value not in allowed:
            errors[name] = "Valeur inconnue : choisissez parmi " + ", ".join(allowed) + "."
        elif value:
            values[name] = value
    sort = text("tri")
    if sort and sort not in SORTS:
        errors["tri"] = "Tri inconnu : choisissez parmi " + ", ".join(SORTS) + "."
    elif sort:
        values["tri"] = sort
    return Filters(**values), errors


def filtered(queryset, filters: Filters):
    """The passages of `queryset` (a scope: `of_organisation`, `visible_to`) that the
    filters select, in the filters' order. Without a status, deleted passages are left
    out."""
    if filters.statut:
        queryset = queryset.filter(status=filters.statut)
    else:
        queryset = queryset.exclude(status=PassageStatus.DELETED)
    if filters.q:
        queryset = queryset.filter(
            Q(id_technique__icontains=filters.q) | Q(holder_label__icontains=filters.q)
        )
    if filters.id_technique:
        queryset = queryset.filter(id_technique=filters.id_technique)
    if filters.certification:
        queryset = queryset.filter(certification_code=filters.certification)
    if filters.depot:
        queryset = queryset.filter(last_deposit_id=filters.depot)
    if filters.valide_du:
        queryset = queryset.filter(valid_from__gte=filters.valide_du)
    if filters.valide_au:
        queryset = queryset.filter(valid_from__lte=filters.valide_au)
    if filters.obtention:
        queryset = queryset.filter(fields__obtained_by=filters.obtention)
    if filters.acces:
        queryset = queryset.filter(fields__enrolment__access_mode=filters.acces)
    return queryset.order_by(*SORTS[filters.tri])


# ------------------------------------------------------------------ paging by key


def cursor_of(passage: Passage) -> str:
    """Where the next page starts, after this passage, in the default order (most
    recently received first): an opaque text for the API's `apres` parameter."""
    key = f"{passage.created_at.isoformat()}|{passage.pk}"
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def after(queryset, cursor: str):
    """The passages after the cursor in the default order. Raises FilterError when the
    cursor is not one `cursor_of` wrote."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment, pk = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        moment, pk = datetime.datetime.fromisoformat(moment), int(pk)
        if timezone.is_naive(moment) or not is_id(pk):
            raise ValueError(cursor)
        following = moment + datetime.timedelta(microseconds=1)
    except (ValueError, OverflowError, UnicodeError, binascii.Error) as exc:
        raise FilterError(
            {
                "apres": "Curseur illisible : reprenez la liste depuis le lien « next » "
                "de la page précédente."
            }
        ) from exc
    # "Received in the same instant" is written as a range one microsecond wide (the
    # finest a timestamp holds) rather than an equality: on SQLite, bases written before
    # December 2026 hold the engine's instants with a "+00:00" suffix, which equality and
    # <= against the ORM's values miss, while < and >= stay right. The first filter alone is what an
    # index on (certifier, created_at, id) seeks to.
    return queryset.filter(created_at__lt=following).filter(
        Q(created_at__lt=moment) | Q(created_at__gte=moment, id__lt=pk)
    )


# ------------------------------------------------------------------ reads, audited


AUDITED_IDS = audit.AUDITED_IDS


def record_read(
    *,
    action: str,
    obj,
    by=None,
    actor_label: str = "",
    ids: list[int],
    count: int | None = None,
    filters: Filters | None = None,
) -> None:
    """Record that holder data was read: who, which passages (their ids, the first
    AUDITED_IDS of a long export), how many, with which filters — never a holder's
    identity nor the text that was typed to search."""
    changes = audit.ids_changes(ids, count=count)
    if filters is not None and filters.criteria():
        changes["criteria"] = filters.criteria()
    shown = count if count is not None else len(ids)
    audit.record(
        actor=by,
        actor_label=actor_label,
        action=action,
        obj=obj,
        summary=f"{shown} passage(s)",
        changes=changes,
    )
