"""Reading one cell into the code names' shape: Excel dates and serial numbers, OUI/NON,
NILL, numbers that lost their leading zeros, the template's spellings the schema refuses."""

import datetime
import re

from openpyxl.utils.datetime import from_excel
from stdnum.fr import nir as nir_number

from opencertif.core.text import fold, strip_accents
from opencertif.deposits.sheets.columns import FALSE_WORDS, QUIRKS, TRUE_WORDS, Column


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value) -> str:
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
            raise ValueError(f"nombre « {as_text(value)} » : une date JJ/MM/AAAA est attendue")
        day = from_excel(value).date()
    else:
        text = as_text(value)
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
        raise ValueError(f"nombre entier attendu (ici « {as_text(value)} »)")
    text = as_text(value).replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    if re.fullmatch(r"[+-]?\d+(?:[.,]0+)?", text):
        return int(re.split(r"[.,]", text)[0])
    raise ValueError(f"nombre entier attendu (ici « {as_text(value)} »)")


def _boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    word = fold(as_text(value)).upper()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"valeur « {as_text(value)} » non reconnue : indiquez OUI ou NON")


def _enumeration(value) -> str:
    """Upper case, accents away, spaces and hyphens as underscores ("sans mention" works),
    and the template's spellings the schema refuses mapped to the right ones."""
    word = re.sub(r"[\s\-]+", "_", strip_accents(as_text(value)).upper())
    return QUIRKS.get(word, word)


def _digits_or_text(value) -> str:
    return re.sub(r"[\s\u202f\xa0]+", "", as_text(value)).upper()


# Characters XML 1.0 cannot carry (Excel cells sometimes hold them, invisible).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def convert_cell(column: Column, value):
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
        code = re.sub(r"[\s.\-\u202f\xa0]+", "", as_text(value)).upper()
        if len(code) == 15:
            if not nir_number.is_valid(code):
                raise ValueError(
                    "NIR de 15 caractères dont la clé est incorrecte : vérifiez-le, ou "
                    "saisissez seulement ses 13 premiers caractères (sans la clé)"
                )
            code = code[:13]
        return code
    return as_text(value)
