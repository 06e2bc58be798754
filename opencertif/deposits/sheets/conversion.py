"""Converting a spreadsheet of passages into a deposit file, and depositing it.

`convert()` reads a file (recognised by `files`), finds its header, and turns each row
into a passage in the code names of `format/names.py` (what `writer.passage_xml` takes),
each cell read by `values`, each passage validated alone with the project's XSD: every
error names the sheet row and the column (letter and label), in French, with what to
fix. A row with an error is left out; the others are kept (spooled to a temporary file:
memory does not grow with the sheet). The accepted rows are then written as one deposit
file (`Conversion.write_xml`) and, for a deposit, handed to the very same engine as an
uploaded XML file (`deposit_conversion`). Columns, values and errors are described in
docs/formats/spreadsheet.md.
"""

import array
import contextlib
import io
import itertools
import json
import re
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from lxml import etree

from opencertif.core.text import fold
from opencertif.deposits import engine, samples
from opencertif.deposits.enums import AccountRole, Channel
from opencertif.deposits.format import fields, reader, writer
from opencertif.deposits.format import names as n
from opencertif.deposits.format.messages import french
from opencertif.deposits.models import Deposit, DepositAccount
from opencertif.deposits.services import may_deposit
from opencertif.deposits.sheets import files, xlsx
from opencertif.deposits.sheets.columns import (
    BY_KEY,
    CAPTIONS,
    COLUMN_ORDER,
    DOSSIER_KEYS,
    ENROLMENT_KEYS,
    ENVELOPE_KEYS,
    FIELD_KEYS,
    HOLDER_KEYS,
    REQUIRED_KEYS,
    RESULT_KEYS,
    START_MARKER,
    TAG_COLUMNS,
    Column,
)
from opencertif.deposits.sheets.errors import SheetError, SheetRefused
from opencertif.deposits.sheets.files import Header, Meter, Progress, find_header
from opencertif.deposits.sheets.values import as_text, convert_cell, is_blank
from opencertif.organisations.models import Organisation

# Errors kept in memory and stored on a deposit; beyond, only counted.
MAX_ERRORS = 500
HEADER_SCAN_ROWS = 40
# How often the progress callback of `convert` is called, in rows read.
PROGRESS_EVERY = 250
# The deposit file around the passages (envelope, then each <certification>), at most.
ENVELOPE_BYTES = 1_000
CERTIFICATION_BYTES = 400


@dataclass
class _Group:
    certification_type: str
    code: str
    rows: array.array = field(default_factory=lambda: array.array("l"))
    offsets: array.array = field(default_factory=lambda: array.array("q"))


_ELEMENT = re.compile(r"Element '(?:\{[^}]*\})?([^']+)'")
_EXPECTED_LIST = re.compile(r"Expected is (?:one of )?\(([^)]*)\)")
_ANY_NS = re.compile(r"\{[^}]*\}")
# Elements the schema requires inside their parent (the others are optional).
REQUIRED_TAGS = {field.tag for field in fields.FIELDS if field.schema_required} | {
    group.tag for group in fields.GROUPS if group.schema_required
}
_WHERE = re.compile(r"^(?:Élément )?« [^»]+ » : ")


def _sheet_message(text: str) -> str:
    """A schema message said for a spreadsheet: no element name, NILL for xsi:nil."""
    text = _WHERE.sub("", text.strip())
    text = text.replace('xsi:nil="true"', "NILL").replace("(xsi:nil)", "(NILL)")
    text = text.replace("omettez l'élément facultatif", "laissez la cellule vide si facultative,")
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return text


class Conversion:
    """The result of reading a spreadsheet: accepted passages (spooled), errors, envelope.

    Use as a context manager (the spool is a temporary file)."""

    def __init__(self, *, organisation: Organisation | None = None):
        self.organisation = organisation
        self.header: Header | None = None
        self.sheet_name = ""
        self.rows_read = 0
        self.accepted = 0
        self.rows_left_out = 0
        self.error_total = 0
        # The size of the deposit file the accepted rows make, counted as they are read.
        self.xml_bytes = ENVELOPE_BYTES
        self._passage_bytes = 0
        self.errors: list[SheetError] = []
        self.emitter_id_client = ""
        self.certifier_id_client = ""
        self.id_contract = ""
        self.nature = ""
        self._explicit: dict[str, tuple[str, int]] = {}
        # idTechnique seen → its row, keyed by the string's hash: 200,000 identifiers of up
        # to 255 characters would otherwise weigh up to 80 MB. (Two identifiers sharing a
        # 64-bit hash within one file: about one chance in 10^9 at 200,000 rows.)
        self._ids: dict[int, int] = {}
        self._groups: dict[tuple[str, str], _Group] = {}
        self._spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._validator = reader.passage_schema()

    # -- context manager
    def __enter__(self) -> "Conversion":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._spool.close()

    # -- results
    def sheet_rows(self) -> list[int]:
        """The sheet row of each accepted passage, in the order of the XML file."""
        rows: list[int] = []
        for group in self._groups.values():
            rows.extend(group.rows)
        return rows

    def stored_errors(self) -> list[dict]:
        """The errors for `Deposit.sheet_errors`: capped, with a summary when capped."""
        entries = [error.as_dict() for error in self.errors]
        if self.error_total > len(self.errors):
            entries.append(
                {
                    "row": None,
                    "column": "",
                    "label": "",
                    "message": (
                        f"… et {self.error_total - len(self.errors)} autre(s) erreur(s) non "
                        f"listée(s) ({self.error_total} au total, sur {self.rows_left_out} "
                        "ligne(s) écartée(s))."
                    ),
                    "total": self.error_total,
                    "rows": self.rows_left_out,
                }
            )
        return entries

    def write_xml(self, out: IO[str], *, id_flux: str | None = None, timestamp: str | None = None):
        """Write the accepted passages as one deposit file (fresh idFlux, now)."""
        writer.write(
            out,
            id_flux=id_flux or str(uuid.uuid4()),
            timestamp=timestamp or timezone.localtime().replace(microsecond=0).isoformat(),
            emitter_id_client=self.emitter_id_client,
            certifier_id_client=self.certifier_id_client,
            id_contract=self.id_contract,
            certifications=[
                (group.certification_type, group.code, self._passages(group))
                for group in self._groups.values()
            ],
            action="CREATION",
            nature=self.nature or None,
        )

    def _passages(self, group: _Group) -> Iterator[dict]:
        for offset in group.offsets:
            self._spool.seek(offset)
            yield json.loads(self._spool.readline())

    # -- reading
    def read(
        self,
        rows: Iterator[tuple[int, tuple]],
        *,
        meter: Meter | None = None,
        progress: Progress | None = None,
    ) -> None:
        first = []
        for row in rows:
            first.append(row)
            if len(first) >= HEADER_SCAN_ROWS:
                break
        header = find_header(first)
        if header is None:
            raise _no_header()
        self.header = header
        limit = settings.DEPOSIT_MAX_PASSAGES
        started = False
        seen = 0
        for number, values in itertools.chain(
            [row for row in first if row[0] > header.last_row], rows
        ):
            seen += 1
            if progress is not None and seen % PROGRESS_EVERY == 0:
                # Every row counts, empty ones too: the caller's heartbeat must go on
                # through a stretch of thousands of empty formatted rows.
                progress(self.rows_read, meter.fraction if meter else 0.0)
            if not started and self._is_description(values, header):
                continue
            cells = self._cells(values, header)
            if not cells:
                continue
            started = True
            self.rows_read += 1
            if self.rows_read > limit:
                raise SheetRefused(
                    f"Le tableur contient plus de {xlsx.grouped(limit)} lignes de "
                    "passages, la limite d'un dépôt : répartissez-les sur plusieurs tableurs."
                )
            self._row(number, cells)
        if not self.rows_read:
            raise SheetRefused(
                f"Le tableur ne contient aucun passage sous l'en-tête (ligne {header.last_row}) : "
                "saisissez un passage par ligne, à partir de la première ligne libre."
            )
        self._finish()

    def _is_description(self, values, header: Header) -> bool:
        """The official template's description rows (type, consigne, exemple…)."""
        for index in range(min(header.caption_width, len(values))):
            if not is_blank(values[index]) and fold(as_text(values[index])) in CAPTIONS:
                return True
        return any(
            isinstance(value, str) and fold(value).startswith(START_MARKER) for value in values
        )

    def _cells(self, values, header: Header) -> dict[str, tuple[Column, str, object]]:
        cells = {}
        passage_level = False
        for index, column, letter in header.positions:
            if column.kind == "skip" or index >= len(values):
                continue
            value = values[index]
            if is_blank(value):
                continue
            cells[column.key] = (column, letter, value)
            if column.key not in ENVELOPE_KEYS:
                passage_level = True
        # A row with only certification or identifier cells (copied down the template) is
        # not a passage.
        return cells if passage_level else {}

    def _error(self, row: int, key: str, message: str) -> SheetError:
        column = BY_KEY[key]
        message = message if message.endswith(".") else message + "."
        letter = self.header.letters.get(key, "") if self.header else ""
        return SheetError(row, letter, column.label, message)

    def _row(self, number: int, cells: dict) -> None:
        problems: dict[str, str] = {}
        values: dict[str, object] = {}
        for key, (column, _letter, raw) in cells.items():
            try:
                values[key] = convert_cell(column, raw)
            except ValueError as exc:
                problems[key] = str(exc)
        self._check_envelope(number, values, problems)
        for key in REQUIRED_KEYS:
            if key not in values and key not in problems:
                problems[key] = (
                    "donnée obligatoire (dictionnaire des données) : renseignez cette cellule"
                    + (" (OUI ou NON)." if BY_KEY[key].kind == "bool" else ".")
                )
        passage = self._passage(values, problems)
        if passage is not None:
            for key, message in self._schema_problems(passage):
                problems.setdefault(key, message)
        id_technique = values.get("id_technique")
        if id_technique and "id_technique" not in problems:
            earlier = self._ids.get(hash(id_technique))
            if earlier is not None:
                problems["id_technique"] = (
                    f"l'Id Technique « {id_technique} » figure déjà ligne {earlier} : chaque "
                    "passage doit avoir son propre identifiant."
                )
            else:
                self._ids[hash(id_technique)] = number
        if problems:
            self.rows_left_out += 1
            for key in sorted(problems, key=COLUMN_ORDER.__getitem__):
                self.error_total += 1
                if len(self.errors) < MAX_ERRORS:
                    self.errors.append(self._error(number, key, problems[key]))
            return
        group_key = (values["type"], values["code"])
        group = self._groups.get(group_key)
        self.xml_bytes += self._passage_bytes + (0 if group else CERTIFICATION_BYTES)
        limit = settings.DEPOSIT_MAX_BYTES
        if self.xml_bytes > limit:
            raise SheetRefused(
                f"À la ligne {number}, les passages acceptés dépassent déjà la taille maximale "
                f"d'un fichier de dépôt ({limit // 1_000_000} Mo, la limite de la plateforme "
                "officielle) : répartissez les lignes sur plusieurs tableurs "
                f"({xlsx.grouped(self.accepted)} passage(s) accepté(s) avant elle "
                "tiennent dans un fichier)."
            )
        if group is None:
            group = self._groups[group_key] = _Group(*group_key)
        self._spool.seek(0, io.SEEK_END)
        group.offsets.append(self._spool.tell())
        group.rows.append(number)
        self._spool.write(json.dumps(passage, ensure_ascii=False).encode() + b"\n")
        self.accepted += 1

    def _check_envelope(self, number: int, values: dict, problems: dict) -> None:
        certification_type = values.get("type")
        if certification_type is None and "type" not in problems:
            problems["type"] = "type de certification obligatoire : RNCP ou RS."
        elif certification_type is not None and len(certification_type) > 255:
            problems["type"] = "type de certification trop long : RNCP ou RS."
        code = values.get("code")
        if code is None and "code" not in problems:
            problems["code"] = "code de la certification obligatoire (ex. RNCP34762)."
        elif code is not None:
            if code.isdigit() and certification_type in ("RNCP", "RS"):
                # "34762" for the fiche RNCP34762: the register is in the Type column.
                code = values["code"] = certification_type + code
            if len(code) > 100:
                problems["code"] = f"code trop long ({len(code)} caractères, 100 au plus)."
        nature = values.get("nature")
        if nature is not None and nature not in BY_KEY["nature"].values:
            problems["nature"] = (
                f"valeur « {nature} » non admise ; valeurs possibles : CERTIFICATEUR, "
                "TIERS_CONFIANCE (ou TIERS_DE_CONFIANCE)."
            )
        for key, length, what in (
            ("emitter", (8, 8), "l'idClient compte exactement 8 caractères"),
            ("certifier", (8, 8), "l'idClient compte exactement 8 caractères"),
            ("contract", (1, 20), "l'idContrat compte de 1 à 20 caractères"),
        ):
            value = values.get(key)
            if value is not None and not length[0] <= len(value) <= length[1]:
                problems[key] = f"{what} (ici « {value} ») : recopiez-le du courriel reçu."
        for key, what in (
            ("emitter", "émetteur"),
            ("certifier", "certificateur"),
            ("contract", "idContrat"),
            ("nature", "nature du déposant"),
        ):
            value = values.get(key)
            if value is None or key in problems:
                continue
            first = self._explicit.get(key)
            if first is None:
                self._explicit[key] = (value, number)
            elif first[0] != value:
                problems[key] = self._mismatch(key, what, value, first)

    @staticmethod
    def _mismatch(key: str, what: str, value: str, first: tuple[str, int]) -> str:
        if key == "certifier":
            return (
                f"un fichier ne concerne qu'un certificateur : cette ligne nomme {value}, la "
                f"ligne {first[1]} {first[0]} ; déposez les passages de chaque certificateur "
                "dans un tableur distinct."
            )
        if key == "emitter":
            return (
                f"un fichier n'a qu'un émetteur : cette ligne nomme {value}, la ligne "
                f"{first[1]} {first[0]} ; indiquez le même idClient sur toutes les lignes."
            )
        return (
            f"{what} « {value} » différent de celui de la ligne {first[1]} (« {first[0]} ») : "
            "une seule valeur par fichier."
        )

    def _passage(self, values: dict, problems: dict) -> dict | None:
        fields = {key: values[key] for key in FIELD_KEYS if key in values}
        enrolment = {key: values[key] for key in ENROLMENT_KEYS if key in values}
        if enrolment or any(key in problems for key in ENROLMENT_KEYS):
            fields["enrolment"] = enrolment
        result = {key: values[key] for key in RESULT_KEYS if key in values}
        if "overall_score" in values or result:
            digital: dict = {"results": [result] if result else None}
            if "overall_score" in values:
                digital["overall_score"] = values["overall_score"]
            fields["digital_level"] = digital
        kind, identity = self._identity(values, problems)
        if kind is None:
            return None
        return {
            "id_technique": values.get("id_technique"),
            "fields": fields,
            "identity_kind": kind,
            "identity": identity,
        }

    def _identity(self, values: dict, problems: dict) -> tuple[str | None, dict]:
        def given(keys) -> bool:
            return any(key in values or key in problems for key in keys)

        holder = given(key for key in HOLDER_KEYS if key != "birth_name")
        dossier = given(DOSSIER_KEYS)
        if given(("nir",)):
            if dossier:
                problems.setdefault(
                    "dossier_id",
                    "renseignez soit le NIR, soit le dossier de formation (bloc 9), pas les deux.",
                )
                return None, {}
            return "national_id", {"nir": values.get("nir"), "birth_name": values.get("birth_name")}
        if dossier and holder:
            problems.setdefault(
                "dossier_id",
                "renseignez soit le titulaire (bloc 8), soit le dossier de formation (bloc 9), "
                "pas les deux.",
            )
            return None, {}
        if dossier:
            # The official template marks the birth name mandatory: filled beside a
            # training dossier, it is not a second identification.
            return "dossier", {key: values.get(key) for key in DOSSIER_KEYS}
        if not holder and not given(("birth_name",)):
            problems.setdefault(
                "birth_name",
                "titulaire non identifié : renseignez le bloc 8 (nom, prénom, sexe, naissance), "
                "ou le NIR avec le nom de naissance, ou le bloc 9 (dossier de formation).",
            )
            return None, {}
        identity = {key: values[key] for key in HOLDER_KEYS if key in values}
        # Required by the schema but nillable: an empty cell means "not known".
        for key in ("usage_name", "birth_month", "birth_day"):
            if key not in problems:
                identity.setdefault(key, None)
        if identity.get("birth_insee"):
            identity.pop("birth_postal_code", None)
        return "holder", identity

    def _schema_problems(self, passage: dict) -> list[tuple[str, str]]:
        written = writer.passage_xml(passage)
        # What the passage will weigh in the deposit file (and its line end).
        self._passage_bytes = len(written.encode()) + 1
        xml = (
            f'<w xmlns:cpf="{n.NAMESPACE}" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"{written}</w>"
        )
        try:
            element = etree.fromstring(xml)[0]
        except etree.XMLSyntaxError:  # characters refused above; kept as a safety net
            return [("id_technique", "ligne illisible : retapez ses cellules.")]
        if self._validator.validate(element):
            return []
        found = []
        for entry in self._validator.error_log:
            message = entry.message
            if "Missing child element" in message:
                # For an xsd:all, libxml2 lists every element still allowed: the missing
                # ones are the required among them.
                expected = _EXPECTED_LIST.search(message)
                tags = (
                    [_ANY_NS.sub("", t).strip() for t in expected.group(1).split(",")]
                    if expected
                    else []
                )
                missing = [tag for tag in tags if tag in REQUIRED_TAGS] or tags[:1]
                for tag in missing:
                    found.append(
                        (
                            TAG_COLUMNS.get(tag, "id_technique"),
                            "donnée obligatoire manquante : renseignez cette cellule.",
                        )
                    )
                continue
            element_name = _ELEMENT.search(message)
            tag = element_name.group(1) if element_name else ""
            found.append((TAG_COLUMNS.get(tag, "id_technique"), _sheet_message(french(message))))
        return found

    def _finish(self) -> None:
        explicit = {key: value for key, (value, _row) in self._explicit.items()}
        emitter, certifier, contract = (
            explicit.get("emitter"),
            explicit.get("certifier"),
            explicit.get("contract"),
        )
        if self.organisation is not None and not (emitter and certifier and contract):
            default_emitter, default_certifier, default_contract = _defaults(
                self.organisation, certifier
            )
            emitter = emitter or default_emitter
            if not certifier:
                certifier = default_certifier
                contract = contract or default_contract
            elif not contract and certifier == default_certifier:
                contract = default_contract
        self.emitter_id_client = emitter or ""
        self.certifier_id_client = certifier or ""
        self.id_contract = contract or ""
        self.nature = explicit.get("nature") or (
            "CERTIFICATEUR" if emitter and emitter == certifier else "TIERS_CONFIANCE"
        )
        if not self.accepted:
            return
        letters = self.header.letters if self.header else {}
        for key, value, what in (
            ("emitter", emitter, "l'idClient de l'émetteur"),
            ("certifier", certifier, "l'idClient du certificateur"),
            ("contract", contract, "l'idContrat du certificateur"),
        ):
            if not value:
                column = BY_KEY[key]
                where = (
                    f"colonne {letters[key]} ({column.label})"
                    if key in letters
                    else f"colonne « {column.label} » ({column.id}), absente du fichier"
                )
                raise SheetRefused(
                    f"Impossible de déterminer {what} : la {where} n'est renseignée sur aucune "
                    "ligne, et aucun identifiant de dépôt activé de votre organisme ne le "
                    "fournit. Renseignez-la, ou activez vos droits de dépôt."
                )


def _no_header() -> SheetRefused:
    return SheetRefused(
        "En-tête introuvable : la première feuille doit porter, au-dessus des passages, la "
        "ligne des identifiants (1.1, 1.2 … 9.3) ou celle des intitulés (Id Flux, Horodatage "
        "… Prenom 1 Titulaire) du modèle. Partez du modèle à télécharger sur cette page."
    )


def _defaults(
    organisation: Organisation, certifier_id: str | None
) -> tuple[str | None, str | None, str | None]:
    """(emitter idClient, certifier idClient, idContrat) from the organisation's activated
    deposit identifiers, for the cells left empty."""
    if certifier_id is None:
        try:
            emitter, certifier = samples.accounts_for(organisation)
        except samples.NoSample:
            return None, None, None
        return emitter.id_client, certifier.id_client, certifier.id_contract
    active = DepositAccount.objects.active().filter(organisation=organisation)
    own = active.filter(role=AccountRole.CERTIFIER).first()
    depositor = active.filter(role=AccountRole.DEPOSITOR).first()
    if own is not None and own.id_client == certifier_id:
        return own.id_client, own.id_client, own.id_contract
    emitter = depositor or own
    account = DepositAccount.objects.filter(
        role=AccountRole.CERTIFIER, id_client=certifier_id
    ).first()
    contract = None
    if account is not None and may_deposit(
        organisation=organisation, id_client=account.id_client, id_contract=account.id_contract
    ):
        contract = account.id_contract
    return (emitter.id_client if emitter else None), certifier_id, contract


def convert(
    stream: IO[bytes],
    *,
    organisation: Organisation | None = None,
    progress: Progress | None = None,
) -> Conversion:
    """Read a spreadsheet of passages (XLSX or CSV, recognised by content), streaming, in
    bounded memory whatever the file (see `sheets.xlsx` for a workbook's limits).

    Empty idClient/idContrat cells are filled from the organisation's activated deposit
    identifiers. `progress(rows, fraction)` is called every PROGRESS_EVERY passage rows
    with the share of the file read. Raises SheetRefused when the file as a whole cannot
    be read; otherwise the Conversion holds the accepted passages and the errors of the
    rows left out. The caller closes it (use it in a `with` block)."""
    kind = files.recognise(stream)
    conversion = Conversion(organisation=organisation)
    meter = files.Meter()
    try:
        if kind == "csv":
            conversion.read(files.csv_rows(stream, meter), meter=meter, progress=progress)
            return conversion
        with files.open_workbook(stream, progress) as workbook:
            for sheet in files.xlsx_sheets(workbook):
                rows = files.xlsx_rows(workbook, sheet, meter)
                head = [row for _, row in zip(range(HEADER_SCAN_ROWS), rows, strict=False)]
                if find_header(head) is None:
                    rows.close()
                    continue
                conversion.sheet_name = sheet.title
                conversion.read(itertools.chain(head, rows), meter=meter, progress=progress)
                return conversion
            raise _no_header()
    except BaseException:
        conversion.close()
        raise


# ---------------------------------------------------------------- deposit


@dataclass
class SheetDeposit:
    """What a spreadsheet deposit gave: the Deposit (None when no row was acceptable)."""

    deposit: Deposit | None
    accepted: int
    rows_left_out: int
    errors: list[SheetError]
    error_total: int


def deposit(*, organisation: Organisation, user, name: str, stream: IO[bytes]) -> SheetDeposit:
    """Convert a spreadsheet and deposit its passages at once (`deposit_conversion`).

    For the command line and tests: the web page converts in a background task
    (`sheets.imports`). Raises SheetRefused and engine.DepositRefused."""
    with convert(stream, organisation=organisation) as conversion:
        return deposit_conversion(conversion, organisation=organisation, user=user, name=name)


def write_xml_file(conversion: "Conversion") -> IO[bytes]:
    """The deposit file of the accepted rows, in a temporary file (positioned at 0)."""
    xml = tempfile.TemporaryFile()  # noqa: SIM115 (the caller closes it)
    try:
        text = io.TextIOWrapper(xml, encoding="utf-8", newline="\n")
        conversion.write_xml(text)
        text.flush()
        text.detach()
        xml.seek(0)
    except BaseException:
        xml.close()
        raise
    return xml


def deposit_conversion(
    conversion: "Conversion",
    *,
    organisation: Organisation,
    user,
    name: str,
    xml: IO[bytes] | None = None,
    then: Callable[[Deposit], None] | None = None,
) -> SheetDeposit:
    """Deposit the passages of a converted spreadsheet through the same engine as an XML
    upload.

    The acceptable rows are written as one deposit file (fresh idFlux, now; or `xml`, the
    file `write_xml_file` already wrote) and received on the SHEET channel: the engine
    stores it before any database write, so that no write transaction lasts while 200 MB
    are copied (on SQLite it would lock the whole database), and processing starts on
    commit. Then, in one short transaction, the Deposit records the sheet row of each
    passage and the rows left out, and `then(deposit)` runs (the caller's own record).
    When no row is acceptable, nothing is stored. Raises engine.DepositRefused and
    engine.StorageUnavailable."""
    if not conversion.accepted:
        return SheetDeposit(
            None, 0, conversion.rows_left_out, conversion.errors, conversion.error_total
        )
    with write_xml_file(conversion) if xml is None else contextlib.nullcontext(xml) as file:
        received = engine.receive(
            organisation=organisation,
            user=user,
            channel=Channel.SHEET,
            name=name,
            stream=file,
        )
    with transaction.atomic():
        received.sheet_rows = conversion.sheet_rows()
        received.sheet_errors = conversion.stored_errors()
        received.save(update_fields=["sheet_rows", "sheet_errors"])
        if then is not None:
            then(received)
    return SheetDeposit(
        received,
        conversion.accepted,
        conversion.rows_left_out,
        conversion.errors,
        conversion.error_total,
    )
