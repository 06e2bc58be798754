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

from opencertif.deposits.format import fields as f
from opencertif.deposits.format import names as n
from opencertif.deposits.format.messages import french, french_syntax

SCHEMA_PATH = Path(__file__).with_name("deposit.xsd")
MAX_REPORTED_ERRORS = 100
FULL_ERROR_LIST_BELOW = 20 * 1024 * 1024
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


_DOCTYPE_REFUSED = (
    "Le fichier contient une déclaration DOCTYPE (DTD ou entités), refusée par sécurité : "
    "le format de dépôt n'en utilise pas. Supprimez la ligne « <!DOCTYPE …> » et les "
    "entités « &…; » qu'elle déclare."
)
# Byte-order marks and the first bytes of "<?" in the encodings an XML parser may detect
# on its own (XML 1.0, appendix F). Only used to word the refusal: the parsers are told the
# file is UTF-8 whatever it declares, so any other encoding fails to parse anyway.
_FOREIGN_ENCODINGS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\x00<", "UTF-32"),
    (b"<\x00\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
    (b"\x00<\x00?", "UTF-16"),
    (b"<\x00?\x00", "UTF-16"),
    (b"\x4c\x6f\xa7\x94", "EBCDIC"),
)


def _encoding_problem(head: bytes) -> FileError | None:
    for marker, name in _FOREIGN_ENCODINGS:
        if head.startswith(marker):
            return FileError(
                "XML",
                f"Le fichier est encodé en {name} : le format de dépôt exige l'UTF-8. "
                "Enregistrez-le en UTF-8 (« Enregistrer sous… », encodage UTF-8).",
                1,
                1,
            )
    declared = _ENCODING.match(head)
    if declared and declared.group(1).decode("ascii", "replace").upper().replace("_", "-") not in (
        "UTF-8",
        "UTF8",
    ):
        return FileError(
            "XML",
            f"Encodage « {declared.group(1).decode('ascii', 'replace')} » déclaré : le "
            "fichier doit être encodé en UTF-8.",
            1,
            1,
        )
    return None


def _prolog_problems(stream: IO[bytes]) -> list[FileError]:
    """Refuse, before any schema-attached parse, a file that is not UTF-8 or that carries
    a DOCTYPE.

    The DOCTYPE is looked for by the parser itself, not in the bytes: libxml2 reads the
    prolog (whatever comments or processing instructions come first) up to the root
    element's start tag, where a DOCTYPE must have appeared if there is one. libxml2 may
    crash when it meets a declared entity while validating against a schema, so a file
    goes on to `validate` only once this parse reached its root without any DTD."""
    head = stream.read(4096)
    stream.seek(0)
    if not head.strip():
        return [FileError("XML", "Le fichier est vide.", 1, 1)]
    problem = _encoding_problem(head)
    if problem:
        return [problem]
    context = etree.iterparse(stream, events=("start",), **_parser_args())
    try:
        for _event, element in context:
            docinfo = element.getroottree().docinfo
            if docinfo.doctype or docinfo.internalDTD is not None:
                return [FileError("XML", _DOCTYPE_REFUSED, 1, 1)]
            return []
        return [FileError("XML", "Le fichier ne contient aucun élément XML.", 1, 1)]
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (0, 0)
        message = exc.msg or ""
        if "entity" in message.lower() or "doctype" in message.lower():
            return [FileError("XML", _DOCTYPE_REFUSED, line, column)]
        found = re.match(r"(.*?)(?:, line \d+, column \d+)?$", message, re.S)
        return [FileError("XML", french_syntax(found.group(1) if found else message), line, column)]
    finally:
        del context
        stream.seek(0)


def _parser_args(*, validating: bool = False) -> dict:
    # Every parse reads the file as UTF-8, whatever it declares: the format requires it, and
    # a parser that switched to UTF-16 would see markup that no byte search can.
    args = {
        "no_network": True,
        "load_dtd": False,
        "huge_tree": False,
        "remove_comments": True,
        "remove_pis": True,
        "encoding": "UTF-8",
    }
    if not validating:
        # With a schema, lxml then reports every error as "no element found"; no entity can
        # be declared there anyway: `_prolog_problems` refused any DOCTYPE before.
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


def check_path(path: str, *, max_passages: int | None = None) -> tuple[Envelope, list[FileError]]:
    """Check a stored file whole against the format (no account checks, nothing stored).

    A schema error in a small file is reported with every schema error of the file (a
    second pass), so that it can be fixed in one go. Runs without Django: the engine calls
    it in a child process (opencertif.core.isolation)."""
    with open_file(path) as stream:
        envelope, errors = validate(stream, max_passages=max_passages)
    if errors and errors[0].type == "XSD" and Path(path).stat().st_size < FULL_ERROR_LIST_BELOW:
        with open_file(path) as stream:
            errors = all_schema_errors(stream) or errors
    return envelope, errors


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


# Where the reader puts each element's value in the PassageRecord, by the element's group.
_PARTS = {
    f.PASSAGE: "fields",
    f.HOLDER: "identity",
    f.BIRTH_PLACE: "identity",
    f.NATIONAL_ID: "identity",
    f.DOSSIER: "identity",
    f.ENROLMENT: "enrolment",
    f.DIGITAL: "digital",
    f.RESULT: "result",
}


def _spec() -> dict[str, tuple[str, str]]:
    """Full tag → (part of the record, code name), for one flat pass over a passage."""
    return {n.NS + field.tag: (_PARTS[field.group], field.key) for field in f.FIELDS}


_SPEC = _spec()
_KINDS = {
    n.NS + n.HOLDER: "holder",
    n.NS + n.NATIONAL_ID: "national_id",
    n.NS + n.TRAINING_DOSSIER: "dossier",
}
_CONVERT = dict.fromkeys(n.BOOLEAN_FIELDS, bool) | dict.fromkeys(n.INTEGER_FIELDS, int)


def _read_passage(element) -> tuple[dict, str, dict]:
    """(fields, identity kind, identity) of one <passageCertification>, in one pass."""
    fields: dict = {}
    identity: dict = {}
    kind = ""
    enrolment = digital = result = None
    spec, kinds, convert, nil = _SPEC, _KINDS, _CONVERT, n.XSI_NIL
    for node in element.iter():
        tag = node.tag
        found = spec.get(tag)
        if found is None:
            if tag in kinds:
                kind = kinds[tag]
            elif tag == n.NS + n.ENROLMENT:
                enrolment = None if node.get(nil) in ("true", "1") else {}
                fields[f.ENROLMENT] = enrolment
            elif tag == n.NS + n.DIGITAL_LEVEL:
                digital = {"results": []}
                fields[f.DIGITAL] = digital
            elif tag == n.NS + n.DIGITAL_RESULT:
                result = {}
                digital["results"].append(result)
            continue
        part, key = found
        text = node.text
        if text is None:
            value = None if node.get(nil) in ("true", "1") else ""
        else:
            value = text.strip()
            kind_of = convert.get(key)
            if kind_of is bool:
                value = value in ("true", "1")
            elif kind_of is int:
                value = int(value)
        if part == "fields":
            fields[key] = value
        elif part == "identity":
            identity[key] = value
        elif part == "enrolment":
            enrolment[key] = value
        elif part == "digital":
            digital[key] = value
        else:
            result[key] = value
    return fields, kind, identity


def passages(stream: IO[bytes], envelope: Envelope) -> Iterator[PassageRecord]:
    """Yield the passages of a file already validated, in document order."""
    context = etree.iterparse(
        stream,
        events=("start", "end"),
        tag=(n.NS + "certification", n.NS + "passageCertification"),
        **_parser_args(),
    )
    certification_tag = n.NS + "certification"
    index = -1
    for event, element in context:
        if element.tag == certification_tag:
            if event == "start":
                index += 1
            else:
                element.clear(keep_tail=False)
            continue
        if event == "start":
            continue
        fields, kind, identity = _read_passage(element)
        yield PassageRecord(
            line=element.sourceline or 0,
            certification=envelope.certifications[index],
            id_technique=fields.pop("id_technique", "") or "",
            fields=fields,
            identity_kind=kind,
            identity=identity,
        )
        element.clear(keep_tail=False)
        while element.getprevious() is not None:
            del element.getparent()[0]


def read_passage(
    document: str, certification: CertificationHeader
) -> tuple[PassageRecord | None, list[FileError]]:
    """Check one standalone <passageCertification> (writer.passage_document) against the
    schema and read it exactly as a deposit file's passage is read: a passage typed in a
    form or a spreadsheet row then carries the same values as the same passage in XML."""
    parser = etree.XMLParser(**_parser_args())
    try:
        element = etree.fromstring(document.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        return None, [FileError("XML", french_syntax(exc.msg))]
    validator = passage_schema()
    if not validator.validate(element):
        return None, [_error_from_log(entry) for entry in validator.error_log][:MAX_REPORTED_ERRORS]
    fields, kind, identity = _read_passage(element)
    return (
        PassageRecord(
            line=0,
            certification=certification,
            id_technique=fields.pop("id_technique", "") or "",
            fields=fields,
            identity_kind=kind,
            identity=identity,
        ),
        [],
    )
