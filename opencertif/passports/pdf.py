"""PDF rendering (WeasyPrint) and PAdES signing (pyHanko) of the platform's documents.

Rendering fetches nothing from the network: the stylesheet is read from this package and
the only URLs WeasyPrint may open are `data:` ones. The document's id is written in the
PDF's Info dictionary (`/opencertifdocument`), where the verification finds it."""

import functools
import io
import logging
from pathlib import Path

from django.conf import settings

from opencertif.passports import keys

logger = logging.getLogger(__name__)

STYLESHEET = Path(__file__).resolve().parent / "pdf" / "document.css"
# The HTML <meta name> WeasyPrint turns into an Info key (lower case, letters and digits).
DOCUMENT_META = "opencertif-document"
DOCUMENT_KEY = "/opencertifdocument"
REASON = "Document émis par opencertif"
FIELD_NAME = "SignatureOpencertif"


@functools.cache
def _stylesheet():
    import weasyprint  # heavy (Pango): loaded on the first document only

    return weasyprint.CSS(string=STYLESHEET.read_text(), url_fetcher=_fetcher())


def _fetcher():
    import weasyprint

    return weasyprint.URLFetcher(allowed_protocols={"data"}, timeout=1)


def render(html: str) -> bytes:
    """The PDF of an HTML page (with the documents' stylesheet), the <meta> names of its
    head written in the PDF's Info dictionary."""
    import weasyprint

    return weasyprint.HTML(string=html, url_fetcher=_fetcher(), base_url=None).write_pdf(
        stylesheets=[_stylesheet()], custom_metadata=True
    )


@functools.lru_cache(maxsize=4)
def _signer(material: keys.SigningMaterial):
    from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    certificate = next(iter(load_certs_from_pemder_data(material.cert_pem)))
    chain = list(load_certs_from_pemder_data(material.chain_pem)) if material.chain_pem else []
    return signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=load_private_key_from_pemder_data(material.key_pem, None),
        cert_registry=SimpleCertificateStore.from_certs([certificate, *chain]),
    )


def _validation_context(material: keys.SigningMaterial):
    """For embedding revocation data (LTV): the chain's root as trust anchor, fetching
    OCSP/CRL from the network. None for the self-signed development key (nothing to
    fetch)."""
    if material.development or not material.chain_pem:
        return None
    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko_certvalidator import ValidationContext

    chain = list(load_certs_from_pemder_data(material.chain_pem))
    return ValidationContext(trust_roots=[chain[-1]], other_certs=chain, allow_fetching=True)


def sign(pdf: bytes) -> bytes:
    """Sign a PDF (PAdES baseline) with the platform's key: signer name, reason, a
    timestamp from PASSPORT_TSA_URL when set, and the validation data (LTV) when a
    production chain lets it be fetched; without them, the signature stays valid."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers, timestamps
    from pyhanko.sign.fields import SigSeedSubFilter

    material = keys.current()
    timestamper = (
        timestamps.HTTPTimeStamper(settings.PASSPORT_TSA_URL, timeout=10)
        if settings.PASSPORT_TSA_URL
        else None
    )
    context = _validation_context(material)

    def attempt(with_ltv: bool) -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            reason=REASON,
            name=material.signer_name,
            location=settings.SITE_URL,
            subfilter=SigSeedSubFilter.PADES,
            embed_validation_info=with_ltv,
            validation_context=context if with_ltv else None,
            use_pades_lta=with_ltv and timestamper is not None,
        )
        return signers.sign_pdf(
            writer, meta, signer=_signer(material), timestamper=timestamper
        ).getvalue()

    if context is not None:
        try:
            return attempt(True)
        except Exception:
            # Revocation data unreachable: the signature is still made, without it.
            logger.warning("Données de validation (LTV) indisponibles : signature sans elles")
    return attempt(False)
