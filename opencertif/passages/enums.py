from django.db import models


class BulkDeletionKind(models.TextChoices):
    """How the passages of a mass deletion are chosen."""

    DEPOSIT = "deposit", "Tous les passages d'un dépôt"
    CERTIFICATION = "certification", "Une certification sur une période"
    SELECTION = "selection", "Une sélection de passages"
    ID_LIST = "id_list", "Une liste d'idTechnique"


class BulkDeletionState(models.TextChoices):
    DRAFT = "draft", "Aperçu, à confirmer"
    QUEUED = "queued", "En attente"
    RUNNING = "running", "Suppression en cours"
    DONE = "done", "Supprimés"
    RESTORING = "restoring", "Restauration en cours"
    RESTORED = "restored", "Restaurés"
    FAILED = "failed", "Échec technique"


class BulkDeletionStep(models.TextChoices):
    """The transitions of a mass deletion (BulkDeletion.TRANSITIONS)."""

    CONFIRM = "confirm", "Confirmation"
    START = "start", "Début de la suppression"
    FINISH = "finish", "Fin de la suppression"
    REQUEST_RESTORE = "request_restore", "Demande de restauration"
    FINISH_RESTORE = "finish_restore", "Fin de la restauration"
    FAIL = "fail", "Échec technique"
    RETRY_DELETION = "retry_deletion", "Relance de la suppression"
    RETRY_RESTORE = "retry_restore", "Relance de la restauration"


class ComplianceStatus(models.TextChoices):
    """Whether a certifier deposits a certification's passages on time."""

    LATE = "late", "En retard"
    UP_TO_DATE = "up_to_date", "À jour"
    # registered less than DEPOSIT_LATE_MONTHS ago, nothing deposited yet
    NEW = "new", "Nouvellement enregistrée"
    # inactive fiche, or no longer one of its certifiers
    NOT_FOLLOWED = "not_followed", "Non suivie"


class AuditAction(models.TextChoices):
    """What the audit trail records about the care of passages (stable codes, French
    labels)."""

    PASSAGE_VIEWED = "passage.viewed", "Passage consulté"
    PASSAGES_LISTED = "passages.listed", "Liste de passages consultée"
    PASSAGES_EXPORTED = "passages.exported", "Passages exportés"
    BULK_DELETED = "passages.bulk_deleted", "Suppression en masse effectuée"
    BULK_CONFIRMED = "passages.bulk_deletion_confirmed", "Suppression en masse confirmée"
    BULK_RESTORE_REQUESTED = "passages.bulk_restore_requested", "Restauration en masse demandée"
    BULK_RESTORED = "passages.bulk_restored", "Suppression en masse restaurée"
    BULK_RETRIED = "passages.bulk_retried", "Suppression en masse relancée"
