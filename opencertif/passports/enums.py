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


class HolderAction(models.TextChoices):
    """What the audit trail records of a holder's own writes and readings of their passport."""

    EXPERIENCE_CREATED = "passport.experience_created", "Entrée déclarative ajoutée"
    EXPERIENCE_UPDATED = "passport.experience_updated", "Entrée déclarative modifiée"
    EXPERIENCE_DELETED = "passport.experience_deleted", "Entrée déclarative supprimée"
    CV_CREATED = "passport.cv_created", "CV créé"
    CV_UPDATED = "passport.cv_updated", "CV modifié"
    CV_DELETED = "passport.cv_deleted", "CV supprimé"
    SHARE_CREATED = "passport.share_created", "Lien de partage créé"
    SHARE_REVOKED = "passport.share_revoked", "Lien de partage révoqué"
    SHARE_DELETED = "passport.share_deleted", "Lien de partage supprimé"
    EXPORTED = "passport.exported", "Données du passeport téléchargées par leur titulaire"
