"""Deposits by API: an organisation's software posts its files and reads the reports.

Authentication: `Authorization: Bearer <token>`, a token created by the organisation's
managers in its space (Espace certificateur → organisme → Accès API). A token acts for its
organisation with `organisations.perms.TOKEN_RIGHTS` (deposit, see deposits and passages,
change and delete passages), asked through the same querysets and predicates as the web
pages (`Deposit.objects.visible_to`, `perms.can_deposit`, `Deposit.results_readable_by`).
"""

from datetime import datetime

from django.http import FileResponse, StreamingHttpResponse
from ninja import File, Path, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from opencertif.core import audit
from opencertif.core.ids import MAX_ID
from opencertif.deposits import engine, reports
from opencertif.deposits.enums import Channel, DepositState
from opencertif.deposits.models import Deposit
from opencertif.organisations import perms

router = Router(tags=["Dépôts"])
# A deposit number that no 64-bit key can hold is refused (4xx), never sent to the database.
DepositId = Path(..., ge=1, le=MAX_ID, description="numéro du dépôt")


class FileErrorOut(Schema):
    type: str
    message: str
    line: int
    column: int


class DepositOut(Schema):
    id: int
    state: str
    state_label: str
    file_name: str
    size: int
    sha256: str
    received_at: datetime
    finished_at: datetime | None
    duplicate_of: int | None
    same_file_as: int | None
    passage_total: int
    processed: int
    progress_percent: int
    ok: int
    unchanged: int
    deleted: int
    ko: int
    errors: list[FileErrorOut]
    report_xml: str | None
    report_csv: str | None
    report_xlsx: str | None


def _out(request, deposit: Deposit) -> dict:
    ready = reports.source(deposit).state in (DepositState.DONE, DepositState.REJECTED)

    def url(fmt: str) -> str | None:
        return (
            request.build_absolute_uri(f"/api/deposits/{deposit.pk}/report.{fmt}")
            if ready
            else None
        )

    return {
        "id": deposit.pk,
        "state": deposit.state,
        "state_label": deposit.get_state_display(),
        "file_name": deposit.file_name,
        "size": deposit.size,
        "sha256": deposit.sha256,
        "received_at": deposit.received_at,
        "finished_at": deposit.finished_at,
        "duplicate_of": deposit.duplicate_of_id,
        "same_file_as": deposit.same_file_as_id,
        "passage_total": deposit.passage_total,
        "processed": deposit.processed,
        "progress_percent": deposit.progress_percent,
        "ok": deposit.ok_count,
        "unchanged": deposit.unchanged_count,
        "deleted": deposit.deleted_count,
        "ko": deposit.ko_count,
        "errors": reports.source(deposit).errors,
        "report_xml": url("xml"),
        "report_csv": url("csv"),
        "report_xlsx": url("xlsx"),
    }


def _deposit(request, deposit_id: int) -> Deposit:
    deposit = Deposit.objects.visible_to(request.api_token).filter(pk=deposit_id).first()
    if deposit is None:
        raise HttpError(404, "Dépôt introuvable pour cet organisme.")
    return deposit


@router.post(
    "",
    response={202: DepositOut, 413: dict, 400: dict, 503: dict},
    summary="Déposer un fichier de passages",
)
def create_deposit(request, file: File[UploadedFile]):
    """Receive the file (multipart field `file`) and start its processing in the background.

    Answers 202 with the receipt; poll `GET /api/deposits/{id}` until `state` is `done` or
    `rejected`, then fetch the report."""
    if not perms.can_deposit(request.api_token, request.api_organisation):
        raise HttpError(403, "Ce jeton ne permet pas de déposer pour cet organisme.")
    try:
        deposit = engine.receive(
            organisation=request.api_organisation,
            user=None,
            channel=Channel.API,
            name=file.name or "depot.xml",
            stream=file.file,
        )
    except engine.DepositRefused as exc:
        return Status(413 if "taille" in str(exc) else 400, {"detail": str(exc)})
    except engine.StorageUnavailable as exc:
        return Status(503, {"detail": str(exc)})
    return Status(202, _out(request, deposit))


@router.get("/{deposit_id}", response=DepositOut, summary="État d'un dépôt")
def get_deposit(request, deposit_id: int = DepositId):
    """State, counts and progress of a deposit made by (or for) the organisation."""
    return _out(request, _deposit(request, deposit_id))


@router.get("/{deposit_id}/report.{fmt}", summary="Accusé de traitement (xml, csv ou xlsx)")
def get_report(request, deposit_id: int = DepositId, fmt: str = Path(...)):
    deposit = _deposit(request, deposit_id)
    if reports.source(deposit).state not in (DepositState.DONE, DepositState.REJECTED):
        raise HttpError(409, "Le traitement n'est pas terminé : l'accusé n'existe pas encore.")
    if fmt not in ("xml", "csv", "xlsx"):
        raise HttpError(404, "Formats : xml, csv ou xlsx.")
    if not deposit.results_readable_by(request.api_token):
        raise HttpError(
            403,
            "Le certificateur a retiré la délégation de dépôt à cet organisme : l'accusé de "
            "traitement, qui nomme les titulaires, n'est plus consultable.",
        )
    audit.record(
        actor=None,
        actor_label=f"API ({request.api_token.name})",
        action="deposit.report_read",
        obj=deposit,
        summary=f"accusé {fmt}",
    )
    name = deposit.report_name
    if fmt == "xml":
        response = StreamingHttpResponse(
            reports.xml_chunks(deposit), content_type="application/xml"
        )
    elif fmt == "csv":
        response = StreamingHttpResponse(
            reports.csv_chunks(deposit), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        return FileResponse(
            reports.xlsx_file(deposit),
            as_attachment=True,
            filename=f"{name}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise HttpError(404, "Formats : xml, csv ou xlsx.")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
