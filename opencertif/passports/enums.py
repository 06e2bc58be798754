"""The passport's vocabulary: stable stored codes, French labels."""

from django.db import models


class MatchOutcome(models.TextChoices):
    """What the sign-in's identity found in the reference population."""

    MATCHED = "matched", "Identité reconnue"
    NONE = "none", "Aucune personne ne correspond à cette identité"
    SEVERAL = "several", "Plusieurs personnes correspondent à cette identité"
    INCOMPLETE = "incomplete", "L'identité transmise est incomplète"


class ExperienceKind(models.TextChoices):
    JOB = "job", "Emploi"
    TRAINING = "training", "Formation"
    VOLUNTEERING = "volunteering", "Bénévolat"


class DocumentKind(models.TextChoices):
    CV = "cv", "CV signé (PDF)"
    CREDENTIAL = "credential", "Attestation numérique (Open Badges)"


class EntryStatus(models.TextChoices):
    """What a signed document's guaranteed entry is today, as its verification finds it."""

    VALID = "valid", "Garanti — toujours valide"
    MODIFIED = "modified", "Modifié depuis"
    WITHDRAWN = "withdrawn", "Retiré par le certificateur"
    UNKNOWN = "unknown", "Introuvable"
    DECLARATIVE = "declarative", "Déclaratif — non vérifié"


class DocumentAuditAction(models.TextChoices):
    """What the audit trail records about signed documents (stable codes, French labels)."""

    CV_PDF_ISSUED = "signed_document.cv_issued", "CV signé émis"
    CREDENTIAL_ISSUED = "signed_document.credential_issued", "Attestation numérique émise"


class HiddenField(models.TextChoices):
    """What a share link may hide from its online view."""

    MENTION = "mention", "Mentions"
    DATES = "dates", "Dates"
    BIRTH_DATE = "birth_date", "Date de naissance"
    DECLARATIVE = "declarative", "Entrées déclaratives"


class RequestKind(models.TextChoices):
    CORRECTION = "correction", "Correction d'une certification"
    MISSING = "missing", "Certification manquante"


class RequestState(models.TextChoices):
    OPEN = "open", "En attente de réponse"
    CORRECTED = "corrected", "Traitée"
    REFUSED = "refused", "Refusée"


class RequestStep(models.TextChoices):
    CORRECT = "correct", "Traiter la demande"
    REFUSE = "refuse", "Refuser la demande"


class CorrectedField(models.TextChoices):
    """What a holder says is wrong on a guaranteed certification."""

    NAME = "name", "Nom ou prénom"
    DATE = "date", "Date d'obtention ou de validité"
    MENTION = "mention", "Mention"
    CERTIFICATION = "certification", "Intitulé de la certification"
    OTHER = "other", "Autre"
