import dataclasses
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from opencertif.core.workflow import Transition, TransitionLog, WorkflowMixin
from opencertif.deposits.enums import (
    AccountRole,
    Channel,
    DepositState,
    DepositStep,
    KoReason,
    PassageEventKind,
    PassageStatus,
    SheetAction,
    SheetImportState,
    SheetImportStep,
    Verdict,
)
from opencertif.organisations.models import Organisation
from opencertif.organisations.perms import Right, organisations_filter
from opencertif.people.models import Person

ID_CLIENT_RE = re.compile(r"^[A-Z0-9]{8}$")
ID_CONTRACT_RE = re.compile(r"^[A-Z0-9]{1,20}$")


def validate_id_client(value: str) -> None:
    if not ID_CLIENT_RE.match(value or ""):
        raise ValidationError(
            "L'idClient compte exactement 8 caractères, lettres majuscules et chiffres "
            "(ex. : DEMO0001)."
        )


def validate_id_contract(value: str) -> None:
    if not ID_CONTRACT_RE.match(value or ""):
        raise ValidationError(
            "L'idContrat compte de 1 à 20 caractères, lettres majuscules et chiffres "
            "(ex. : MCFCER000001)."
        )


class DepositAccountQuerySet(models.QuerySet):
    def active(self):
        return self.filter(activated_at__isnull=False)

    def certifiers(self):
        return self.filter(role=AccountRole.CERTIFIER)

    def visible_to(self, user):
        """The identifiers of the organisations whose deposit rights the user sees."""
        return self.filter(
            organisations_filter(user, Right.SEE_DEPOSIT_RIGHTS, through="organisation__")
        )

    def editable_by(self, user):
        """Those the user may activate."""
        return self.filter(
            organisations_filter(user, Right.CHANGE_DEPOSIT_RIGHTS, through="organisation__")
        )


class DepositAccount(models.Model):
    """Deposit identifiers ("identifiants d'inscription") registered by platform staff for
    an organisation, in one role; usable once the organisation has activated them."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="deposit_accounts"
    )
    role = models.CharField("rôle", max_length=10, choices=AccountRole.choices)
    id_client = models.CharField(
        "idClient", max_length=8, unique=True, validators=[validate_id_client]
    )
    id_contract = models.CharField(
        "idContrat", max_length=20, blank=True, validators=[validate_id_contract]
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField("identifiants envoyés le", null=True, blank=True)
    activated_at = models.DateTimeField("activé le", null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    situation = models.CharField("situation", max_length=12, blank=True)

    objects = DepositAccountQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "role"]
        verbose_name = "identifiant de dépôt"
        verbose_name_plural = "identifiants de dépôt"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "role"], name="one_account_per_role"),
            models.CheckConstraint(
                condition=~Q(role=AccountRole.CERTIFIER) | ~Q(id_contract=""),
                name="certifier_has_contract",
            ),
        ]

    def __str__(self) -> str:
        if self.id_contract:
            return f"{self.id_client} / {self.id_contract} ({self.get_role_display()})"
        return f"{self.id_client} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.activated_at is not None


class DelegationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def _either_side(self, user, right):
        # A delegation belongs to both organisations: the certifier that gives it and the
        # depositor that receives it; either one's managers may revoke it.
        organisations = Organisation.objects.where(user, right).values("pk")
        return self.filter(
            Q(certifier__organisation__in=organisations)
            | Q(depositor__organisation__in=organisations)
        )

    def visible_to(self, user):
        return self._either_side(user, Right.SEE_DEPOSIT_RIGHTS)

    def editable_by(self, user):
        """The delegations the user may revoke."""
        return self._either_side(user, Right.CHANGE_DEPOSIT_RIGHTS)


class Delegation(models.Model):
    """A certifier's deposit account that a depositor account may deposit for."""

    depositor = models.ForeignKey(
        DepositAccount, on_delete=models.CASCADE, related_name="delegations_received"
    )
    certifier = models.ForeignKey(
        DepositAccount, on_delete=models.CASCADE, related_name="delegations_given"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = DelegationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "délégation de dépôt"
        verbose_name_plural = "délégations de dépôt"
        constraints = [
            models.UniqueConstraint(
                fields=["depositor", "certifier"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_delegation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.depositor.id_client} → {self.certifier.id_client}"


class DepositQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Deposits made by, or for (as certifier), the organisations where the user (or
        API token) may see deposits. Their results passage by passage are a further
        question: `Deposit.results_readable_by`."""
        organisations = Organisation.objects.where(user, Right.SEE_DEPOSITS).values("pk")
        return self.filter(
            Q(organisation__in=organisations) | Q(certifier_account__organisation__in=organisations)
        )

    def retryable_by(self, user):
        """The deposits the user may run again: those of organisations where they may
        deposit (the certifier of a third party's deposit does not run it again)."""
        return self.filter(organisation__in=Organisation.objects.where(user, Right.DEPOSIT))


class Deposit(WorkflowMixin):
    """One file of passages deposited by an organisation, and its processing."""

    TRANSITIONS = {
        DepositStep.START_VALIDATION: Transition((DepositState.RECEIVED,), DepositState.VALIDATING),
        DepositStep.REJECT: Transition((DepositState.VALIDATING,), DepositState.REJECTED),
        DepositStep.START_PROCESSING: Transition(
            (DepositState.VALIDATING,), DepositState.PROCESSING
        ),
        DepositStep.FINISH: Transition((DepositState.PROCESSING,), DepositState.DONE),
        DepositStep.FAIL: Transition(
            (DepositState.RECEIVED, DepositState.VALIDATING, DepositState.PROCESSING),
            DepositState.FAILED,
        ),
        DepositStep.RETRY: Transition((DepositState.FAILED,), DepositState.RECEIVED),
    }
    # What the file's envelope says, stored whether the file is then rejected or processed.
    ENVELOPE_FIELDS = (
        "id_flux",
        "flux_timestamp",
        "action",
        "emitter_id_client",
        "certifier_id_client",
        "id_contract",
        "passage_total",
        "certifications",
    )

    state = models.CharField(
        "état", max_length=12, choices=DepositState.choices, default=DepositState.RECEIVED
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="deposits"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    channel = models.CharField("canal", max_length=5, choices=Channel.choices)
    file_name = models.CharField("fichier", max_length=255)
    stored_path = models.CharField(max_length=255, editable=False)
    size = models.PositiveBigIntegerField("taille (octets)")
    sha256 = models.CharField(max_length=64, db_index=True)
    # Deposits received before December 2026 could be answered with the report of an
    # identical earlier file (`duplicate_of`); an identical file is now processed again
    # against today's state, and `same_file_as` only names the first one sent.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    same_file_as = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="fichier identique au dépôt",
    )
    id_flux = models.CharField("idFlux", max_length=50, blank=True)
    flux_timestamp = models.CharField("horodatage", max_length=30, blank=True)
    action = models.CharField("action", max_length=12, blank=True)
    emitter_id_client = models.CharField("idClient émetteur", max_length=8, blank=True)
    certifier_id_client = models.CharField("idClient certificateur", max_length=8, blank=True)
    id_contract = models.CharField("idContrat", max_length=20, blank=True)
    certifier_account = models.ForeignKey(
        DepositAccount,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deposits",
    )
    certifications = models.JSONField(
        "certifications du fichier",
        default=list,
        blank=True,
        help_text="type, code, nature et nombre de passages de chaque <certification>",
    )
    passage_total = models.PositiveIntegerField("passages", default=0)
    processed = models.PositiveIntegerField("passages traités", default=0)
    ok_count = models.PositiveIntegerField("OK", default=0)
    ko_count = models.PositiveIntegerField("KO", default=0)
    unchanged_count = models.PositiveIntegerField("inchangés", default=0)
    deleted_count = models.PositiveIntegerField("supprimés", default=0)
    errors = models.JSONField("erreurs du fichier", default=list, blank=True)
    failure = models.TextField("cause de l'échec", blank=True)
    received_at = models.DateTimeField("reçu le", auto_now_add=True)
    started_at = models.DateTimeField("début du traitement", null=True, blank=True)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField("fin du traitement", null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The run that holds the deposit: each run claims it with a fresh token and beats
    # `heartbeat_at`; a run that finds another token stops. A run that starts while the
    # previous one stopped without progress counts a fruitless run: after
    # MAX_FRUITLESS_RUNS the deposit is failed, never resumed again (a file that kills
    # the process that reads it must not kill every worker in turn).
    run_token = models.CharField(max_length=32, blank=True, editable=False)
    run_mark = models.PositiveIntegerField(default=0, editable=False)
    fruitless_runs = models.PositiveSmallIntegerField(default=0, editable=False)
    file_purged_at = models.DateTimeField("fichier effacé le", null=True, blank=True)
    # Spreadsheet deposits: the sheet row of each passage (by seq), and the rows left out
    # before the deposit because a cell could not be read ({row, column, message}).
    sheet_rows = models.JSONField(default=list, blank=True)
    sheet_errors = models.JSONField(default=list, blank=True)

    objects = DepositQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "dépôt"
        verbose_name_plural = "dépôts"

    def __str__(self) -> str:
        return f"Dépôt n° {self.pk} – {self.file_name}"

    @property
    def is_final(self) -> bool:
        return self.state in (DepositState.DONE, DepositState.REJECTED, DepositState.FAILED)

    # The transitions (TRANSITIONS): each saves what it changes, and is logged.

    def start_validation(self) -> None:
        self._transition(DepositStep.START_VALIDATION, started_at=timezone.now())

    def reject(self, *, errors: list[dict], envelope: dict[str, Any]) -> None:
        """The file is refused as a whole (schema, envelope, identifiers): `errors` make
        its report; `envelope`, the ENVELOPE_FIELDS read from the file."""
        self._transition(
            DepositStep.REJECT,
            errors=errors,
            finished_at=timezone.now(),
            **self._envelope(envelope),
        )

    def start_processing(self, *, certifier_account, envelope: dict[str, Any]) -> None:
        now = timezone.now()
        self._transition(
            DepositStep.START_PROCESSING,
            certifier_account=certifier_account,
            processing_started_at=now,
            heartbeat_at=now,
            **self._envelope(envelope),
        )

    def finish(self) -> None:
        self._transition(DepositStep.FINISH, finished_at=timezone.now())

    def fail(self, *, failure: str, fruitless_runs: int | None = None) -> None:
        """A technical failure. With `fruitless_runs` (the runs interrupted without
        progress), the deposit is given up for good: the count is kept and the run let go."""
        changes: dict[str, Any] = {"failure": failure, "finished_at": timezone.now()}
        if fruitless_runs is not None:
            changes |= {"fruitless_runs": fruitless_runs, "run_token": ""}
        self._transition(DepositStep.FAIL, note=failure, **changes)

    def retry(self, *, by) -> None:
        """Start a failed deposit again: a fresh run, its count of fruitless runs reset."""
        self._transition(DepositStep.RETRY, by=by, run_token="", fruitless_runs=0)

    @classmethod
    def _envelope(cls, values: dict[str, Any]) -> dict[str, Any]:
        unknown = set(values) - set(cls.ENVELOPE_FIELDS)
        if unknown:
            raise ValueError(f"champs hors de l'enveloppe : {sorted(unknown)}")
        return values

    @property
    def progress_percent(self) -> int:
        if self.state in (DepositState.DONE, DepositState.REJECTED):
            return 100
        if not self.passage_total:
            return 0
        return min(100, int(self.processed * 100 / self.passage_total))

    @property
    def duration_label(self) -> str:
        """How long the processing took, e.g. « 3,4 s » or « 2 min 05 s »."""
        if not (self.finished_at and self.received_at):
            return ""
        seconds = (self.finished_at - self.received_at).total_seconds()
        if seconds < 60:
            return f"{seconds:.1f} s".replace(".", ",")
        return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"

    @property
    def report_name(self) -> str:
        day = (self.finished_at or self.received_at).strftime("%Y%m%d")
        return f"Accuse_de_traitement_{self.file_name}_{day}"

    def results_readable_by(self, user) -> bool:
        """Whether the user (or API token) may read this deposit's results passage by
        passage (they name holders), with the right to see deposits: on the certifier
        always; on the depositor only while the certifier still delegates deposit to it —
        a revoked delegation ends that access at once, as it does for the passages."""
        organisation_ids = set(
            Organisation.objects.where(user, Right.SEE_DEPOSITS).values_list("pk", flat=True)
        )
        return self._results_readable(organisation_ids)

    def _results_readable(self, organisation_ids: set[int]) -> bool:
        certifier = self.certifier_account
        if certifier is None or certifier.organisation_id in organisation_ids:
            return certifier is not None or self.organisation_id in organisation_ids
        if self.organisation_id not in organisation_ids:
            return False
        return (
            Delegation.objects.active()
            .filter(certifier_id=certifier.pk, depositor__organisation_id=self.organisation_id)
            .exists()
        )


class PassageQuerySet(models.QuerySet):
    def of_organisations(self, organisation_ids):
        """Passages that these organisations may see and look after: those of their
        certifier accounts, and those they deposited (last) for a certifier that still
        delegates deposit to them. A revoked delegation ends the access at once.

        The accounts and delegations (a handful of rows) are read now, so that the
        passages are filtered on `certifier_id` by value: for a certifier the statement
        is one index range, which the list's ordering and paging can follow."""
        organisation_ids = list(organisation_ids)
        own = list(
            DepositAccount.objects.filter(
                organisation__in=organisation_ids, role=AccountRole.CERTIFIER
            ).values_list("pk", flat=True)
        )
        delegated: dict[int, set[int]] = {}
        for organisation_id, certifier_id in (
            Delegation.objects.active()
            .filter(
                depositor__organisation__in=organisation_ids,
                depositor__activated_at__isnull=False,
            )
            .values_list("depositor__organisation_id", "certifier_id")
        ):
            if certifier_id not in own:
                delegated.setdefault(organisation_id, set()).add(certifier_id)
        branches = [Q(certifier_id__in=own)] if own else []
        for organisation_id, certifiers in sorted(delegated.items()):
            branches.append(
                Q(
                    certifier_id__in=sorted(certifiers),
                    last_deposit__in=Deposit.objects.filter(
                        organisation_id=organisation_id, certifier_account__in=certifiers
                    ).values("pk"),
                )
            )
        if not branches:
            return self.none()
        condition = branches[0]
        for branch in branches[1:]:
            condition |= branch
        return self.filter(condition)

    def where(self, user, right):
        """The passages of the organisations where the user (or API token) holds `right`,
        by the rule of `of_organisations`."""
        return self.of_organisations(
            Organisation.objects.where(user, right).values_list("pk", flat=True)
        )

    def visible_to(self, user):
        """Passages the user may see: list, page, export, history."""
        return self.where(user, Right.SEE_PASSAGES)

    def editable_by(self, user):
        """Passages the user may modify or restore."""
        return self.where(user, Right.CHANGE_PASSAGES)

    def deletable_by(self, user):
        """Passages the user may delete one at a time."""
        return self.where(user, Right.DELETE_PASSAGES)


class Passage(models.Model):
    """A passage of certification of a holder, keyed by (certifier, idTechnique)."""

    # Foreign keys whose lookups a composite index below already serves carry no index of
    # their own: every index costs each of the millions of inserts of a deposit.
    certifier = models.ForeignKey(
        DepositAccount, on_delete=models.PROTECT, related_name="passages", db_index=False
    )
    id_technique = models.CharField("idTechnique", max_length=255)
    status = models.CharField("statut", max_length=8, choices=PassageStatus.choices)
    ko_reason = models.CharField(
        "motif de refus", max_length=16, choices=KoReason.choices, blank=True
    )
    ko_message = models.TextField("message", blank=True)
    certification = models.ForeignKey(
        "registry.Certification",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
    )
    certification_type = models.CharField("type", max_length=255)
    certification_code = models.CharField("code", max_length=100)
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="passages",
        db_index=False,
    )
    valid_from = models.DateField("début de validité", null=True, blank=True)
    valid_until = models.DateField("fin de validité", null=True, blank=True)
    fields = models.JSONField("données du passage", default=dict)
    identity_kind = models.CharField(max_length=12, blank=True)
    # Kept only while the holder is not identified, to re-examine the passage when the
    # reference population changes; emptied once the passage is attached to its Person.
    identity = models.JSONField(default=dict, blank=True)
    holder_label = models.CharField("titulaire", max_length=130, blank=True)
    content_hash = models.CharField(max_length=32)
    last_deposit = models.ForeignKey(
        Deposit, null=True, blank=True, on_delete=models.SET_NULL, related_name="passages"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # A deleted passage keeps its content for RESTORE_DAYS, then only its key remains.
    status_before_deletion = models.CharField(max_length=8, blank=True)
    deleted_at = models.DateTimeField("supprimé le", null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    deletion_reason = models.CharField("motif de la suppression", max_length=500, blank=True)
    # The mass deletion (BulkDeletion, in the passages app above this one) that deleted the
    # passage, by number: it brings back together what it deleted, nothing more.
    bulk_deletion_id = models.BigIntegerField(null=True, blank=True)
    purged_at = models.DateTimeField("contenu effacé le", null=True, blank=True)

    objects = PassageQuerySet.as_manager()

    class Meta:
        ordering = ["certifier", "id_technique"]
        verbose_name = "passage de certification"
        verbose_name_plural = "passages de certification"
        constraints = [
            models.UniqueConstraint(
                fields=["certifier", "id_technique"], name="passage_unique_per_certifier"
            )
        ]
        indexes = [
            models.Index(fields=["certifier", "status"], name="passage_certifier_status"),
            # The list's default order (most recently received first) for one certifier:
            # a page of the web list or the API reads its rows only.
            models.Index(
                fields=["certifier", "created_at", "id"], name="passage_certifier_received"
            ),
            models.Index(fields=["certification", "status"], name="passage_certification"),
            # A holder's passport, and the count of passports fed (statistics).
            models.Index(fields=["person", "status"], name="passage_person_status"),
            # Partial: only KO and deleted passages pay for them.
            models.Index(fields=["ko_reason"], condition=Q(status="ko"), name="passage_ko_reason"),
            models.Index(
                fields=["deleted_at"], condition=Q(status="deleted"), name="passage_deleted_at"
            ),
            models.Index(
                fields=["bulk_deletion_id"],
                condition=Q(bulk_deletion_id__isnull=False),
                name="passage_bulk_deletion",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id_technique} ({self.get_status_display()})"

    @property
    def is_deleted(self) -> bool:
        return self.status == PassageStatus.DELETED


class PassageResult(models.Model):
    """What a deposit said about one passage: the lines of its processing report."""

    # Served by the unique (deposit, seq) index.
    deposit = models.ForeignKey(
        Deposit, on_delete=models.CASCADE, related_name="results", db_index=False
    )
    seq = models.PositiveIntegerField()
    line = models.PositiveIntegerField(default=0)
    id_technique = models.CharField(max_length=255)
    ok = models.BooleanField()
    unchanged = models.BooleanField(default=False)
    deleted = models.BooleanField(default=False)
    message = models.TextField(blank=True)
    near_misses = models.JSONField(default=list, blank=True)
    holder_label = models.CharField(max_length=130, blank=True)
    certification_code = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["deposit", "seq"]
        verbose_name = "résultat de passage"
        verbose_name_plural = "résultats de passage"
        constraints = [models.UniqueConstraint(fields=["deposit", "seq"], name="result_unique_seq")]
        indexes = [
            models.Index(fields=["deposit", "ok"], name="result_deposit_ok"),
            models.Index(fields=["id_technique"], name="result_id_technique"),
        ]

    # What a report line says, in this order: the engine's bulk insert and the report readers
    # use this one list.
    REPORT_FIELDS = (
        "seq",
        "line",
        "id_technique",
        "ok",
        "unchanged",
        "deleted",
        "message",
        "near_misses",
        "holder_label",
        "certification_code",
    )

    def __str__(self) -> str:
        return f"{self.id_technique}: {'OK' if self.ok else 'KO'}"

    @property
    def verdict(self) -> Verdict:
        """The verdict of the rules, from the report's columns (a refusal that left the
        stored passage as it was reads as REFUSED: the report does not tell them apart)."""
        if self.deleted:
            return Verdict.DELETED
        if self.unchanged:
            return Verdict.UNCHANGED
        return Verdict.ACCEPTED if self.ok else Verdict.REFUSED


class PassageEvent(models.Model):
    """A change to a passage made outside a deposit: modification, deletion, restoration,
    identification after the reference population changed, purge. With the deposits'
    PassageResult rows, it is the passage's history; `changes` holds before/after values
    (the passage's own data, shown only to those who may see the passage)."""

    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=12, choices=PassageEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=200, blank=True)
    reason = models.CharField("motif", max_length=500, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    # The mass deletion behind the event, by number (as Passage.bulk_deletion_id).
    bulk_deletion_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # The SUPPRESSION deposit behind a deletion. Never looked up by deposit (a history
    # reads events by passage): no index to pay for on every deletion.
    deposit = models.ForeignKey(
        Deposit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "évènement d'un passage"
        verbose_name_plural = "évènements des passages"

    def __str__(self) -> str:
        return f"{self.passage_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


@dataclasses.dataclass(frozen=True)
class SheetCounts:
    """What a conversion read, stored on its SheetImport when it ends."""

    rows: int
    accepted: int
    rows_left_out: int
    error_total: int
    errors: list

    def fields(self) -> dict[str, Any]:
        return {
            "rows_done": self.rows,
            "rows_total": self.rows,
            "accepted": self.accepted,
            "rows_left_out": self.rows_left_out,
            "error_total": self.error_total,
            "errors": self.errors,
        }


class SheetImportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The uploads of the organisations where the user may see deposits (never the
        certifier's: a conversion is the uploader's until it becomes a deposit)."""
        return self.filter(organisations_filter(user, Right.SEE_DEPOSITS, through="organisation__"))


class SheetImport(WorkflowMixin):
    """A spreadsheet uploaded on /espace/tableur/ and its conversion in the background,
    into a deposit or into the XML file to download (deposits/sheets/imports.py)."""

    TRANSITIONS = {
        SheetImportStep.START: Transition(
            (SheetImportState.RECEIVED,), SheetImportState.CONVERTING
        ),
        # A new run takes over a conversion whose run stopped (its worker died).
        SheetImportStep.TAKE_OVER: Transition(
            (SheetImportState.CONVERTING,), SheetImportState.CONVERTING
        ),
        SheetImportStep.FINISH: Transition((SheetImportState.CONVERTING,), SheetImportState.DONE),
        SheetImportStep.REFUSE: Transition(
            (SheetImportState.CONVERTING,), SheetImportState.REFUSED
        ),
        SheetImportStep.FAIL: Transition(
            (SheetImportState.RECEIVED, SheetImportState.CONVERTING),
            SheetImportState.FAILED,
        ),
    }

    state = models.CharField(
        "état",
        max_length=10,
        choices=SheetImportState.choices,
        default=SheetImportState.RECEIVED,
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sheet_imports"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField("action", max_length=7, choices=SheetAction.choices)
    file_name = models.CharField("fichier", max_length=255)
    # The uploaded file under DATA_DIR/files/; erased once the conversion is over.
    stored_path = models.CharField(max_length=255, blank=True, editable=False)
    size = models.PositiveBigIntegerField("taille (octets)")
    created_at = models.DateTimeField("reçu le", auto_now_add=True)
    started_at = models.DateTimeField("début de la conversion", null=True, blank=True)
    finished_at = models.DateTimeField("fin de la conversion", null=True, blank=True)
    # A run claims the conversion with a token and beats `heartbeat_at`; one that finds
    # another token stops. A conversion starts over from its first row: after
    # MAX_INTERRUPTIONS interrupted runs it is failed, never resumed again.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    run_token = models.CharField(max_length=32, blank=True, editable=False)
    interruptions = models.PositiveSmallIntegerField(default=0, editable=False)
    rows_done = models.PositiveIntegerField("lignes lues", default=0)
    # While converting, an estimate from the share of the file read; then the exact count.
    rows_total = models.PositiveIntegerField("lignes", default=0)
    accepted = models.PositiveIntegerField("lignes acceptées", default=0)
    rows_left_out = models.PositiveIntegerField("lignes écartées", default=0)
    error_total = models.PositiveIntegerField("erreurs", default=0)
    # The errors of the rows left out, as Deposit.sheet_errors (capped, with a summary).
    errors = models.JSONField("erreurs des lignes écartées", default=list, blank=True)
    refusal = models.TextField("motif du refus", blank=True)
    failure = models.TextField("cause de l'échec", blank=True)
    deposit = models.ForeignKey(
        Deposit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    xml_path = models.CharField(max_length=255, blank=True, editable=False)
    xml_name = models.CharField("fichier XML", max_length=255, blank=True)

    objects = SheetImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "tableur déposé"
        verbose_name_plural = "tableurs déposés"
        indexes = [
            models.Index(
                fields=["state"],
                condition=Q(state__in=("received", "converting")),
                name="sheet_import_unfinished",
            )
        ]

    def __str__(self) -> str:
        return f"Tableur n° {self.pk} – {self.file_name}"

    @property
    def is_final(self) -> bool:
        return self.state in (
            SheetImportState.DONE,
            SheetImportState.REFUSED,
            SheetImportState.FAILED,
        )

    # The transitions (TRANSITIONS): each saves what it changes, and is logged.

    def start(self, *, run_token: str) -> None:
        now = timezone.now()
        self._transition(SheetImportStep.START, started_at=now, **self._new_run(run_token, now))

    def take_over(self, *, run_token: str, interruptions: int) -> None:
        """A new run starts the conversion over from its first row (nothing was stored)."""
        self._transition(
            SheetImportStep.TAKE_OVER,
            note=f"reprise depuis la première ligne ({interruptions} interruption(s))",
            interruptions=interruptions,
            **self._new_run(run_token, timezone.now()),
        )

    def finish(
        self,
        *,
        counts: "SheetCounts",
        deposit: "Deposit | None" = None,
        xml_path: str = "",
        xml_name: str = "",
    ) -> None:
        """Converted: into `deposit`, or into the XML file at `xml_path` to download."""
        made = {"deposit": deposit} if deposit else {"xml_path": xml_path, "xml_name": xml_name}
        self._transition(SheetImportStep.FINISH, **counts.fields(), **made, **self._ended())

    def refuse(self, *, refusal: str, counts: "SheetCounts | None" = None) -> None:
        read = counts.fields() if counts else {}
        self._transition(SheetImportStep.REFUSE, refusal=refusal, **read, **self._ended())

    def fail(self, *, failure: str, note: str = "", interruptions: int | None = None) -> None:
        """A technical failure; with `interruptions`, given up after that many runs."""
        counted = {} if interruptions is None else {"interruptions": interruptions}
        self._transition(
            SheetImportStep.FAIL, note=note, failure=failure, **counted, **self._ended()
        )

    @staticmethod
    def _new_run(run_token: str, now) -> dict[str, Any]:
        return {"run_token": run_token, "heartbeat_at": now, "rows_done": 0, "rows_total": 0}

    @staticmethod
    def _ended() -> dict[str, Any]:
        # The upload holds personal data and will not be read again: the caller erases it
        # on commit; no run holds the conversion any more.
        return {"finished_at": timezone.now(), "stored_path": "", "run_token": ""}

    @property
    def progress_percent(self) -> int:
        if self.is_final:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(self.rows_done * 100 / self.rows_total))


class DepositTransition(TransitionLog):
    subject_field = "deposit"

    deposit = models.ForeignKey(Deposit, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionLog.Meta):
        verbose_name = "transition d'un dépôt"
        verbose_name_plural = "transitions des dépôts"


class SheetImportTransition(TransitionLog):
    subject_field = "sheet_import"

    sheet_import = models.ForeignKey(
        SheetImport, on_delete=models.CASCADE, related_name="transitions"
    )

    class Meta(TransitionLog.Meta):
        verbose_name = "transition d'un tableur déposé"
        verbose_name_plural = "transitions des tableurs déposés"
