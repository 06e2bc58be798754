"""Where an export comes from: files, folders and zips, read as byte streams with progress."""

import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from opencertif.core.text import fold
from opencertif.registry.records import RegistryImportError

UTF8_NAME_FLAG = 0x800


class CountingReader(io.RawIOBase):
    """Wraps a binary stream and counts the bytes read, for the progress bar."""

    def __init__(self, raw: IO[bytes], on_read: Callable[[int], None]):
        self._raw = raw
        self._on_read = on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._raw.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        if size:
            self._on_read(size)
        return size

    def close(self) -> None:
        self._raw.close()
        super().close()


@dataclass
class FileSource:
    """One file of an export, possibly inside a zip."""

    name: str
    size: int
    opener: Callable[[], IO[bytes]]

    def open(self, on_read: Callable[[int], None] | None = None) -> IO[bytes]:
        raw = self.opener()
        if on_read is None:
            return raw
        return io.BufferedReader(CountingReader(raw, on_read), buffer_size=1 << 16)


def zip_entry_name(info: zipfile.ZipInfo) -> str:
    """The official zip stores UTF-8 names without the UTF-8 flag: Python then reads cp437."""
    if info.flag_bits & UTF8_NAME_FLAG:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _zip_members(path: Path) -> Iterator[FileSource]:
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise RegistryImportError(
            f"{path.name} : archive zip illisible ou corrompue ({exc})."
        ) from exc
    for info in infos:
        if info.is_dir():
            continue
        yield FileSource(
            name=zip_entry_name(info),
            size=info.file_size,
            opener=lambda info=info: archive.open(info),
        )


def _plain_file(path: Path) -> FileSource:
    return FileSource(name=path.name, size=path.stat().st_size, opener=lambda: path.open("rb"))


@dataclass
class SourceSet:
    """What the command line named: CSV exports (each a list of files) and XML files.

    The loose CSV files named on the command line, or found in one folder, form one export;
    each zip forms its own.
    """

    csv_sets: list[list[FileSource]]
    xml_files: list[FileSource]


def collect(paths: list[Path]) -> SourceSet:
    csv_sets: list[list[FileSource]] = []
    xml_files: list[FileSource] = []
    loose_csv: list[FileSource] = []

    def add_group(members) -> None:
        group = []
        for source in members:
            suffix = source.name.lower().rsplit(".", 1)[-1]
            if suffix == "csv":
                group.append(source)
            elif suffix == "xml":
                xml_files.append(source)
        if group:
            csv_sets.append(group)

    for path in paths:
        if not path.exists():
            raise RegistryImportError(f"{path} : fichier ou dossier introuvable.")
        if path.is_dir():
            children = sorted(child for child in path.iterdir() if child.is_file())
            add_group(
                _plain_file(child) for child in children if child.suffix.lower() in (".csv", ".xml")
            )
            for child in children:
                if child.suffix.lower() == ".zip":
                    add_group(_zip_members(child))
        elif path.suffix.lower() == ".zip":
            add_group(_zip_members(path))
        elif path.suffix.lower() == ".csv":
            loose_csv.append(_plain_file(path))
        elif path.suffix.lower() == ".xml":
            xml_files.append(_plain_file(path))
        else:
            raise RegistryImportError(
                f"{path.name} : format non reconnu (attendu : zip, dossier, .csv ou .xml de "
                "l'export France Compétences)."
            )
    if loose_csv:
        csv_sets.append(loose_csv)
    if not csv_sets and not xml_files:
        raise RegistryImportError("Aucun fichier CSV ni XML de l'export n'a été trouvé.")
    return SourceSet(csv_sets=csv_sets, xml_files=xml_files)


CSV_KINDS = (
    ("standard", "standard"),
    ("ancienne", "links"),
    ("bloc", "blocks"),
    ("voix", "routes"),
    ("certificateur", "certifiers"),
    ("partenaire", "partners"),
    ("formacode", "formacodes"),
    ("nsf", "nsf"),
    ("rome", "rome"),
    ("ccn", "agreements"),
)


def csv_kind(name: str) -> str | None:
    folded = fold(name)
    for needle, kind in CSV_KINDS:
        if needle in folded:
            return kind
    return None
