"""Builds small exports in the official CSV layout, with the quirks of the real files.

The quirks: `;` separator, every value quoted, CRLF line ends, SIRETs prefixed by a TAB,
doubled apostrophes in some texts, JJ/MM/AAAA dates, Oui/Non flags, and a zip whose UTF-8
entry names lack the UTF-8 flag.
"""

import zipfile
from pathlib import Path

STAMP = "2024_02_22"

HEADERS = {
    "Standard": [
        "Id_Fiche",
        "Numero_Fiche",
        "Intitule",
        "Abrege_Libelle",
        "Abrege_Intitule",
        "Nomenclature_Europe_Niveau",
        "Nomenclature_Europe_Intitule",
        "Accessible_Nouvelle_Caledonie",
        "Accessible_Polynesie_Francaise",
        "Date_dernier_jo",
        "Date_Decision",
        "Date_Fin_Enregistrement",
        "Date_Effet",
        "Type_Enregistrement",
        "Validation_Partielle",
        "Actif",
    ],
    "Ancienne_Nouvelle_Certification": [
        "Numero_Fiche",
        "Ancienne_Certification",
        "Nouvelle_Certification",
    ],
    "Blocs_De_Compétences": ["Numero_Fiche", "Bloc_Competences_Code", "Bloc_Competences_Libelle"],
    "CCN": [
        "Numero_Fiche",
        "Ccn_1_Numero",
        "Ccn_1_Libelle",
        "Ccn_2_Numero",
        "Ccn_2_Libelle",
        "Ccn_3_Numero",
        "Ccn_3_Libelle",
    ],
    "Certificateurs": ["Numero_Fiche", "Siret_Certificateur", "Nom_Certificateur"],
    "Formacode": ["Numero_Fiche", "Formacode_Code", "Formacode_Libelle"],
    "Nsf": ["Numero_Fiche", "Nsf_Code", "Nsf_Intitule"],
    "Partenaires": [
        "Numero_Fiche",
        "Nom_Partenaire",
        "Siret_Partenaire",
        "Habilitation_Partenaire",
    ],
    "Rome": ["Numero_Fiche", "Codes_Rome_Code", "Codes_Rome_Libelle"],
    "VoixdAccès": ["Numero_Fiche", "Si_Jury"],
}


def base_rows() -> dict[str, list[list[str]]]:
    """A small export: four good fiches and one whose date is impossible."""
    return {
        "Standard": [
            [
                "101",
                "RNCP100",
                "Responsable de la comptabilité d''entreprise",
                "",
                "",
                "NIV6",
                "Niveau 6",
                "Non",
                "Oui",
                "15/03/2021",
                "01/03/2021",
                "01/03/2026",
                "02/03/2021",
                "Enregistrement sur demande",
                "",
                "ACTIVE",
            ],
            [
                "102",
                "RNCP101",
                "Responsable comptable et financier",
                "LP",
                "Licence professionnelle",
                "NIV7",
                "Niveau 7",
                "Non",
                "Non",
                "",
                "10/01/2024",
                "10/01/2029",
                "",
                "Enregistrement de droit",
                "",
                "ACTIVE",
            ],
            [
                "201",
                "RS200",
                "Réaliser la paie d’une TPE",
                "",
                "",
                "",
                "",
                "Non",
                "Non",
                "",
                "13/06/2023",
                "13/06/2026",
                "",
                "Enregistrement sur demande",
                "Oui",
                "ACTIVE",
            ],
            [
                "301",
                "RNCP300",
                "CQP Tourier",
                "",
                "",
                "REPRISE",
                "Sans niveau",
                "Non",
                "Non",
                "21/07/2015",
                "",
                "21/07/2018",
                "",
                "Enregistrement sur demande",
                "",
                "INACTIVE",
            ],
            [
                "401",
                "RNCP400",
                "Fiche à la date impossible",
                "",
                "",
                "NIV4",
                "Niveau 4",
                "Non",
                "Non",
                "",
                "31/02/2020",
                "01/01/2025",
                "",
                "Enregistrement sur demande",
                "",
                "INACTIVE",
            ],
        ],
        "Ancienne_Nouvelle_Certification": [
            ["RNCP100", "", "RNCP101"],
            ["RNCP101", "RNCP100", ""],
        ],
        "Blocs_De_Compétences": [
            ["RNCP100", "RNCP100BC01", "Tenue de la comptabilité générale"],
            ["RNCP100", "RNCP100BC02", "Établissement des déclarations fiscales"],
            ["RNCP101", "RNCP101BC01", "Tenue de la comptabilité générale"],
        ],
        "CCN": [
            ["RNCP300", "3117", "Boulangerie-pâtisserie (Entreprises artisanales)", "", "", "", ""]
        ],
        "Certificateurs": [
            ["RNCP100", "\t11004301500012", "MINISTERE DE L'EDUCATION NATIONALE"],
            ["RNCP101", "\t11004301500012", "MINISTERE DE L'EDUCATION NATIONALE"],
            ["RS200", "\t79279132900016", "SIMPLON.CO"],
            ["RNCP300", "", "CONFEDE. NATIONALE BOULANGERS"],
            ["XYZ9", "\t79279132900016", "SIMPLON.CO"],
        ],
        "Formacode": [["RNCP100", "32663", "32663 : Comptabilité"]],
        "Nsf": [
            ["RNCP100", "314", "314 : Comptabilité, gestion"],
            ["RNCP101", "314", "314 : Comptabilité, gestion"],
            ["RNCP300", "221w", "221w : Commercialisation de produits alimentaires"],
        ],
        "Partenaires": [["RS200", "ALYRA", "\t82815245400033", "HABILITATION_ORGA_FORM"]],
        "Rome": [
            ["RNCP100", "M1203", "Comptabilité"],
            ["RNCP100", "M1206", "Management de groupe ou de service comptable"],
            ["RNCP101", "M1203", "Comptabilité"],
        ],
        "VoixdAccès": [
            ["RNCP100", "Par expérience"],
            ["RNCP100", "En contrat d’apprentissage"],
            ["RS200", "Après un parcours de formation continue"],
        ],
    }


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    def quote(value: str) -> str:
        return "" if value == "" else '"' + value.replace('"', '""') + '"'

    lines = [";".join(f'"{h}"' for h in header)]
    lines += [";".join(quote(v) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def file_name(kind: str) -> str:
    return f"export_fiches_CSV_{kind}_{STAMP}.csv"


def write_folder(folder: Path, rows: dict | None = None) -> Path:
    rows = base_rows() if rows is None else rows
    folder.mkdir(parents=True, exist_ok=True)
    for kind, header in HEADERS.items():
        if kind in rows:
            (folder / file_name(kind)).write_bytes(_csv(header, rows[kind]))
    return folder


class LegacyNameInfo(zipfile.ZipInfo):
    """Stores the UTF-8 name without the UTF-8 flag, as the official export does."""

    def _encodeFilenameFlags(self):  # noqa: N802 (overrides the standard library)
        return self.filename.encode("utf-8"), self.flag_bits & ~0x800


def write_zip(path: Path, rows: dict | None = None) -> Path:
    rows = base_rows() if rows is None else rows
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for kind, header in HEADERS.items():
            if kind in rows:
                info = LegacyNameInfo(file_name(kind), date_time=(2024, 2, 29, 10, 53, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, _csv(header, rows[kind]))
    return path
