"""Our own template of the spreadsheet (XLSX with lists and explanations, or a CSV header),
written by code from the columns — never a copy of the official file."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from opencertif.deposits.sheets.columns import COLUMNS, Column

NILL = "NILL"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
