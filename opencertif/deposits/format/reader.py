"""Reading a deposit file: whole-file validation, then the passages one by one.

Two streaming passes over the (possibly gzip-compressed) file:

1. `validate` parses with the project's XSD (libxml2 validates while it parses), reads the
   envelope (flux, sender, certifier, each certification's type and code) and counts the
   passages. A file that fails here is rejected as a whole.
2. `passages` parses again without the schema and yields one PassageRecord per
   <passageCertification>, with the certification it belongs to, clearing each element
   once read: memory does not grow with the file.

Entities, DTDs and network access are refused.
"""

import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO

from lxml import etree

from opencertif.deposits.format import names as n
from opencertif.deposits.format.messages import french, french_syntax

SCHEMA_PATH = Path(__file__).with_name("deposit.xsd")
MAX_REPORTED_ERRORS = 100
FULL_ERROR_LIST_BELOW = 20 * 1024 * 1024
_SKIPPABLE = re.compile(rb"\s*(<\?.*?\?>|<!--.*?-->)", re.S)
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']""")


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


@dataclass
class FileError:
    """A whole-file error, in the shape of the official report's <erreur>."""

    type: str
    message: str
    line: int = 0
    column: int = 0


@dataclass
class CertificationHeader:
    index: int
    type: str = ""
    code: str = ""
    nature: str = ""
    passages: int = 0


@dataclass
class Envelope:
    id_flux: str = ""
    timestamp: str = ""
    action: str = "CREATION"
    emitter_id_client: str = ""
    certifier_id_client: str = ""
    id_contract: str = ""
    certifications: list[CertificationHeader] = field(default_factory=list)
    passage_count: int = 0


@dataclass(slots=True)
class PassageRecord:
    """One passage as read from the file, in code names (see names.py)."""

    line: int
    certification: CertificationHeader
    id_technique: str
    fields: dict
    identity_kind: str  # "holder", "national_id" or "dossier"
    identity: dict


def open_file(path: str | Path) -> IO[bytes]:
    """Open a stored deposit, transparently decompressing `.gz`."""
    path = Path(path)
    with path.open("rb") as probe:
        compressed = probe.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if compressed else path.open("rb")


def _prolog_problems(stream: IO[bytes]) -> list[FileError]:
    head = stream.read(65536)
    stream.seek(0)
    if not head.strip():
        return [FileError("XML", "Le fichier est vide.", 1, 1)]
    # Skip the XML declaration, processing instructions and comments: the next thing must
    # be the root element. A DOCTYPE (where entities are declared) is refused outright.
    position = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while found := _SKIPPABLE.match(head, position):
        position = found.end()
    rest = head[position:].lstrip()
    if rest.startswith(b"<!"):
        return [
            FileError(
                "XML",
                "Le fichier contient une déclaration DOCTYPE ou ENTITY, refusée par sécurité : "
                "le format de dépôt n'en utilise pas.",
                1,
                1,
            )
        ]
    if not rest and len(head) == 65536:
        return [
            FileError(
                "XML",
                "Aucun élément racine dans les 64 premiers Kio : le fichier commence par un "
                "prologue anormalement long.",
                1,
                1,
            )
        ]
    declared = _ENCODING.match(head)
    if declared and declared.group(1).decode("ascii", "replace").upper().replace("_", "-") not in (
        "UTF-8",
        "UTF8",
    ):
        return [
            FileError(
                "XML",
                f"Encodage « {declared.group(1).decode('ascii', 'replace')} » déclaré : le "
                "fichier doit être encodé en UTF-8.",
                1,
                1,
            )
        ]
    return []


def _parser_args(*, validating: bool = False) -> dict:
    args = {"no_network": True, "load_dtd": False, "huge_tree": False, "remove_comments": True}
    if not validating:
        # With a schema, lxml then reports every error as "no element found"; no entity can
        # be declared there anyway: the prolog check refused any DOCTYPE before parsing.
        args["resolve_entities"] = False
    return args


def _error_from_log(entry) -> FileError:
    is_schema = entry.domain_name in ("SCHEMASV", "SCHEMASP")
    return FileError(
        "XSD" if is_schema else "XML",
        french(entry.message) if is_schema else french_syntax(entry.message),
        entry.line or 0,
        entry.column or 0,
    )


_ENVELOPE_TAGS = tuple(
    n.NS + name
    for name in (
        "idFlux",
        "horodatage",
        "action",
        "idClient",
        "idContrat",
        "type",
        "code",
        "natureDeposant",
        "certification",
        "passageCertification",
    )
)


def validate(
    stream: IO[bytes], *, max_passages: int | None = None
) -> tuple[Envelope, list[FileError]]:
    """Check the whole file against the format; return its envelope and the errors found."""
    problems = _prolog_problems(stream)
    if problems:
        return Envelope(), problems
    envelope = Envelope()
    current = CertificationHeader(index=0)
    context = etree.iterparse(
        stream,
        events=("end",),
        tag=_ENVELOPE_TAGS,
        schema=schema(),
        **_parser_args(validating=True),
    )
    ns_len = len(n.NS)
    try:
        for _event, element in context:
            name = element.tag[ns_len:]
            if name == "passageCertification":
                current.passages += 1
                envelope.passage_count += 1
                if max_passages is not None and envelope.passage_count > max_passages:
                    return envelope, [
                        FileError(
                            "LIMITE",
                            f"Le fichier contient plus de {max_passages:,} passages, la limite "
                            "d'un dépôt : répartissez-les sur plusieurs fichiers.".replace(
                                ",", "\u202f"
                            ),
                            element.sourceline or 0,
                        )
                    ]
                element.clear(keep_tail=False)
                while element.getprevious() is not None:
                    del element.getparent()[0]
                continue
            text = (element.text or "").strip()
            parent = element.getparent()
            parent_name = parent.tag[ns_len:] if parent is not None else ""
            if name == "certification":
                current.index = len(envelope.certifications)
                envelope.certifications.append(current)
                current = CertificationHeader(index=len(envelope.certifications))
                element.clear(keep_tail=False)
            elif name == "type" and parent_name == "certification":
                current.type = text
            elif name == "code" and parent_name == "certification":
                current.code = text
            elif name == "natureDeposant":
                current.nature = text
            elif name == "idFlux":
                envelope.id_flux = text
            elif name == "horodatage":
                envelope.timestamp = text
            elif name == "action":
                envelope.action = text or "CREATION"
            elif name == "idClient" and parent_name == "emetteur":
                envelope.emitter_id_client = text
            elif name == "idClient" and parent_name == "certificateur":
                envelope.certifier_id_client = text
            elif name == "idContrat":
                envelope.id_contract = text
    except etree.XMLSyntaxError as exc:
        errors = [_error_from_log(entry) for entry in context.error_log][:MAX_REPORTED_ERRORS]
        if not errors:
            line, column = exc.position if exc.position else (0, 0)
            found = re.match(r"line (\d+): b?['\"](.*)['\"]$", exc.msg or "", re.S)
            message = found.group(2) if found else (exc.msg or "")
            errors = [FileError("XML", french_syntax(message), line, column)]
        return envelope, errors
    if envelope.passage_count == 0:
        return envelope, [FileError("CONTENU", "Le fichier ne contient aucun passage.", 0, 0)]
    return envelope, []


@lru_cache(maxsize=1)
def passage_schema() -> etree.XMLSchema:
    """The same schema with <passageCertification> also declared as a root, to validate
    passages one at a time (and get their line numbers) in files too big for a tree."""
    tree = etree.parse(str(SCHEMA_PATH))
    root = tree.getroot()
    xs = "{http://www.w3.org/2001/XMLSchema}"
    element = etree.SubElement(root, xs + "element")
    element.set("name", "passageCertification")
    element.set("type", "cpf:Passage")
    return etree.XMLSchema(tree)


def schema_errors_by_passage(stream: IO[bytes]) -> list[FileError]:
    """Locate schema errors inside passages, with their lines, streaming (big files)."""
    validator = passage_schema()
    errors: list[FileError] = []
    context = etree.iterparse(
        stream, events=("end",), tag=n.NS + "passageCertification", **_parser_args()
    )
    try:
        for _event, element in context:
            if not validator.validate(element):
                errors.extend(_error_from_log(entry) for entry in validator.error_log)
                if len(errors) >= MAX_REPORTED_ERRORS:
                    break
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError:
        pass
    return errors[:MAX_REPORTED_ERRORS]


def all_schema_errors(stream: IO[bytes]) -> list[FileError]:
    """Every schema error of a (small) file, for a complete report: parse then validate."""
    try:
        tree = etree.parse(stream, etree.XMLParser(**_parser_args()))
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (0, 0)
        return [FileError("XML", french_syntax(exc.msg), line, column)]
    validator = schema()
    if validator.validate(tree):
        return []
    return [_error_from_log(entry) for entry in validator.error_log][:MAX_REPORTED_ERRORS]


def _value(element, ns_len: int):
    if element.get(n.XSI_NIL) in ("true", "1"):
        return None
    return (element.text or "").strip()


def _typed(key: str, value):
    if value is None:
        return None
    if key in n.BOOLEAN_FIELDS:
        return value in ("true", "1")
    if key in n.INTEGER_FIELDS:
        return int(value)
    return value


def passages(stream: IO[bytes], envelope: Envelope) -> Iterator[PassageRecord]:
    """Yield the passages of a file already validated, in document order."""
    context = etree.iterparse(
        stream,
        events=("start", "end"),
        tag=(n.NS + "certification", n.NS + "passageCertification"),
        **_parser_args(),
    )
    ns_len = len(n.NS)
    index = -1
    passage_fields = n.PASSAGE_FIELDS
    for event, element in context:
        if event == "start":
            if element.tag == n.NS + "certification":
                index += 1
            continue
        if element.tag != n.NS + "passageCertification":
            element.clear(keep_tail=False)
            continue
        fields: dict = {}
        identity: dict = {}
        kind = ""
        for child in element:
            name = child.tag[ns_len:]
            key = passage_fields.get(name)
            if key is not None:
                fields[key] = _typed(key, _value(child, ns_len))
            elif name == n.IDENTIFICATION:
                kind, identity = _identity(child, ns_len)
            elif name == n.ENROLMENT:
                if child.get(n.XSI_NIL) in ("true", "1"):
                    fields["enrolment"] = None
                else:
                    fields["enrolment"] = {
                        n.ENROLMENT_FIELDS[grand.tag[ns_len:]]: _value(grand, ns_len)
                        for grand in child
                    }
            elif name == n.DIGITAL_LEVEL:
                fields["digital_level"] = _digital(child, ns_len)
        yield PassageRecord(
            line=element.sourceline or 0,
            certification=envelope.certifications[index],
            id_technique=fields.pop("id_technique", ""),
            fields=fields,
            identity_kind=kind,
            identity=identity,
        )
        element.clear(keep_tail=False)
        while element.getprevious() is not None:
            del element.getparent()[0]


def _digital(element, ns_len: int) -> dict:
    data: dict = {"results": []}
    for child in element:
        name = child.tag[ns_len:]
        if name == "scoreGeneral":
            data["overall_score"] = int(child.text)
        elif name == "resultats":
            for result in child:
                data["results"].append(
                    {
                        n.DIGITAL_RESULT_FIELDS[part.tag[ns_len:]]: _typed(
                            n.DIGITAL_RESULT_FIELDS[part.tag[ns_len:]], _value(part, ns_len)
                        )
                        for part in result
                    }
                )
    return data


def _identity(element, ns_len: int) -> tuple[str, dict]:
    for block in element:
        name = block.tag[ns_len:]
        if name == n.HOLDER:
            identity: dict = {}
            for child in block:
                part = child.tag[ns_len:]
                if part == n.BIRTH_PLACE:
                    for choice in child:
                        for code in choice:
                            code_name = code.tag[ns_len:]
                            key = (
                                "birth_insee" if code_name == n.BIRTH_INSEE else "birth_postal_code"
                            )
                            identity[key] = _value(code, ns_len)
                else:
                    key = n.HOLDER_FIELDS[part]
                    identity[key] = _typed(key, _value(child, ns_len))
            return "holder", identity
        if name == n.NATIONAL_ID:
            return "national_id", {
                n.NATIONAL_ID_FIELDS[child.tag[ns_len:]]: _value(child, ns_len) for child in block
            }
        if name == n.TRAINING_DOSSIER:
            return "dossier", {
                n.DOSSIER_FIELDS[child.tag[ns_len:]]: _value(child, ns_len) for child in block
            }
    return "", {}
