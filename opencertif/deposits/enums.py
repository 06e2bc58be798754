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


class Verdict(models.TextChoices):
    """What the per-passage rules (`assess`) decide for one passage of a deposit, a form
    or a spreadsheet row; a deposit's counters and report lines follow from it."""

    ACCEPTED = "accepted", "Accepté"
    UNCHANGED = "unchanged", "Renvoyé à l'identique"
    DELETED = "deleted", "Supprimé"
    # Refused and kept as a KO passage (to be corrected, or identified later).
    REFUSED = "refused", "Refusé"
    # Refused without touching the stored passage: a duplicate in the file, an accepted
    # passage sent with another content, nothing to delete.
    DISCARDED = "discarded", "Refusé (passage existant inchangé)"

    @property
    def ok(self) -> bool:
        """An OK line of the official report."""
        return self in (Verdict.ACCEPTED, Verdict.UNCHANGED, Verdict.DELETED)

    @property
    def writes_passage(self) -> bool:
        """Whether the deposit creates or replaces the Passage row (its own write)."""
        return self in (Verdict.ACCEPTED, Verdict.REFUSED)

    @property
    def counter(self) -> str:
        """The Deposit counter this verdict adds to."""
        return {
            Verdict.ACCEPTED: "ok_count",
            Verdict.UNCHANGED: "unchanged_count",
            Verdict.DELETED: "deleted_count",
        }.get(self, "ko_count")


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


class AuditAction(models.TextChoices):
    """What the audit trail records about deposits and passages (stable codes, French
    labels)."""

    DELEGATION_CREATED = "delegation.created", "Délégation de dépôt accordée"
    DELEGATION_REVOKED = "delegation.revoked", "Délégation de dépôt retirée"
    DEPOSIT_FAILED = "deposit.failed", "Dépôt en échec"
    DEPOSIT_PROCESSED = "deposit.processed", "Dépôt traité"
    DEPOSIT_RECEIVED = "deposit.received", "Dépôt reçu"
    DEPOSIT_REPORT_READ = "deposit.report_read", "Accusé de traitement téléchargé"
    DEPOSIT_RETRIED = "deposit.retried", "Dépôt relancé"
    DEPOSIT_ACCOUNT_ACTIVATED = "deposit_account.activated", "Identifiant de dépôt activé"
    DEPOSIT_ACCOUNT_NOTIFIED = "deposit_account.notified", "Identifiants de dépôt envoyés"
    DEPOSIT_ACCOUNT_REGISTERED = "deposit_account.registered", "Identifiant de dépôt enregistré"
    SHEET_RECEIVED = "sheet.received", "Tableur reçu"
    SHEET_XML_READ = "sheet.xml_read", "Fichier XML d'un tableur téléchargé"
    PASSAGE_MODIFIED = "passage.modified", "Passage modifié"
    PASSAGE_DELETED = "passage.deleted", "Passage supprimé"
    PASSAGE_RESTORED = "passage.restored", "Passage restauré"
    PASSAGE_IDENTIFIED = "passage.identified", "Titulaire d'un passage identifié"
    PASSAGE_PURGED = "passage.purged", "Contenu d'un passage effacé"
    PASSAGES_DELETED = "passages.deleted", "Passages supprimés"
    PASSAGES_RESTORED = "passages.restored", "Passages restaurés"
    PASSAGES_IDENTIFIED = "passages.identified", "Titulaires de passages identifiés"
    PASSAGES_PURGED = "passages.purged", "Contenu de passages effacé"
