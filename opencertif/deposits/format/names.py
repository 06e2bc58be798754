"""The official French element names of the deposit format, mapped once to code names.

Everything outside this module speaks the code names (docs/glossary.md).
"""

NAMESPACE = "urn:cdc:cpf:pc5:schema:1.0.0"
NS = "{" + NAMESPACE + "}"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"

# Direct children of <passageCertification> holding one value.
PASSAGE_FIELDS = {
    "idTechnique": "id_technique",
    "urlPreuve": "proof_url",
    "libelleOption": "option_label",
    "obtentionCertification": "obtained_by",
    "donneeCertifiee": "certified_data",
    "dateDebutExamen": "exam_start",
    "dateFinExamen": "exam_end",
    "modalitePassageExamen": "exam_mode",
    "codePostalCentreExamen": "exam_centre_postal_code",
    "dateDebutValidite": "valid_from",
    "dateFinValidite": "valid_until",
    "presenceNiveauLangueEuro": "has_language_level",
    "niveauLangueEuropeen": "language_level",
    "presenceNiveauNumeriqueEuro": "has_digital_level",
    "scoring": "score",
    "mentionValidee": "honours",
    "verbatim": "verbatim",
}
DIGITAL_LEVEL = "niveauNumeriqueEuropeen"
DIGITAL_FIELDS = {"scoreGeneral": "overall_score"}
DIGITAL_RESULT_FIELDS = {
    "niveau": "level",
    "domaineCompetenceId": "domain",
    "competenceId": "competence",
}
ENROLMENT = "modalitesInscription"
ENROLMENT_FIELDS = {
    "modaliteAcces": "access_mode",
    "voieAccessVAE": "vae_route",
    "initiativeInscription": "initiative",
    "dateInscription": "enrolment_date",
}
IDENTIFICATION = "identificationTitulaire"
HOLDER = "titulaire"
NATIONAL_ID = "identifiantNational"
TRAINING_DOSSIER = "dossierFormation"
HOLDER_FIELDS = {
    "nomNaissance": "birth_name",
    "nomUsage": "usage_name",
    "prenom1": "first_name1",
    "prenom2": "first_name2",
    "prenom3": "first_name3",
    "anneeNaissance": "birth_year",
    "moisNaissance": "birth_month",
    "jourNaissance": "birth_day",
    "sexe": "sex",
    "libelleCommuneNaissance": "birth_town",
    "codePaysNaissance": "birth_country",
    "libellePaysNaissance": "birth_country_label",
    "commentairesMEN": "men_comments",
}
BIRTH_PLACE = "codeCommuneNaissance"
BIRTH_INSEE = "codeInsee"
BIRTH_POSTAL_CODE = "codePostal"
NATIONAL_ID_FIELDS = {"nir": "nir", "nomNaissance": "birth_name"}
DOSSIER_FIELDS = {
    "idDossier": "dossier_id",
    "nomTitulaire": "dossier_name",
    "prenom1Titulaire": "dossier_first_name",
}

# Values typed in the schema, converted when read.
DATE_FIELDS = {"exam_start", "exam_end", "valid_from", "valid_until", "enrolment_date"}
BOOLEAN_FIELDS = {"certified_data", "has_language_level", "has_digital_level"}
INTEGER_FIELDS = {"birth_year", "birth_month", "birth_day", "overall_score", "level"}

# Required by the data dictionary for a CREATION although the 2026 schema made them
# optional; "nil" counts as given where the dictionary says "obligatoire (sauf nil)".
REQUIRED_FOR_CREATION = {
    "obtained_by": "obtentionCertification",
    "certified_data": "donneeCertifiee",
    "valid_from": "dateDebutValidite",
    "has_language_level": "presenceNiveauLangueEuro",
    "has_digital_level": "presenceNiveauNumeriqueEuro",
}
