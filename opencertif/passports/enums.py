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


class RequestAuditAction(models.TextChoices):
    """What the audit trail records about holders' requests and staff reads of a passport
    (stable codes, French labels)."""

    CREATED = "passport_request.created", "Demande d'un titulaire envoyée"
    VIEWED = "passport_request.viewed", "Demande d'un titulaire consultée"
    CORRECTED = "passport_request.corrected", "Demande d'un titulaire traitée"
    REFUSED = "passport_request.refused", "Demande d'un titulaire refusée"
    PASSPORT_READ = "passport.read_by_staff", "Passeport consulté par l'équipe de la plateforme"
