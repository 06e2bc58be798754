"""Writing deposit files in the official format: sample files for users, tests, benchmarks.

The input uses the code names of names.py; values are escaped; elements whose value is
None are written with xsi:nil="true" when the schema allows it, and omitted otherwise.
"""

from collections.abc import Iterable
from typing import IO
from xml.sax.saxutils import escape

from opencertif.deposits.format import names as n

_FIELD_TAGS = {code: tag for tag, code in n.PASSAGE_FIELDS.items()}
_HOLDER_TAGS = {code: tag for tag, code in n.HOLDER_FIELDS.items()}
_ENROLMENT_TAGS = {code: tag for tag, code in n.ENROLMENT_FIELDS.items()}
NILLABLE = {
    "valid_from",
    "valid_until",
    "score",
    "honours",
    "usage_name",
    "birth_month",
    "birth_day",
    "access_mode",
}
# The order of the official example, easier to read (the schema accepts any order).
FIELD_ORDER = (
    "proof_url",
    "option_label",
    "obtained_by",
    "certified_data",
    "exam_start",
    "exam_end",
    "exam_mode",
    "exam_centre_postal_code",
    "valid_from",
    "valid_until",
    "has_language_level",
    "language_level",
    "has_digital_level",
)
HOLDER_ORDER = (
    "birth_name",
    "usage_name",
    "first_name1",
    "first_name2",
    "first_name3",
    "birth_year",
    "birth_month",
    "birth_day",
    "sex",
)


def _element(tag: str, value, *, nillable: bool) -> str:
    if value is None:
        return f'<cpf:{tag} xsi:nil="true"/>' if nillable else ""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<cpf:{tag}>{escape(str(value))}</cpf:{tag}>"


def passage_xml(passage: dict) -> str:
    """One <passageCertification> from a dict of code names (see names.py)."""
    parts = [
        "<cpf:passageCertification>",
        _element("idTechnique", passage["id_technique"], nillable=False),
    ]
    fields = passage.get("fields", {})
    for key in FIELD_ORDER:
        if key in fields:
            parts.append(_element(_FIELD_TAGS[key], fields[key], nillable=key in NILLABLE))
    digital = fields.get("digital_level")
    if digital is not None:
        inner = ""
        if "overall_score" in digital:
            inner += _element("scoreGeneral", digital["overall_score"], nillable=False)
        if digital.get("results") is not None:
            inner += (
                "<cpf:resultats>"
                + "".join(
                    "<cpf:resultat>"
                    + _element("niveau", result.get("level"), nillable=False)
                    + _element("domaineCompetenceId", result.get("domain"), nillable=False)
                    + _element("competenceId", result.get("competence"), nillable=False)
                    + "</cpf:resultat>"
                    for result in digital["results"]
                )
                + "</cpf:resultats>"
            )
        parts.append(f"<cpf:niveauNumeriqueEuropeen>{inner}</cpf:niveauNumeriqueEuropeen>")
    for key in ("score", "honours"):
        if key in fields:
            parts.append(_element(_FIELD_TAGS[key], fields[key], nillable=True))
    if "enrolment" in fields:
        enrolment = fields["enrolment"]
        if enrolment is None:
            parts.append('<cpf:modalitesInscription xsi:nil="true"/>')
        else:
            parts.append(
                "<cpf:modalitesInscription>"
                + "".join(
                    _element(_ENROLMENT_TAGS[key], value, nillable=key in NILLABLE)
                    for key, value in enrolment.items()
                )
                + "</cpf:modalitesInscription>"
            )
    parts.append(_identification(passage["identity_kind"], passage["identity"]))
    if "verbatim" in fields:
        parts.append(_element("verbatim", fields["verbatim"], nillable=False))
    parts.append("</cpf:passageCertification>")
    return "".join(parts)


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
    if kind == "national_id":
        inner = (
            "<cpf:identifiantNational>"
            + _element("nir", identity["nir"], nillable=False)
            + _element("nomNaissance", identity["birth_name"], nillable=False)
            + "</cpf:identifiantNational>"
        )
    elif kind == "dossier":
        inner = (
            "<cpf:dossierFormation>"
            + _element("idDossier", identity["dossier_id"], nillable=False)
            + _element("nomTitulaire", identity["dossier_name"], nillable=False)
            + _element("prenom1Titulaire", identity["dossier_first_name"], nillable=False)
            + "</cpf:dossierFormation>"
        )
    else:
        inner = "<cpf:titulaire>"
        for key in HOLDER_ORDER:
            if key in identity:
                inner += _element(_HOLDER_TAGS[key], identity[key], nillable=key in NILLABLE)
        if identity.get("birth_insee"):
            code = _element("codeInsee", identity["birth_insee"], nillable=False)
            place = f"<cpf:codeInseeNaissance>{code}</cpf:codeInseeNaissance>"
        else:
            code = _element("codePostal", identity.get("birth_postal_code"), nillable=True)
            place = f"<cpf:codePostalNaissance>{code}</cpf:codePostalNaissance>"
        inner += f"<cpf:codeCommuneNaissance>{place}</cpf:codeCommuneNaissance>"
        for key in ("birth_town", "birth_country", "birth_country_label"):
            if identity.get(key):
                inner += _element(_HOLDER_TAGS[key], identity[key], nillable=False)
        inner += "</cpf:titulaire>"
    return f"<cpf:identificationTitulaire>{inner}</cpf:identificationTitulaire>"


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
