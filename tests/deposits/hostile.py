"""A corpus of hostile deposit files, written by the tests: DTDs and entities in every
encoding an XML parser can detect, behind every prologue trick, and the other classic
attacks on an XML reader (bombs, external resources, depth, size, junk).

Every file must be refused with a French message by the web, the API and the command line,
and no file may crash or stall the process that reads it. Files are built from a valid
one-passage deposit (`builders.deposit_file`), so that nothing but the attack is wrong.
"""

import gzip
import io
import zipfile

from tests.deposits import builders as b

DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# name → (DOCTYPE, what the passage's first name becomes)
PAYLOADS = {
    "internal-entity": ('<!DOCTYPE cpf:flux [<!ENTITY a "bbb">]>', "Cam&a;"),
    "billion-laughs": (
        "<!DOCTYPE cpf:flux ["
        '<!ENTITY l0 "ha">'
        + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
        + "]>",
        "&l9;",
    ),
    "quadratic-blowup": (
        f'<!DOCTYPE cpf:flux [<!ENTITY q "{"x" * 50_000}">]>',
        "&q;" * 2_000,
    ),
    "external-file": ('<!DOCTYPE cpf:flux [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;"),
    "external-http": (
        '<!DOCTYPE cpf:flux [<!ENTITY x SYSTEM "http://127.0.0.1:9/secret">]>',
        "&x;",
    ),
    "parameter-entity": (
        '<!DOCTYPE cpf:flux [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]>',
        "Camille",
    ),
    "external-dtd": ('<!DOCTYPE cpf:flux SYSTEM "http://127.0.0.1:9/evil.dtd">', "Camille"),
    "public-dtd": (
        '<!DOCTYPE cpf:flux PUBLIC "-//EVIL//DTD//FR" "file:///etc/passwd">',
        "Camille",
    ),
    "empty-doctype": ("<!DOCTYPE cpf:flux>", "Camille"),
    "entity-in-attribute": (
        '<!DOCTYPE cpf:flux [<!ATTLIST cpf:flux evil CDATA "&#38;x;"><!ENTITY x "y">]>',
        "Camille",
    ),
}

# name → what comes between the XML declaration and the DOCTYPE
PROLOGUES = {
    "plain": "",
    "long-comment": "<!-- " + "a" * 70_000 + " -->\n",
    "megabyte-comment": "<!-- " + "<!DOCTYPE " * 100_000 + " -->\n",
    "long-pi": "<?bourrage " + "p" * 100_000 + "?>\n",
    "many-comments": "<!-- x -->\n" * 5_000,
    "decoy-in-comment": "<!-- <!DOCTYPE leurre> -->\n",
    "whitespace": " \n\t" * 30_000,
}

# name → (codec, declared encoding or None to keep UTF-8's declaration, with a BOM)
ENCODINGS = {
    "utf-8-bom": ("utf-8-sig", "UTF-8"),
    "utf-16": ("utf-16", "UTF-16"),
    "utf-16-le": ("utf-16-le", "UTF-16"),
    "utf-16-be": ("utf-16-be", "UTF-16"),
    "utf-32": ("utf-32", "UTF-32"),
    "utf-32-be": ("utf-32-be", "UTF-32"),
    "latin-1": ("latin-1", "ISO-8859-1"),
    "ebcdic": ("cp500", "EBCDIC-CP-US"),
}


def _valid_text() -> str:
    return b.deposit_file([b.passage("P1")]).decode("utf-8")


def with_doctype(payload: str, prologue: str = "plain") -> bytes:
    doctype, first_name = PAYLOADS[payload]
    text = _valid_text().replace("Camille", first_name, 1)
    head, _, rest = text.partition("?>\n")
    return (head + "?>\n" + PROLOGUES[prologue] + doctype + "\n" + rest).encode("utf-8")


def encoded(payload: str, encoding: str, prologue: str = "plain") -> bytes:
    codec, declared = ENCODINGS[encoding]
    text = with_doctype(payload, prologue).decode("utf-8")
    text = text.replace('encoding="UTF-8"', f'encoding="{declared}"', 1)
    return text.encode(codec)


def _deep(levels: int) -> bytes:
    text = _valid_text()
    return text.replace(
        "<cpf:idTechnique>", "<a>" * levels + "</a>" * levels + "<cpf:idTechnique>", 1
    ).encode("utf-8")


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("depot.xml", _valid_text())
    return buffer.getvalue()


def others() -> dict[str, bytes]:
    """Attacks without a DOCTYPE, and plain junk."""
    text = _valid_text()
    return {
        "undeclared-entity": text.replace("Camille", "&x;", 1).encode(),
        "xinclude": text.replace(
            "<cpf:idTechnique>",
            '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"'
            ' parse="text"/><cpf:idTechnique>',
            1,
        ).encode(),
        "doctype-after-root": text.replace(
            "<cpf:idTechnique>", '<!DOCTYPE x [<!ENTITY a "b">]><cpf:idTechnique>', 1
        ).encode(),
        "deep-nesting": _deep(20_000),
        "huge-text-node": text.replace("Camille", "C" * 12_000_000, 1).encode(),
        "huge-attribute": text.replace(
            "<cpf:idTechnique>", f'<cpf:idTechnique x="{"a" * 12_000_000}">', 1
        ).encode(),
        "nul-bytes": text.encode().replace(b"Camille", b"Cam\x00ille", 1),
        "truncated": text.encode()[: len(text) // 2],
        "binary-junk": bytes(range(256)) * 64,
        "zip-archive": _zip(),
        "gzip-inside": gzip.compress(text.encode()),
        "bom-only": b"\xef\xbb\xbf",
        "declaration-only": DECLARATION,
        "utf-16-without-doctype": text.replace('encoding="UTF-8"', 'encoding="UTF-16"', 1).encode(
            "utf-16"
        ),
        "html": b"<!DOCTYPE html><html><body>depot</body></html>",
    }


def corpus() -> dict[str, bytes]:
    """Every hostile file, by name."""
    files: dict[str, bytes] = {}
    for payload in PAYLOADS:
        for prologue in PROLOGUES:
            files[f"{payload}+{prologue}"] = with_doctype(payload, prologue)
    for encoding in ENCODINGS:
        for prologue in ("plain", "long-comment", "long-pi"):
            files[f"internal-entity+{prologue}+{encoding}"] = encoded(
                "internal-entity", encoding, prologue
            )
        files[f"billion-laughs+{encoding}"] = encoded("billion-laughs", encoding)
        files[f"external-file+{encoding}"] = encoded("external-file", encoding)
    files.update(others())
    return files


# A few that cover each family, for the slower channels (web, API, command line).
REPRESENTATIVE = (
    "internal-entity+plain+utf-16",
    "internal-entity+long-comment+utf-8-bom",
    "internal-entity+long-pi+utf-32",
    "billion-laughs+megabyte-comment",
    "external-file+whitespace",
    "parameter-entity+many-comments",
    "internal-entity+plain+ebcdic",
    "xinclude",
    "deep-nesting",
    "binary-junk",
)
