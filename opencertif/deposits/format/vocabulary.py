"""What the interface shows of a passage's data: French labels of its fields and of
their values, in the display order, the NIR masked.

The passage fields, their vocabularies and labels are defined once in `fields.py`.
"""

from opencertif.deposits.format import fields as f

# The vocabularies of the passage fields are defined with the fields; named here too for
# the pages and filters that offer them.
OBTAINED_BY = f.OBTAINED_BY
EXAM_MODES = f.EXAM_MODES
LANGUAGE_LEVELS = f.LANGUAGE_LEVELS
HONOURS = f.HONOURS
ACCESS_MODES = f.ACCESS_MODES
VAE_ROUTES = f.VAE_ROUTES
INITIATIVES = f.INITIATIVES
SEXES = f.SEXES
DIGITAL_DOMAINS = f.DIGITAL_DOMAINS
# Not passage fields: the envelope's nature of depositor, the form's choice of identification.
NATURES = (("CERTIFICATEUR", "Certificateur"), ("TIERS_CONFIANCE", "Tiers de confiance"))
IDENTITY_KINDS = (
    ("holder", "Identité détaillée (nom, prénom, sexe, naissance)"),
    ("national_id", "NIR et nom de naissance"),
    ("dossier", "Dossier de formation CPF"),
)

CHOICES = {**f.CHOICES, "identity_kind": IDENTITY_KINDS}

# The passage fields' labels, and those of a passage's other columns.
FIELD_LABELS = {
    **f.LABELS,
    "certification_code": "Certification",
    "certification_type": "Type de certification",
    "status": "Statut",
}

# The order of the official form and data dictionary, for display.
DISPLAY_ORDER = f.DISPLAY_ORDER


def label_of(key: str) -> str:
    return FIELD_LABELS.get(key, key)


def value_label(key: str, value) -> str:
    """A stored value as the interface shows it: enumerations by their label, booleans in
    words, nil as « non renseigné »."""
    if value is None or value == "":
        return "non renseigné"
    if isinstance(value, bool):
        return "oui" if value else "non"
    choices = dict(CHOICES.get(key, ()))
    return choices.get(str(value), str(value))


def mask_nir(nir: str) -> str:
    """Sex, year and month of birth only: the rest of a NIR is never displayed."""
    nir = (nir or "").strip()
    if len(nir) < 5:
        return "•" * len(nir)
    return f"{nir[0]} {nir[1:3]} {nir[3:5]} •• ••• •••"
