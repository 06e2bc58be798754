"""Spreadsheets of passages: the official Excel template, ours, or a CSV, turned into deposits.

Certifiers without an IT department fill the official Excel template of the Caisse des
Dépôts (sheet "Tableau declaration": data IDs 1.1…9.3 on one row, labels on the next) rather
than write XML. This module reads such a file — or our own template (`template_xlsx`), or a
CSV with the same columns — streaming, row by row:

1. the file is recognised by its content (XLSX or UTF-8 text), never by its name; anything
   else, a corrupt or password-protected workbook, an empty file or one without the header
   raises `SheetRefused` with one message;
2. the header is found by data ID or label (accents, case and spaces tolerated; extra
   columns ignored);
3. each row becomes a passage in the code names of `format/names.py` (what
   `writer.passage_xml` takes), with its certification and envelope values; the quirks of
   the official template are mapped (OUI/NON, NILL, Excel dates and numbers, leading zeros
   lost, `TIERS_DE_CONFIANCE`, `EQUIVALENCE_(DIPLOME_ETRANGER)`);
4. each passage is validated with the project's XSD; every error names the sheet row and
   the column (letter and label), in French, with what to fix. A row with an error is left
   out; the others are kept (spooled to a temporary file: memory does not grow with the
   sheet).

The accepted rows are then written as one deposit file (`Conversion.write_xml`) and, for a
deposit, handed to the very same engine as an uploaded XML file (`deposit`). Columns,
values and errors are described in docs/formats/spreadsheet.md.
"""

import array
import codecs
import contextlib
import csv
import datetime
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
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation
from stdnum.fr import nir as nir_number

from opencertif.core.text import fold, strip_accents
from opencertif.deposits import engine, samples, xlsx_stream
from opencertif.deposits.enums import AccountRole, Channel
from opencertif.deposits.format import names as n
from opencertif.deposits.format import reader, vocabulary, writer
from opencertif.deposits.format.messages import french
from opencertif.deposits.models import Deposit, DepositAccount
from opencertif.deposits.services import may_deposit
from opencertif.organisations.models import Organisation

# Errors kept in memory and stored on a deposit; beyond, only counted.
MAX_ERRORS = 500
HEADER_SCAN_ROWS = 40
MIN_HEADER_MATCHES = 5
NILL = "NILL"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A CSV record (one or several lines) beyond this is not a passage: refused before the csv
# module holds it, so that one endless line cannot take the memory.
MAX_RECORD_CHARS = xlsx_stream.MAX_ROW_CHARS
# How often the progress callback of `convert` is called, in rows read.
PROGRESS_EVERY = 250
# The deposit file around the passages (envelope, then each <certification>), at most.
ENVELOPE_BYTES = 1_000
CERTIFICATION_BYTES = 400

# progress(rows read, share of the file read)
Progress = Callable[[int, float], None]


class SheetRefused(ValueError):
    """The file as a whole cannot be read as a spreadsheet of passages (one message)."""


# ---------------------------------------------------------------- the columns


@dataclass(frozen=True)
class Column:
    """One column of the template: data ID, label, code name, and how to read it."""

    id: str
    label: str
    key: str
    kind: str = "text"  # skip, text, upper, bool, date, int, enum, postal, insee, country, nir
    required: bool = False
    nillable: bool = False
    values: tuple[str, ...] = ()
    hint: str = ""
    aliases: tuple[str, ...] = ()


BOOLEAN = ("OUI", "NON")


def _values(choices) -> tuple[str, ...]:
    """The stored values of one of the format's enumerations (format/vocabulary.py)."""
    return tuple(value for value, _label in choices)


COLUMNS: tuple[Column, ...] = (
    Column("1.1", "Id Flux", "id_flux", "skip", hint="Automatique : ne rien inscrire."),
    Column("1.2", "Horodatage", "timestamp", "skip", hint="Automatique : ne rien inscrire."),
    Column(
        "2.1",
        "Id Client",
        "emitter",
        "upper",
        hint="idClient de l'émetteur (8 caractères). Vide : celui de votre organisme.",
    ),
    Column(
        "3.1",
        "Id Client 2",
        "certifier",
        "upper",
        hint="idClient du certificateur (8 caractères). Vide : celui de votre organisme.",
    ),
    Column(
        "3.2",
        "Id Contrat",
        "contract",
        "upper",
        hint="idContrat du certificateur. Vide : celui du certificateur.",
    ),
    Column("4.1", "Type", "type", "enum", True, values=("RNCP", "RS"), hint="RNCP ou RS."),
    Column("4.2", "Code", "code", "upper", True, hint="Numéro de la fiche, ex. RNCP34762."),
    Column(
        "4.3",
        "Nature Deposant",
        "nature",
        "enum",
        values=_values(vocabulary.NATURES),
        hint="Vide : CERTIFICATEUR si vous êtes le certificateur, sinon TIERS_CONFIANCE.",
    ),
    Column(
        "5.1",
        "Id Technique",
        "id_technique",
        "text",
        True,
        hint="Votre identifiant du passage, unique (1 à 255 caractères).",
    ),
    Column("5.2", "Url Preuve", "proof_url", hint="Lien durable vers la preuve numérique."),
    Column("5.3", "Libelle Option", "option_label", hint="Option, mention ou spécialité."),
    Column(
        "5.4",
        "Obtention Certification",
        "obtained_by",
        "enum",
        True,
        values=_values(vocabulary.OBTAINED_BY),
    ),
    Column("5.5", "Donnee Certifiee", "certified_data", "bool", True, values=BOOLEAN),
    Column("5.6", "Date Debut Examen", "exam_start", "date", hint="JJ/MM/AAAA."),
    Column("5.7", "Date Fin Examen", "exam_end", "date", hint="JJ/MM/AAAA."),
    Column(
        "5.8",
        "Modalite Passage Examen",
        "exam_mode",
        "enum",
        values=_values(vocabulary.EXAM_MODES),
    ),
    Column("5.9", "Code Postal Centre Examen", "exam_centre_postal_code", "postal"),
    Column("5.10", "Date Debut Validite", "valid_from", "date", True, True, hint="JJ/MM/AAAA."),
    Column(
        "5.11",
        "Date Fin Validite",
        "valid_until",
        "date",
        nillable=True,
        hint="JJ/MM/AAAA, ou NILL si la certification n'expire pas.",
    ),
    Column(
        "5.12", "Presence Niveau Langue Euro", "has_language_level", "bool", True, values=BOOLEAN
    ),
    Column(
        "5.13",
        "Niveau Langue Europeen",
        "language_level",
        "enum",
        values=_values(vocabulary.LANGUAGE_LEVELS),
        hint="Si la présence du niveau de langue est OUI.",
    ),
    Column(
        "5.14",
        "Presence Niveau Numerique Euro",
        "has_digital_level",
        "bool",
        True,
        values=BOOLEAN,
    ),
    Column("5.15", "Scoring", "score", nillable=True, hint="Score atteint, ou NILL."),
    Column(
        "5.16",
        "Mention Validee",
        "honours",
        "enum",
        nillable=True,
        values=_values(vocabulary.HONOURS),
        hint="Ou NILL.",
    ),
    Column("5.17", "Verbatim", "verbatim", hint="Information complémentaire."),
    Column("6.1", "Score General", "overall_score", "int", hint="DigComp : 1 à 1000."),
    Column("6.2", "Niveau", "level", "int", hint="DigComp : 1 à 8."),
    Column("6.3", "Domaine Competence Id", "domain", hint="DigComp : 1 à 5."),
    Column("6.4", "Competence Id", "competence", hint="DigComp : 1 à 6."),
    Column(
        "7.1",
        "Modalite Acces",
        "access_mode",
        "enum",
        nillable=True,
        values=_values(vocabulary.ACCESS_MODES),
        hint="Ou NILL.",
    ),
    Column(
        "7.2",
        "Voie Access Vae",
        "vae_route",
        "enum",
        values=_values(vocabulary.VAE_ROUTES),
        hint="Si la modalité d'accès est VAE.",
    ),
    Column(
        "7.3",
        "Initiative Inscription",
        "initiative",
        "enum",
        values=_values(vocabulary.INITIATIVES),
    ),
    Column("7.4", "Date Inscription", "enrolment_date", "date", hint="JJ/MM/AAAA."),
    Column("8.1", "Nom Naissance", "birth_name", required=True),
    Column("8.2", "Nom Usage", "usage_name", nillable=True, hint="Vide ou NILL : aucun."),
    Column("8.3", "Prenom 1", "first_name1", required=True),
    Column("8.4", "Prenom 2", "first_name2"),
    Column("8.5", "Prenom 3", "first_name3"),
    Column("8.6", "Annee Naissance", "birth_year", "int", True, hint="1900 à 2099."),
    Column("8.7", "Mois Naissance", "birth_month", "int", nillable=True, hint="1 à 12, ou NILL."),
    Column("8.8", "Jour Naissance", "birth_day", "int", nillable=True, hint="1 à 31, ou NILL."),
    Column("8.9", "Sexe", "sex", "enum", True, values=("F", "M")),
    Column(
        "8.10",
        "Code Insee Commune Naissance",
        "birth_insee",
        "insee",
        hint="5 caractères ; né à l'étranger : 99 + code du pays.",
        aliases=("Code Insee",),
    ),
    Column(
        "8.11",
        "Code Postal Commune Naissance",
        "birth_postal_code",
        "postal",
        nillable=True,
        hint="Si le code INSEE est vide.",
        aliases=("Code Postal",),
    ),
    Column("8.12", "Libelle Commune Naissance", "birth_town"),
    Column(
        "8.13",
        "Code Pays Naissance",
        "birth_country",
        "country",
        hint="Né à l'étranger : 3 derniers chiffres du code INSEE du pays.",
    ),
    Column("8.14", "Libelle Pays Naissance", "birth_country_label"),
    Column("9.1", "Id Dossier", "dossier_id", hint="Dossier CPF : à la place du bloc 8."),
    Column("9.2", "Nom Titulaire", "dossier_name"),
    Column("9.3", "Prenom 1 Titulaire", "dossier_first_name"),
    Column(
        "NIR",
        "NIR",
        "nir",
        "nir",
        hint="13 caractères sans la clé, avec le nom de naissance (8.1) : remplace le bloc 8.",
    ),
)
BY_KEY = {column.key: column for column in COLUMNS}
COLUMN_ORDER = {column.key: position for position, column in enumerate(COLUMNS)}

ENVELOPE_KEYS = ("emitter", "certifier", "contract", "type", "code", "nature")
FIELD_KEYS = tuple(key for key in n.PASSAGE_FIELDS.values() if key != "id_technique")
ENROLMENT_KEYS = tuple(n.ENROLMENT_FIELDS.values())
RESULT_KEYS = tuple(n.DIGITAL_RESULT_FIELDS.values())
HOLDER_KEYS = (*n.HOLDER_FIELDS.values(), "birth_insee", "birth_postal_code")
DOSSIER_KEYS = tuple(n.DOSSIER_FIELDS.values())
# Values the data dictionary requires for a CREATION, checked here to point at the column.
REQUIRED_KEYS = tuple(n.REQUIRED_FOR_CREATION)
# The template's spellings that the schema refuses.
QUIRKS = {
    "TIERS_DE_CONFIANCE": "TIERS_CONFIANCE",
    "EQUIVALENCE_(DIPLOME_ETRANGER)": "EQUIVALENCE_DIPLOME_ETRANGER",
}
TRUE_WORDS = {"OUI", "TRUE", "VRAI", "1", "O", "YES"}
FALSE_WORDS = {"NON", "FALSE", "FAUX", "0", "N", "NO"}
# Captions of the template's description rows (column A of the official template).
CAPTIONS = {
    "bloc",
    "identifiant",
    "intitule",
    "type champ",
    "obligatoire",
    "consigne",
    "exemple",
    "explication",
}
START_MARKER = "commencez votre saisie"

# XML element (local name) → the column that holds it, to place the schema's errors.
TAG_COLUMNS = {
    **n.PASSAGE_FIELDS,
    **n.HOLDER_FIELDS,
    **n.ENROLMENT_FIELDS,
    **n.DOSSIER_FIELDS,
    **n.DIGITAL_RESULT_FIELDS,
    "scoreGeneral": "overall_score",
    "niveauNumeriqueEuropeen": "overall_score",
    "resultats": "level",
    "resultat": "level",
    "modalitesInscription": "access_mode",
    "nir": "nir",
    "identifiantNational": "nir",
    "codeInsee": "birth_insee",
    "codeInseeNaissance": "birth_insee",
    "codePostal": "birth_postal_code",
    "codePostalNaissance": "birth_postal_code",
    "codeCommuneNaissance": "birth_insee",
    "titulaire": "birth_name",
    "identificationTitulaire": "birth_name",
    "dossierFormation": "dossier_id",
    "passageCertification": "id_technique",
}


def _header_key(text: str) -> str:
    return fold(text)


ID_INDEX = {column.id: column for column in COLUMNS}
LABEL_INDEX = {
    _header_key(label): column for column in COLUMNS for label in (column.label, *column.aliases)
}


# ---------------------------------------------------------------- errors


@dataclass(frozen=True)
class SheetError:
    """An error of one row, placed at its column (letter and label)."""

    row: int
    column: str  # letter in the file; "" when the column is absent from the file
    label: str
    message: str

    def __str__(self) -> str:
        if self.column:
            where = f"ligne {self.row}, colonne {self.column} ({self.label})"
        elif self.label:
            where = f"ligne {self.row}, colonne « {self.label} » (absente du fichier)"
        else:
            where = f"ligne {self.row}"
        return f"{where} : {self.message}"

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "label": self.label,
            "message": self.message,
        }


def stored_errors_summary(entries: list[dict]) -> dict:
    """What a deposit's `sheet_errors` say: the listed errors, how many rows were left
    out and how many errors there were in all (the list is capped at MAX_ERRORS)."""
    listed = [entry for entry in entries if entry.get("row")]
    summary = next((entry for entry in entries if not entry.get("row")), None)
    if summary is not None:
        return {
            "errors": listed,
            "total": summary.get("total", len(listed)),
            "rows": summary.get("rows", len({e["row"] for e in listed})),
        }
    return {"errors": listed, "total": len(listed), "rows": len({e["row"] for e in listed})}


# ---------------------------------------------------------------- reading cells


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value) -> str:
    """A cell as text: 2002.0 → "2002", dates in ISO, booleans OUI/NON."""
    if isinstance(value, bool):
        return "OUI" if value else "NON"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_YMD = re.compile(r"^(\d{4})[/\-](\d{1,2})[/\-](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(\.\d+)?)?)?$")


def _date(value) -> str:
    """ISO date of a cell (Excel date, serial number, JJ/MM/AAAA or AAAA-MM-JJ)."""
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        # A date typed in a cell formatted as a number: Excel's serial day number.
        if not 1 <= value < 73051:
            raise ValueError(f"nombre « {_text(value)} » : une date JJ/MM/AAAA est attendue")
        day = from_excel(value).date()
    else:
        text = _text(value)
        found = _DMY.match(text)
        if found:
            day_, month, year = (int(part) for part in found.groups())
        else:
            found = _YMD.match(text)
            if not found:
                raise ValueError(
                    f"date « {text} » illisible : saisissez-la au format JJ/MM/AAAA "
                    "(ou AAAA-MM-JJ), par exemple 20/06/2025"
                )
            year, month, day_ = (int(part) for part in found.groups()[:3])
        try:
            day = datetime.date(year, month, day_)
        except ValueError:
            raise ValueError(
                f"la date « {text} » n'existe pas : vérifiez le jour et le mois"
            ) from None
    if not 1900 <= day.year <= 2099:
        raise ValueError(
            f"année {day.year} hors de la plage admise (1900 à 2099) : vérifiez la date"
        )
    return day.isoformat()


def _integer(value) -> int:
    if isinstance(value, bool):
        raise ValueError("nombre entier attendu")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(f"nombre entier attendu (ici « {_text(value)} »)")
    text = _text(value).replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    if re.fullmatch(r"[+-]?\d+(?:[.,]0+)?", text):
        return int(re.split(r"[.,]", text)[0])
    raise ValueError(f"nombre entier attendu (ici « {_text(value)} »)")


def _boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    word = fold(_text(value)).upper()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"valeur « {_text(value)} » non reconnue : indiquez OUI ou NON")


def _enumeration(value) -> str:
    """Upper case, accents away, spaces and hyphens as underscores ("sans mention" works),
    and the template's spellings the schema refuses mapped to the right ones."""
    word = re.sub(r"[\s\-]+", "_", strip_accents(_text(value)).upper())
    return QUIRKS.get(word, word)


def _digits_or_text(value) -> str:
    return re.sub(r"[\s\u202f\xa0]+", "", _text(value)).upper()


# Characters XML 1.0 cannot carry (Excel cells sometimes hold them, invisible).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _convert(column: Column, value):
    """The cell's value in the code names' shape, None for NILL; ValueError otherwise."""
    if isinstance(value, str) and (found := _CONTROL.search(value)):
        raise ValueError(
            f"la cellule contient un caractère invisible (U+{ord(found.group()):04X}) que le "
            "format XML n'admet pas : retapez son contenu"
        )
    if isinstance(value, str) and value.strip().upper() in ("NILL", "NIL"):
        if column.nillable:
            if column.key == "valid_from":
                raise ValueError(
                    "la date de début de validité est obligatoire : NILL n'est pas admis ici, "
                    "saisissez la date de délivrance (JJ/MM/AAAA)"
                )
            return None
        raise ValueError(
            "NILL n'est pas admis dans cette colonne : saisissez une valeur, ou laissez la "
            "cellule vide si la donnée est facultative"
        )
    kind = column.kind
    if kind == "bool":
        return _boolean(value)
    if kind == "date":
        return _date(value)
    if kind == "int":
        return _integer(value)
    if kind == "enum":
        return _enumeration(value)
    if kind == "upper":
        return _digits_or_text(value)
    if kind == "insee":
        code = _digits_or_text(value)
        # A number lost its leading zero (1053 for 01053): INSEE codes have 5 characters.
        return code.zfill(5) if code.isdigit() and len(code) < 5 else code
    if kind == "postal":
        code = _digits_or_text(value)
        if isinstance(value, int | float) and code.isdigit() and len(code) == 4:
            # Typed as a number: a French postal code lost its leading zero.
            code = code.zfill(5)
        return code
    if kind == "country":
        code = _digits_or_text(value)
        if code.isdigit() and len(code) == 5 and code.startswith("99"):
            return code[2:]
        return code.zfill(3) if code.isdigit() and len(code) < 3 else code
    if kind == "nir":
        code = re.sub(r"[\s.\-\u202f\xa0]+", "", _text(value)).upper()
        if len(code) == 15:
            if not nir_number.is_valid(code):
                raise ValueError(
                    "NIR de 15 caractères dont la clé est incorrecte : vérifiez-le, ou "
                    "saisissez seulement ses 13 premiers caractères (sans la clé)"
                )
            code = code[:13]
        return code
    return _text(value)


# ---------------------------------------------------------------- reading files


def _size(stream: IO[bytes]) -> int:
    position = stream.tell()
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(position)
    return size


def _refuse_size(size: int) -> None:
    if size == 0:
        raise SheetRefused("Le fichier est vide.")
    limit = settings.DEPOSIT_MAX_BYTES
    if size > limit:
        raise SheetRefused(
            f"Le fichier dépasse la taille maximale d'un dépôt ({limit // 1_000_000} Mo) : "
            "répartissez les passages sur plusieurs tableurs."
        )


def _kind_of(stream: IO[bytes]) -> str:
    """ "xlsx" or "csv", from the first bytes; SheetRefused for anything else."""
    stream.seek(0)
    head = stream.read(65536)
    stream.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in head or b"EncryptedPackage" in head:
            raise SheetRefused(
                "Le classeur est protégé par un mot de passe : enregistrez-en une copie sans "
                "mot de passe (Fichier > Informations > Protéger le classeur), puis déposez-la."
            )
        raise SheetRefused(
            "Ce fichier est au format Excel 97-2003 (.xls), que la plateforme ne lit pas : "
            "enregistrez-le au format Classeur Excel (.xlsx) ou CSV UTF-8."
        )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(head):
        raise SheetRefused(
            "Le fichier texte est encodé en UTF-16 : enregistrez-le en « CSV UTF-8 (délimité "
            "par des virgules) » ou au format .xlsx."
        )
    if head.startswith(b"%PDF") or b"\x00" in head:
        raise SheetRefused(
            "Ce fichier n'est pas un tableur (son contenu a été vérifié, pas seulement son "
            "nom) : déposez un classeur Excel (.xlsx) ou un fichier CSV."
        )
    text = head[3:] if head.startswith(codecs.BOM_UTF8) else head
    try:
        decoded = codecs.getincrementaldecoder("utf-8")().decode(text, final=len(head) < 65536)
    except UnicodeDecodeError:
        raise SheetRefused(_NOT_UTF8) from None
    if decoded.lstrip().startswith("<"):
        raise SheetRefused(
            "Ce fichier est un document XML ou HTML, pas un tableur : un fichier XML de "
            "passages se dépose depuis la page « Déposer un fichier »."
        )
    return "csv"


_NOT_UTF8 = (
    "Le fichier CSV n'est pas encodé en UTF-8 (probablement Windows-1252 ou Latin-1) : dans "
    "Excel, choisissez « Enregistrer sous » puis « CSV UTF-8 (délimité par des virgules) » ; "
    "dans LibreOffice, le jeu de caractères « Unicode (UTF-8) »."
)


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without its byte order mark: a zero byte in every other position."""
    if len(head) < 8 or b"\x00" not in head:
        return False
    sample = head[:4096]
    return max(sample[0::2].count(0), sample[1::2].count(0)) >= len(sample) // 2 * 0.9


class _Lines:
    """The lines of a text stream for the csv module, each record bounded in characters:
    a line never ends, or a quoted field spans the whole file, and the file is refused
    before the csv module holds it."""

    def __init__(self, text: IO[str]):
        self.text = text
        self.record = 0  # records read so far
        self.chars = 0  # characters of the record being read

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.text.readline(MAX_RECORD_CHARS + 1)
        if not line:
            raise StopIteration
        self.chars += len(line)
        if self.chars > MAX_RECORD_CHARS:
            raise SheetRefused(
                f"Ligne {self.record + 1} : plus de "
                f"{xlsx_stream.grouped(MAX_RECORD_CHARS)} caractères sans fin de ligne (ou un "
                "guillemet jamais refermé) : ce n'est pas une ligne de passage. Vérifiez les "
                "guillemets du fichier."
            )
        return line


def _csv_rows(stream: IO[bytes], meter: "_Meter") -> Iterator[tuple[int, list]]:
    """The records of a CSV file (`;`, `,` or tab, sniffed on the first line), numbered as
    a spreadsheet shows them."""
    stream.seek(0)
    size = max(_size(stream), 1)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    lines = _Lines(text)
    try:
        first = next(lines, "")
        separator = max((";", ",", "\t"), key=first.count) if first else ";"
        if first and not first.count(separator):
            separator = ";"
        records = csv.reader(itertools.chain([first], lines), delimiter=separator)
        number = 0
        try:
            for number, record in enumerate(records, 1):  # noqa: B007 (number used below)
                lines.record, lines.chars = number, 0
                meter.fraction = min(1.0, stream.tell() / size)
                yield number, record
        except UnicodeDecodeError:
            raise SheetRefused(f"Ligne {number + 1} : caractère illisible. {_NOT_UTF8}") from None
        except csv.Error as exc:
            raise SheetRefused(
                f"Le fichier CSV est mal formé vers la ligne {number + 1} ({exc}) : vérifiez "
                "les guillemets."
            ) from None
    except UnicodeDecodeError:
        raise SheetRefused(_NOT_UTF8) from None
    finally:
        text.detach()


@dataclass
class _Meter:
    """The share of the file read so far, set by the row sources."""

    fraction: float = 0.0


def _open_workbook(stream: IO[bytes], progress: Progress | None) -> xlsx_stream.Workbook:
    stream.seek(0)
    tick = (lambda: progress(0, 0.0)) if progress is not None else None
    try:
        return xlsx_stream.Workbook(stream, tick=tick)
    except xlsx_stream.Unreadable as exc:
        raise SheetRefused(str(exc)) from None


def _xlsx_sheets(workbook: xlsx_stream.Workbook) -> list[xlsx_stream.SheetRef]:
    """Worksheets, the one named like the official template's first."""
    sheets = list(workbook.sheets)
    sheets.sort(key=lambda sheet: fold(sheet.title) != "tableau declaration")
    return sheets


def _xlsx_rows(
    workbook: xlsx_stream.Workbook, sheet: xlsx_stream.SheetRef, meter: _Meter
) -> Iterator[tuple[int, tuple]]:
    def measure(fraction: float) -> None:
        meter.fraction = fraction

    try:
        yield from workbook.rows(sheet, progress=measure)
    except xlsx_stream.Unreadable as exc:
        raise SheetRefused(str(exc)) from None


# ---------------------------------------------------------------- the header


@dataclass
class Header:
    """Where each known column sits in the file."""

    positions: list[tuple[int, Column, str]]  # (index, column, letter)
    last_row: int
    caption_width: int  # leading columns before the first known one (template captions)
    letters: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.letters = {column.key: letter for _, column, letter in self.positions}


def _matches(values) -> tuple[dict[int, Column], dict[int, Column]]:
    by_id, by_label = {}, {}
    for index, value in enumerate(values):
        if _is_blank(value) or isinstance(value, datetime.date | datetime.time):
            continue
        text = value.strip() if isinstance(value, str) else _text(value)
        if text in ID_INDEX:
            by_id[index] = ID_INDEX[text]
        key = _header_key(text)
        if key in LABEL_INDEX:
            by_label[index] = LABEL_INDEX[key]
    return by_id, by_label


def find_header(rows: list[tuple[int, tuple]]) -> Header | None:
    """The header among the first rows: a row of data IDs, of labels, or both."""
    id_row = label_row = None
    for number, values in rows:
        by_id, by_label = _matches(values)
        if id_row is None and len(by_id) >= MIN_HEADER_MATCHES:
            id_row = (number, by_id)
        if label_row is None and len(by_label) >= MIN_HEADER_MATCHES:
            label_row = (number, by_label)
        if id_row and label_row:
            break
    if id_row is None and label_row is None:
        return None
    mapping: dict[int, Column] = dict(id_row[1]) if id_row else {}
    if label_row:
        for index, column in label_row[1].items():
            mapping.setdefault(index, column)
    seen: dict[str, int] = {}
    for index, column in sorted(mapping.items()):
        if column.key in seen:
            raise SheetRefused(
                f"La colonne « {column.label} » ({column.id}) figure deux fois (colonnes "
                f"{get_column_letter(seen[column.key] + 1)} et {get_column_letter(index + 1)}) : "
                "supprimez l'une d'elles."
            )
        seen[column.key] = index
    if "id_technique" not in seen:
        raise SheetRefused(
            "La colonne « Id Technique » (5.1) est introuvable dans l'en-tête : gardez la "
            "ligne des identifiants ou des intitulés du modèle."
        )
    last = max(row[0] for row in (id_row, label_row) if row)
    return Header(
        positions=[
            (index, column, get_column_letter(index + 1))
            for index, column in sorted(mapping.items())
        ],
        last_row=last,
        caption_width=min(mapping),
    )


# ---------------------------------------------------------------- the conversion


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
REQUIRED_TAGS = {
    "idTechnique",
    "identificationTitulaire",
    "nomNaissance",
    "nomUsage",
    "prenom1",
    "anneeNaissance",
    "moisNaissance",
    "jourNaissance",
    "sexe",
    "codeCommuneNaissance",
    "nir",
    "idDossier",
    "nomTitulaire",
    "prenom1Titulaire",
    "modaliteAcces",
    "codeInsee",
    "codePostal",
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
        meter: _Meter | None = None,
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
                    f"Le tableur contient plus de {xlsx_stream.grouped(limit)} lignes de "
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
            if not _is_blank(values[index]) and fold(_text(values[index])) in CAPTIONS:
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
            if _is_blank(value):
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
                values[key] = _convert(column, raw)
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
                f"({xlsx_stream.grouped(self.accepted)} passage(s) accepté(s) avant elle "
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


def recognise(stream: IO[bytes]) -> str:
    """ "xlsx" or "csv" for an upload within the limits, from its size and first bytes
    only (cheap enough for the web request); SheetRefused otherwise."""
    _refuse_size(_size(stream))
    return _kind_of(stream)


def convert(
    stream: IO[bytes],
    *,
    organisation: Organisation | None = None,
    progress: Progress | None = None,
) -> Conversion:
    """Read a spreadsheet of passages (XLSX or CSV, recognised by content), streaming, in
    bounded memory whatever the file (see xlsx_stream for a workbook's limits).

    Empty idClient/idContrat cells are filled from the organisation's activated deposit
    identifiers. `progress(rows, fraction)` is called every PROGRESS_EVERY passage rows
    with the share of the file read. Raises SheetRefused when the file as a whole cannot
    be read; otherwise the Conversion holds the accepted passages and the errors of the
    rows left out. The caller closes it (use it in a `with` block)."""
    kind = recognise(stream)
    conversion = Conversion(organisation=organisation)
    meter = _Meter()
    try:
        if kind == "csv":
            conversion.read(_csv_rows(stream, meter), meter=meter, progress=progress)
            return conversion
        with _open_workbook(stream, progress) as workbook:
            for sheet in _xlsx_sheets(workbook):
                rows = _xlsx_rows(workbook, sheet, meter)
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
    (sheet_imports). Raises SheetRefused and engine.DepositRefused."""
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


# ---------------------------------------------------------------- our template


ENUM_COLUMNS = tuple(column for column in COLUMNS if column.values)
TEMPLATE_FIRST_ROW = 4
TEMPLATE_VALIDATED_ROWS = 20_000


def _explanation(column: Column) -> str:
    if column.kind == "skip":
        return column.hint
    parts = ["Obligatoire." if column.required else "Facultatif."]
    if column.values and column.kind != "skip":
        listed = ", ".join(column.values)
        parts.append(f"{listed}{', ou NILL' if column.nillable else ''}.")
    if column.hint:
        parts.append(column.hint)
    return " ".join(parts)


def template_xlsx() -> bytes:
    """Our own template: IDs row, labels row, explanation row, lists for the enumerations,
    the NIR column at the end. Written by code (never a copy of the official file)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Tableau declaration"
    lists = workbook.create_sheet("Listes")
    guide = workbook.create_sheet("Mode d'emploi")
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE5F5")
    for row, caption in enumerate(("Identifiant", "Intitulé", "Consigne"), 1):
        cell = sheet.cell(row, 1, caption)
        cell.font = bold
    sheet.column_dimensions["A"].width = 14
    list_column = 0
    for index, column in enumerate(COLUMNS, start=2):
        letter = get_column_letter(index)
        sheet.cell(1, index, column.id).font = bold
        label = sheet.cell(2, index, column.label)
        label.font = bold
        label.fill = fill
        explanation = sheet.cell(3, index, _explanation(column))
        explanation.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[letter].width = max(16, min(34, len(column.label) + 4))
        if column.kind in ("insee", "postal", "country", "nir", "upper") or column.key in (
            "id_technique",
            "dossier_id",
        ):
            sheet.column_dimensions[letter].number_format = "@"
        if column.kind == "date":
            sheet.column_dimensions[letter].number_format = "DD/MM/YYYY"
        values = list(column.values)
        if column.key in ("birth_month", "birth_day"):
            values = [str(day) for day in range(1, 13 if column.key == "birth_month" else 32)]
        if not values:
            continue
        if column.nillable:
            values.append(NILL)
        list_column += 1
        list_letter = get_column_letter(list_column)
        lists.cell(1, list_column, f"{column.id} {column.label}").font = bold
        for offset, value in enumerate(values, 2):
            lists.cell(offset, list_column, value)
        validation = DataValidation(
            type="list",
            formula1=f"Listes!${list_letter}$2:${list_letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=column.label,
            error=f"Valeurs attendues : {', '.join(values)[:200]}.",
            showInputMessage=True,
            promptTitle=column.label[:32],
            prompt=_explanation(column)[:250],
        )
        validation.add(f"{letter}{TEMPLATE_FIRST_ROW}:{letter}{TEMPLATE_VALIDATED_ROWS}")
        sheet.add_data_validation(validation)
    sheet.row_dimensions[3].height = 75
    sheet.freeze_panes = f"B{TEMPLATE_FIRST_ROW}"
    for row, line in enumerate(GUIDE, 1):
        guide.cell(row, 1, line)
    guide.column_dimensions["A"].width = 120
    guide["A1"].font = Font(bold=True, size=14)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


GUIDE = (
    "Déclarer des passages de certification avec ce tableur",
    "",
    "1. Saisissez un passage par ligne dans la feuille « Tableau declaration », à partir de "
    "la ligne 4. Ne modifiez pas les lignes 1 et 2 (identifiants et intitulés des colonnes).",
    "2. Les colonnes Id Flux et Horodatage sont générées par la plateforme : laissez-les vides.",
    "3. Id Client, Id Client 2 et Id Contrat vides : ceux de votre organisme sont utilisés. Un "
    "fichier ne concerne qu'un certificateur.",
    "4. Booléens : OUI ou NON. Dates : JJ/MM/AAAA. NILL : donnée non détenue, là où la "
    "consigne l'admet.",
    "5. Le titulaire : soit le bloc 8 (nom, prénoms, sexe, naissance), soit le NIR (13 "
    "caractères sans la clé) avec le nom de naissance, soit le bloc 9 (dossier de formation).",
    "6. Déposez le fichier (XLSX ou CSV UTF-8) dans votre espace, rubrique « Déposer un "
    "tableur » : chaque erreur est signalée avec sa ligne et sa colonne.",
)


def template_csv() -> str:
    """The CSV header of the same columns (labels, `;`, UTF-8 with BOM for Excel)."""
    return "\ufeff" + ";".join(column.label for column in COLUMNS) + "\r\n"
