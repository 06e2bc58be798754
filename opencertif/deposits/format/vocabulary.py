"""The values of the deposit format's enumerations and the French labels of its data.

The stored values are the official ones (they go back into XML files unchanged); the
labels are what the certifier space shows and what the declaration form offers.
"""

OBTAINED_BY = (
    ("PAR_ADMISSION", "Par admission (jury, dossier, notes)"),
    ("PAR_SCORING", "Par score (un seuil à atteindre)"),
)
EXAM_MODES = (
    ("EN_PRESENTIEL", "En présentiel"),
    ("A_DISTANCE", "À distance"),
    ("MIXTE", "Mixte"),
)
LANGUAGE_LEVELS = (
    ("A1", "A1"),
    ("A2", "A2"),
    ("B1", "B1"),
    ("B2", "B2"),
    ("C1", "C1"),
    ("C2", "C2"),
    ("INSUFFISANT", "Insuffisant"),
)
HONOURS = (
    ("SANS_MENTION", "Sans mention"),
    ("MENTION_ASSEZ_BIEN", "Mention assez bien"),
    ("MENTION_BIEN", "Mention bien"),
    ("MENTION_TRES_BIEN", "Mention très bien"),
    ("MENTION_TRES_BIEN_AVEC_FELICITATIONS_DU_JURY", "Très bien, félicitations du jury"),
)
ACCESS_MODES = (
    ("FORMATION_INITIALE_HORS_APPRENTISSAGE", "Formation initiale hors apprentissage"),
    ("FORMATION_INITIALE_APPRENTISSAGE", "Formation initiale en apprentissage"),
    (
        "FORMATION_CONTINUE_HORS_CONTRAT_DE_PROFESSIONNALISATION",
        "Formation continue hors contrat de professionnalisation",
    ),
    (
        "FORMATION_CONTINUE_CONTRAT_DE_PROFESSIONNALISATION",
        "Formation continue en contrat de professionnalisation",
    ),
    ("VAE", "Validation des acquis de l'expérience (VAE)"),
    ("EQUIVALENCE_DIPLOME_ETRANGER", "Équivalence (diplôme étranger)"),
    ("CANDIDAT_LIBRE", "Candidat libre"),
)
VAE_ROUTES = (
    ("VAE_CLASSIQUE", "VAE classique"),
    ("CONGES_VAE", "Congé VAE (avec accompagnement dédié)"),
)
INITIATIVES = (
    ("CERTIFIE", "La personne elle-même"),
    ("OF", "L'organisme de formation"),
    ("POLE_EMPLOI", "France Travail (Pôle emploi)"),
    ("EMPLOYEUR", "L'employeur"),
    ("AUTRE", "Autre"),
)
NATURES = (("CERTIFICATEUR", "Certificateur"), ("TIERS_CONFIANCE", "Tiers de confiance"))
SEXES = (("F", "Femme"), ("M", "Homme"))
DIGITAL_DOMAINS = (
    ("1", "1 – Littératie de l'information et des données"),
    ("2", "2 – Communication et collaboration"),
    ("3", "3 – Création de contenu numérique"),
    ("4", "4 – Sécurité"),
    ("5", "5 – Résolution de problèmes"),
)
IDENTITY_KINDS = (
    ("holder", "Identité détaillée (nom, prénom, sexe, naissance)"),
    ("national_id", "NIR et nom de naissance"),
    ("dossier", "Dossier de formation CPF"),
)

CHOICES = {
    "obtained_by": OBTAINED_BY,
    "exam_mode": EXAM_MODES,
    "language_level": LANGUAGE_LEVELS,
    "honours": HONOURS,
    "access_mode": ACCESS_MODES,
    "vae_route": VAE_ROUTES,
    "initiative": INITIATIVES,
    "sex": SEXES,
    "identity_kind": IDENTITY_KINDS,
}

FIELD_LABELS = {
    "id_technique": "idTechnique",
    "proof_url": "Lien vers la preuve numérique",
    "option_label": "Option, mention ou spécialité",
    "obtained_by": "Obtention",
    "certified_data": "Résultat définitif (donnée certifiée)",
    "exam_start": "Début de l'examen",
    "exam_end": "Fin de l'examen",
    "exam_mode": "Modalité de l'examen",
    "exam_centre_postal_code": "Code postal du centre d'examen",
    "valid_from": "Début de validité",
    "valid_until": "Fin de validité",
    "has_language_level": "Niveau de langue européen",
    "language_level": "Niveau de langue (CECRL)",
    "has_digital_level": "Niveau numérique européen",
    "digital_level": "Niveau numérique (DigComp)",
    "overall_score": "Score général DigComp",
    "score": "Score",
    "honours": "Mention",
    "enrolment": "Modalités d'inscription",
    "access_mode": "Modalité d'accès",
    "vae_route": "Voie d'accès VAE",
    "initiative": "Initiative de l'inscription",
    "enrolment_date": "Date d'inscription",
    "verbatim": "Information complémentaire",
    "birth_name": "Nom de naissance",
    "usage_name": "Nom d'usage",
    "first_name1": "Prénom",
    "first_name2": "Deuxième prénom",
    "first_name3": "Troisième prénom",
    "birth_year": "Année de naissance",
    "birth_month": "Mois de naissance",
    "birth_day": "Jour de naissance",
    "sex": "Sexe",
    "birth_insee": "Code INSEE du lieu de naissance",
    "birth_postal_code": "Code postal du lieu de naissance",
    "birth_town": "Commune de naissance",
    "birth_country": "Code du pays de naissance",
    "birth_country_label": "Pays de naissance",
    "men_comments": "Commentaires (Éducation nationale)",
    "nir": "NIR",
    "dossier_id": "Dossier de formation",
    "dossier_name": "Nom (dossier de formation)",
    "dossier_first_name": "Prénom (dossier de formation)",
    "certification_code": "Certification",
    "certification_type": "Type de certification",
    "status": "Statut",
}


# The order of the official form and data dictionary, for display.
DISPLAY_ORDER = (
    "obtained_by",
    "certified_data",
    "valid_from",
    "valid_until",
    "honours",
    "score",
    "exam_start",
    "exam_end",
    "exam_mode",
    "exam_centre_postal_code",
    "has_language_level",
    "language_level",
    "has_digital_level",
    "overall_score",
    "option_label",
    "proof_url",
    "verbatim",
    "access_mode",
    "vae_route",
    "initiative",
    "enrolment_date",
    "nir",
    "dossier_id",
    "dossier_name",
    "dossier_first_name",
    "birth_name",
    "usage_name",
    "first_name1",
    "first_name2",
    "first_name3",
    "sex",
    "birth_day",
    "birth_month",
    "birth_year",
    "birth_insee",
    "birth_postal_code",
    "birth_town",
    "birth_country",
    "birth_country_label",
    "men_comments",
)


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
