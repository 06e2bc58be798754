"""What goes wrong with a spreadsheet: the file as a whole refused (one message), or a
row's error placed at its column."""

from dataclasses import dataclass


class SheetRefused(ValueError):
    """The file as a whole cannot be read as a spreadsheet of passages (one message)."""


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
    out and how many errors there were in all (the list is capped: conversion.MAX_ERRORS)."""
    listed = [entry for entry in entries if entry.get("row")]
    summary = next((entry for entry in entries if not entry.get("row")), None)
    if summary is not None:
        return {
            "errors": listed,
            "total": summary.get("total", len(listed)),
            "rows": summary.get("rows", len({e["row"] for e in listed})),
        }
    return {"errors": listed, "total": len(listed), "rows": len({e["row"] for e in listed})}
