"""Writing deposit files in the official format: sample files for users, tests, benchmarks.

The input uses the code names of format/fields.py; values are escaped; elements whose value is
None are written with xsi:nil="true" when the schema allows it, and omitted otherwise.
"""

from collections.abc import Iterable
from typing import IO
from xml.sax.saxutils import escape

from opencertif.deposits.format import fields as f
from opencertif.deposits.format import names as n

# The elements the writer knows, in the official schema's order (format/fields.py): the
# schema accepts any order, the official example uses this one, easier to read.
_PASSAGE_LAYOUT = f.layout(f.PASSAGE)
_RESULT = f.of_group(f.RESULT)
_ENROLMENT = f.of_group(f.ENROLMENT)
_HOLDER_LAYOUT = f.layout(f.HOLDER)
_INSEE, _POSTAL = f.of_group(f.BIRTH_PLACE)
_IDENTIFICATIONS = {kind: f.of_group(kind) for kind in (f.HOLDER, f.NATIONAL_ID, f.DOSSIER)}


def _element(tag: str, value, *, nillable: bool) -> str:
    if value is None:
        return f'<cpf:{tag} xsi:nil="true"/>' if nillable else ""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<cpf:{tag}>{escape(str(value))}</cpf:{tag}>"


def _field(field: f.Field, value) -> str:
    return _element(field.tag, value, nillable=field.nillable)


def passage_xml(passage: dict) -> str:
    """One <passageCertification> from a dict of code names (see format/fields.py)."""
    parts = ["<cpf:passageCertification>"]
    fields = passage.get("fields", {})
    for item in _PASSAGE_LAYOUT:
        if isinstance(item, f.Field):
            if item.key == "id_technique":
                parts.append(_field(item, passage["id_technique"]))
            elif item.key in fields:
                parts.append(_field(item, fields[item.key]))
        elif item.name == f.DIGITAL:
            parts.append(_digital(fields.get(f.DIGITAL)))
        elif item.name == f.ENROLMENT:
            if f.ENROLMENT in fields:
                parts.append(_enrolment(fields[f.ENROLMENT]))
        elif item.name == f.IDENTIFICATION:
            parts.append(_identification(passage["identity_kind"], passage["identity"]))
    parts.append("</cpf:passageCertification>")
    return "".join(parts)


def _digital(digital: dict | None) -> str:
    if digital is None:
        return ""
    inner = ""
    for field in f.of_group(f.DIGITAL):
        if field.key in digital:
            inner += _field(field, digital[field.key])
    if digital.get("results") is not None:
        inner += (
            f"<cpf:{f.RESULTS_TAG}>"
            + "".join(
                f"<cpf:{n.DIGITAL_RESULT}>"
                + "".join(_field(field, result.get(field.key)) for field in _RESULT)
                + f"</cpf:{n.DIGITAL_RESULT}>"
                for result in digital["results"]
            )
            + f"</cpf:{f.RESULTS_TAG}>"
        )
    return f"<cpf:{n.DIGITAL_LEVEL}>{inner}</cpf:{n.DIGITAL_LEVEL}>"


def _enrolment(enrolment: dict | None) -> str:
    if enrolment is None:
        return f'<cpf:{n.ENROLMENT} xsi:nil="true"/>'
    inner = "".join(
        _field(field, enrolment[field.key]) for field in _ENROLMENT if field.key in enrolment
    )
    return f"<cpf:{n.ENROLMENT}>{inner}</cpf:{n.ENROLMENT}>"


def passage_document(passage: dict) -> str:
    """One <passageCertification> as a standalone document (namespaces declared), to be
    checked and read alone (reader.read_passage)."""
    body = passage_xml(passage)
    opening = "<cpf:passageCertification>"
    return (
        f'<cpf:passageCertification xmlns:cpf="{n.NAMESPACE}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' + body[len(opening) :]
    )


def _identification(kind: str, identity: dict) -> str:
    if kind in (f.NATIONAL_ID, f.DOSSIER):
        tag = f.GROUP_BY_NAME[kind].tag
        inner = "".join(_field(field, identity.get(field.key)) for field in _IDENTIFICATIONS[kind])
        inner = f"<cpf:{tag}>{inner}</cpf:{tag}>"
    else:
        inner = f"<cpf:{n.HOLDER}>"
        place_written = False
        for item in _HOLDER_LAYOUT:
            if isinstance(item, f.Group):
                inner += _birth_place(identity)
                place_written = True
            elif not place_written and item.key in identity:
                inner += _field(item, identity[item.key])
            elif place_written and identity.get(item.key):
                # After the birth place come details (town, country) that the form sends
                # empty when unknown: written only when they hold something.
                inner += _field(item, identity[item.key])
        inner += f"</cpf:{n.HOLDER}>"
    return f"<cpf:{n.IDENTIFICATION}>{inner}</cpf:{n.IDENTIFICATION}>"


def _birth_place(identity: dict) -> str:
    # The INSEE code when there is one, the postal code (nil when unknown) otherwise.
    if identity.get(_INSEE.key):
        tag, code = f.BIRTH_INSEE_TAG, _field(_INSEE, identity[_INSEE.key])
    else:
        tag, code = f.BIRTH_POSTAL_TAG, _field(_POSTAL, identity.get(_POSTAL.key))
    place = f"<cpf:{tag}>{code}</cpf:{tag}>"
    return f"<cpf:{n.BIRTH_PLACE}>{place}</cpf:{n.BIRTH_PLACE}>"


def write(
    out: IO[str],
    *,
    id_flux: str,
    timestamp: str,
    emitter_id_client: str,
    certifier_id_client: str,
    id_contract: str,
    certifications: Iterable[tuple[str, str, Iterable[dict]]],
    action: str | None = None,
    nature: str | None = "CERTIFICATEUR",
) -> None:
    """Stream a whole deposit file to `out`: certifications as (type, code, passages)."""
    out.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<cpf:flux xmlns:cpf="{n.NAMESPACE}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f"<cpf:idFlux>{escape(id_flux)}</cpf:idFlux>\n"
        f"<cpf:horodatage>{escape(timestamp)}</cpf:horodatage>\n"
    )
    if action:
        out.write(f"<cpf:action>{action}</cpf:action>\n")
    out.write(
        f"<cpf:emetteur><cpf:idClient>{escape(emitter_id_client)}</cpf:idClient>\n"
        "<cpf:certificateurs><cpf:certificateur>"
        f"<cpf:idClient>{escape(certifier_id_client)}</cpf:idClient>"
        f"<cpf:idContrat>{escape(id_contract)}</cpf:idContrat>\n<cpf:certifications>\n"
    )
    for certification_type, code, passages in certifications:
        out.write(
            f"<cpf:certification><cpf:type>{escape(certification_type)}</cpf:type>"
            f"<cpf:code>{escape(code)}</cpf:code>"
            + (f"<cpf:natureDeposant>{nature}</cpf:natureDeposant>" if nature else "")
            + "\n<cpf:passageCertifications>\n"
        )
        for passage in passages:
            out.write(passage_xml(passage))
            out.write("\n")
        out.write("</cpf:passageCertifications></cpf:certification>\n")
    out.write(
        "</cpf:certifications></cpf:certificateur></cpf:certificateurs></cpf:emetteur>\n"
        "</cpf:flux>\n"
    )
