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


# Why a holder's passport is empty, told on the passport (`passeport/_no_match.html`).
MATCH_EXPLANATIONS = {
    MatchOutcome.NONE: (
        "Aucune personne de la population de référence ne porte exactement l'identité "
        "transmise par votre fournisseur d'identité (prénom, nom de naissance, sexe, date et "
        "lieu de naissance). Si vous avez obtenu une certification, votre certificateur l'a "
        "peut-être déclarée sous une identité légèrement différente."
    ),
    MatchOutcome.SEVERAL: (
        "Plusieurs personnes de la population de référence portent exactement l'identité "
        "transmise par votre fournisseur d'identité. Pour ne jamais vous montrer les "
        "certifications d'une autre personne, votre passeport reste vide tant que nos "
        "équipes n'ont pas levé l'ambiguïté."
    ),
    MatchOutcome.INCOMPLETE: (
        "Votre fournisseur d'identité n'a pas transmis une identité complète (prénom, nom de "
        "naissance, sexe, date de naissance complète et lieu de naissance) : elle ne permet "
        "pas de retrouver vos certifications avec certitude."
    ),
}


class AuditAction(models.TextChoices):
    """What the audit trail records about passports (stable codes, French labels)."""

    HOLDER_SIGNED_IN = "holder.signed_in", "Connexion d'un titulaire au passeport"
    CV_PDF_ISSUED = "signed_document.cv_issued", "CV signé émis"
    CREDENTIAL_ISSUED = "signed_document.credential_issued", "Attestation numérique émise"
    REQUEST_CREATED = "passport_request.created", "Demande d'un titulaire envoyée"
    REQUEST_VIEWED = "passport_request.viewed", "Demande d'un titulaire consultée"
    REQUEST_CORRECTED = "passport_request.corrected", "Demande d'un titulaire traitée"
    REQUEST_REFUSED = "passport_request.refused", "Demande d'un titulaire refusée"
    PASSPORT_READ = "passport.read_by_staff", "Passeport consulté par l'équipe de la plateforme"
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
