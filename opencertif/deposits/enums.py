from django.db import models


class AccountRole(models.TextChoices):
    """The two roles an organisation may hold on the deposit platform."""

    CERTIFIER = "certifier", "Certificateur (dépose pour lui-même)"
    DEPOSITOR = "depositor", "Déposant pour d'autres certificateurs"


class Situation(models.TextChoices):
    """The three official situations in which an organisation activates its deposit rights."""

    SELF = "self", "Certificateur qui dépose pour lui-même"
    CERTIFIER_AND_DEPOSITOR = (
        "both",
        "Certificateur qui dépose aussi pour d'autres certificateurs",
    )
    THIRD_PARTY = "third_party", "Tiers déposant (organisme de confiance)"


class DepositState(models.TextChoices):
    RECEIVED = "received", "Reçu"
    VALIDATING = "validating", "Contrôle du fichier en cours"
    PROCESSING = "processing", "Traitement en cours"
    DONE = "done", "Traité"
    REJECTED = "rejected", "Rejeté"
    FAILED = "failed", "Échec technique"


class DepositStep(models.TextChoices):
    """The transitions of a deposit's processing (Deposit.TRANSITIONS)."""

    START_VALIDATION = "start_validation", "Début du contrôle du fichier"
    REJECT = "reject", "Rejet du fichier"
    START_PROCESSING = "start_processing", "Début du traitement des passages"
    FINISH = "finish", "Fin du traitement"
    FAIL = "fail", "Échec technique"
    RETRY = "retry", "Relance du traitement"


class Channel(models.TextChoices):
    WEB = "web", "Site"
    API = "api", "API"
    CLI = "cli", "Ligne de commande"
    FORM = "form", "Formulaire de déclaration"
    SHEET = "sheet", "Tableur"


class PassageStatus(models.TextChoices):
    OK = "ok", "Accepté"
    KO = "ko", "Refusé"
    DELETED = "deleted", "Supprimé"


class KoReason(models.TextChoices):
    """Why a passage was refused; identity refusals are re-examined automatically."""

    IDENTITY = "identity", "Titulaire non identifié"
    CERTIFICATION = "certification", "Certification"
    DATES = "dates", "Dates"
    MISSING = "missing", "Donnée obligatoire absente"
    DUPLICATE = "duplicate", "En double dans le fichier"
    EXISTS = "exists", "Déjà déposé, avec un autre contenu"
    UNKNOWN_PASSAGE = "unknown_passage", "Passage inconnu"


class PassageEventKind(models.TextChoices):
    """What happened to a passage outside of a deposit (deposits are in PassageResult)."""

    MODIFIED = "modified", "Modifié"
    DELETED = "deleted", "Supprimé"
    RESTORED = "restored", "Restauré"
    REEXAMINED = "reexamined", "Titulaire identifié après mise à jour de la population"
    PURGED = "purged", "Contenu effacé (30 jours après la suppression)"


class SheetImportState(models.TextChoices):
    """Where the background conversion of an uploaded spreadsheet stands."""

    RECEIVED = "received", "Reçu, en attente de conversion"
    CONVERTING = "converting", "Conversion en cours"
    DONE = "done", "Converti"
    REFUSED = "refused", "Refusé"
    FAILED = "failed", "Échec technique"


class SheetImportStep(models.TextChoices):
    """The transitions of a spreadsheet's conversion (SheetImport.TRANSITIONS)."""

    START = "start", "Début de la conversion"
    TAKE_OVER = "take_over", "Reprise de la conversion"
    FINISH = "finish", "Fin de la conversion"
    REFUSE = "refuse", "Refus du tableur"
    FAIL = "fail", "Échec technique"


class SheetAction(models.TextChoices):
    """What a converted spreadsheet becomes."""

    DEPOSIT = "deposit", "Dépôt"
    XML = "xml", "Fichier XML"
