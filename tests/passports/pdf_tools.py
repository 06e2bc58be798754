"""Altered copies of signed PDFs, as a forger would make them, for the verification's
tests."""

import io
import zlib

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import copy_into_new_writer


def one_byte_changed(data: bytes, *, at: float = 0.5) -> bytes:
    """The file with one byte of its signed part changed (never the signature itself,
    which pyHanko writes in the last revision)."""
    position = int(len(data) * at)
    changed = bytearray(data)
    changed[position] ^= 0x01
    return bytes(changed)


def grade_appended(data: bytes, text: bytes = b"Mention tres bien") -> bytes:
    """An incremental update appended after the signature, writing over the first page
    (« a better grade »), as an editor that saves incrementally does."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    stream = generic.StreamObject(stream_data=b"BT /F1 14 Tf 60 700 Td (" + text + b") Tj ET")
    writer.add_stream_to_page(0, writer.add_object(stream))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted(data: bytes) -> bytes:
    """The same PDF, password-protected."""
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(data)))
    writer.encrypt("proprietaire", "secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def decompression_bomb(inflated: int = 400 * 1024 * 1024) -> bytes:
    """A small PDF whose cross-reference stream inflates to `inflated` bytes of zeros."""
    compressor = zlib.compressobj(9)
    chunk = bytes(1024 * 1024)
    body = b"".join(compressor.compress(chunk) for _ in range(inflated // len(chunk)))
    body += compressor.flush()
    head = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    head += b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    offset = len(head)
    xref = (
        b"3 0 obj\n<< /Type /XRef /Size 4 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length "
        + str(len(body)).encode()
        + b" >>\nstream\n"
        + body
        + b"\nendstream\nendobj\n"
    )
    return head + xref + b"startxref\n" + str(offset).encode() + b"\n%%EOF\n"


def countersigned(data: bytes, folder) -> bytes:
    """A second signature, by another key (a development key created in `folder`), added
    after the platform's."""
    from pyhanko.sign import signers

    from opencertif.passports import keys, pdf

    material = keys._development(folder)
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(field_name="AutreSignature")
    return signers.sign_pdf(writer, meta, signer=pdf._signer(material)).getvalue()
