"""Reader of the official CSV export (`export-fiches-csv-AAAA-MM-JJ.zip`).

The export is ten `;`-separated files keyed by Numero_Fiche. The children files are first
spooled into a temporary on-disk SQLite index, so that fiches can be assembled one by one
from the Standard file in constant memory, whatever the size of the export.
"""

import csv
import io
import json
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from opencertif.registry.importers import values
from opencertif.registry.importers.sources import FileSource, csv_kind
from opencertif.registry.records import (
    BlockRecord,
    CertifierRecord,
    FicheRecord,
    PartnerRecord,
    RegistryImportError,
    RouteRecord,
    RowError,
    RowWarning,
)

PROVIDED = frozenset(
    {
        "source_id",
        "title",
        "abbreviation_code",
        "abbreviation_label",
        "level",
        "is_active",
        "registration_type",
        "decision_date",
        "effect_date",
        "registration_end_date",
        "last_jo_date",
        "partial_validation",
        "new_caledonia",
        "french_polynesia",
    }
)

REQUIRED_COLUMNS = {
    "standard": ("Numero_Fiche", "Intitule", "Actif"),
    "links": ("Numero_Fiche", "Ancienne_Certification", "Nouvelle_Certification"),
    "blocks": ("Numero_Fiche", "Bloc_Competences_Code", "Bloc_Competences_Libelle"),
    "routes": ("Numero_Fiche", "Si_Jury"),
    "certifiers": ("Numero_Fiche", "Siret_Certificateur", "Nom_Certificateur"),
    "partners": ("Numero_Fiche", "Nom_Partenaire", "Siret_Partenaire"),
    "formacodes": ("Numero_Fiche", "Formacode_Code", "Formacode_Libelle"),
    "nsf": ("Numero_Fiche", "Nsf_Code", "Nsf_Intitule"),
    "rome": ("Numero_Fiche", "Codes_Rome_Code", "Codes_Rome_Libelle"),
    "agreements": ("Numero_Fiche", "Ccn_1_Numero"),
}


def _rows(source: FileSource, kind: str, on_read: Callable[[int], None]):
    """Yield (line, dict) for each data row; raise RegistryImportError if unreadable."""
    stream = source.open(on_read)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
    reader = csv.reader(text, delimiter=";", quotechar='"')
    try:
        try:
            header = next(reader)
        except StopIteration:
            raise RegistryImportError(f"{source.name} : fichier vide.") from None
        header = [column.strip() for column in header]
        missing = [c for c in REQUIRED_COLUMNS[kind] if c not in header]
        if missing:
            raise RegistryImportError(
                f"{source.name} : colonnes manquantes ({', '.join(missing)}) ; "
                "est-ce bien un fichier de l'export France Compétences ?"
            )
        width = len(header)
        for row in reader:
            line = reader.line_num
            if not row or row == [""]:
                continue
            if len(row) != width:
                yield (
                    line,
                    RowError(
                        source.name, line, f"{len(row)} colonnes au lieu de {width}, ligne ignorée"
                    ),
                )
                continue
            yield line, dict(zip(header, row, strict=True))
    except UnicodeDecodeError as exc:
        raise RegistryImportError(
            f"{source.name} : le fichier n'est pas encodé en UTF-8 (vers la ligne "
            f"{reader.line_num + 1}) ; l'export officiel l'est."
        ) from exc
    except csv.Error as exc:
        raise RegistryImportError(f"{source.name}, ligne {reader.line_num} : {exc}") from exc
    finally:
        text.close()


class CsvExport:
    """Assembles FicheRecords from the files of one CSV export."""

    def __init__(self, files: list[FileSource]):
        self.files: dict[str, FileSource] = {}
        for source in files:
            kind = csv_kind(source.name)
            if kind is None:
                continue
            if kind in self.files:
                raise RegistryImportError(
                    f"Deux fichiers « {kind} » dans le même export : {self.files[kind].name} et "
                    f"{source.name}. Importez les exports l'un après l'autre."
                )
            self.files[kind] = source
        if "standard" not in self.files:
            names = ", ".join(f.name for f in files) or "aucun"
            raise RegistryImportError(
                f"Le fichier « Standard » de l'export CSV est introuvable (fichiers vus : {names})."
            )
        self.total_bytes = sum(f.size for f in self.files.values())
        self.bytes_read = 0

    def _count(self, size: int) -> None:
        self.bytes_read += size

    def records(self) -> Iterator[FicheRecord | RowError]:
        with tempfile.TemporaryDirectory(prefix="opencertif-import-") as tmp:
            index = sqlite3.connect(str(Path(tmp) / "children.sqlite3"))
            try:
                index.execute("PRAGMA journal_mode=OFF")
                index.execute("PRAGMA synchronous=OFF")
                index.execute(
                    "CREATE TABLE child (number TEXT, kind TEXT, file TEXT, line INTEGER, "
                    "payload TEXT)"
                )
                index.execute("CREATE TABLE seen (number TEXT PRIMARY KEY)")
                yield from self._spool_children(index)
                index.execute("CREATE INDEX child_number ON child (number, kind, line)")
                yield from self._assemble(index)
            finally:
                index.close()

    def _spool_children(self, index: sqlite3.Connection) -> Iterator[RowError]:
        for kind, source in self.files.items():
            if kind == "standard":
                continue
            batch = []
            for line, row in _rows(source, kind, self._count):
                if isinstance(row, RowError):
                    yield row
                    continue
                try:
                    number, _register = values.number(row["Numero_Fiche"])
                except values.ValueProblem as exc:
                    yield RowError(source.name, line, str(exc))
                    continue
                batch.append((number, kind, source.name, line, json.dumps(row)))
                if len(batch) >= 5000:
                    index.executemany("INSERT INTO child VALUES (?, ?, ?, ?, ?)", batch)
                    batch.clear()
            index.executemany("INSERT INTO child VALUES (?, ?, ?, ?, ?)", batch)

    def _assemble(self, index: sqlite3.Connection) -> Iterator[FicheRecord | RowError]:
        standard = self.files["standard"]
        for line, row in _rows(standard, "standard", self._count):
            if isinstance(row, RowError):
                yield row
                continue
            try:
                record = self._standard_record(row, line)
            except values.ValueProblem as exc:
                yield RowError(standard.name, line, str(exc))
                continue
            try:
                index.execute("INSERT INTO seen VALUES (?)", (record.number,))
            except sqlite3.IntegrityError:
                yield RowError(
                    standard.name, line, f"{record.number} figure deux fois, ligne ignorée"
                )
                continue
            children = index.execute(
                "SELECT kind, file, line, payload FROM child WHERE number = ? ORDER BY kind, line",
                (record.number,),
            ).fetchall()
            yield from self._attach(record, children)
            yield record
        orphans = index.execute(
            "SELECT file, line, number FROM child WHERE number NOT IN (SELECT number FROM seen) "
            "ORDER BY file, line"
        )
        for file, line, number in orphans:
            yield RowWarning(file, line, f"{number} absente du fichier Standard, ligne ignorée")

    def _standard_record(self, row: dict, line: int) -> FicheRecord:
        number, register = values.number(row["Numero_Fiche"])
        title = values.text(row.get("Intitule"))
        if not title:
            raise values.ValueProblem(f"{number} n'a pas d'intitulé")
        provided = PROVIDED | {kind for kind in self.files if kind != "standard"}
        return FicheRecord(
            number=number,
            register=register,
            source="csv",
            provided=frozenset(provided),
            line=line,
            source_id=values.integer(row.get("Id_Fiche")),
            title=title,
            abbreviation_code=values.text(row.get("Abrege_Libelle")),
            abbreviation_label=values.text(row.get("Abrege_Intitule")),
            level=values.level(row.get("Nomenclature_Europe_Niveau")),
            is_active=values.yes_no(row.get("Actif")) or False,
            registration_type=values.registration_type(row.get("Type_Enregistrement")),
            decision_date=values.date(row.get("Date_Decision")),
            effect_date=values.date(row.get("Date_Effet")),
            registration_end_date=values.date(row.get("Date_Fin_Enregistrement")),
            last_jo_date=values.date(row.get("Date_dernier_jo")),
            partial_validation=values.yes_no(row.get("Validation_Partielle")),
            new_caledonia=values.yes_no(row.get("Accessible_Nouvelle_Caledonie")),
            french_polynesia=values.yes_no(row.get("Accessible_Polynesie_Francaise")),
        )

    def _attach(self, record: FicheRecord, children) -> Iterator[RowError]:
        for kind, file, line, payload in children:
            row = json.loads(payload)
            try:
                self._attach_row(record, kind, row)
            except values.ValueProblem as exc:
                yield RowError(file, line, str(exc))

    @staticmethod
    def _attach_row(record: FicheRecord, kind: str, row: dict) -> None:
        if kind == "links":
            old = (row.get("Ancienne_Certification") or "").strip()
            new = (row.get("Nouvelle_Certification") or "").strip()
            if old:
                record.links.append(("old", values.number(old)[0]))
            if new:
                record.links.append(("new", values.number(new)[0]))
        elif kind == "blocks":
            code = (row.get("Bloc_Competences_Code") or "").strip()
            if not code:
                raise values.ValueProblem("bloc sans code")
            record.blocks.append(
                BlockRecord(code=code, label=values.text(row.get("Bloc_Competences_Libelle")))
            )
        elif kind == "routes":
            route = values.route_from_label(row.get("Si_Jury"))
            if all(r.route != route for r in record.routes):
                record.routes.append(RouteRecord(route=route, is_open=True))
        elif kind == "certifiers":
            name = values.text(row.get("Nom_Certificateur"))
            if not name:
                raise values.ValueProblem("certificateur sans nom")
            record.certifiers.append(
                CertifierRecord(siret=values.siret(row.get("Siret_Certificateur")), name=name)
            )
        elif kind == "partners":
            name = values.text(row.get("Nom_Partenaire"))
            if not name:
                raise values.ValueProblem("partenaire sans nom")
            record.partners.append(
                PartnerRecord(
                    siret=values.siret(row.get("Siret_Partenaire")) or "",
                    name=name,
                    habilitation=values.habilitation(row.get("Habilitation_Partenaire")),
                )
            )
        elif kind in ("nsf", "rome", "formacodes"):
            columns = {
                "nsf": ("Nsf_Code", "Nsf_Intitule"),
                "rome": ("Codes_Rome_Code", "Codes_Rome_Libelle"),
                "formacodes": ("Formacode_Code", "Formacode_Libelle"),
            }[kind]
            code, label = values.code_and_label(row.get(columns[0]), row.get(columns[1]))
            if not code:
                raise values.ValueProblem("code vide")
            target = getattr(record, kind)
            if all(existing[0] != code for existing in target):
                target.append((code, label))
        elif kind == "agreements":
            for rank in (1, 2, 3):
                agreement = (row.get(f"Ccn_{rank}_Numero") or "").strip()
                if agreement:
                    record.agreements.append(
                        (agreement, values.text(row.get(f"Ccn_{rank}_Libelle")))
                    )
