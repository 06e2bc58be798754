"""One workflow per stateful model: a transition table, typed methods, a transition log.

A stateful model (a deposit, a mass deletion, an account request…) declares:

- `TRANSITIONS = {Step.NAME: Transition(sources, target)}`, its table, keyed by the
  members of a `TextChoices` of its app's `enums.py` (stable code, French label);
- one typed method per transition (`deposit.reject(errors=…)`, `request.accept(by=…)`)
  that calls `self._transition(Step.NAME, by=…, note=…, field=value, …)` with the fields
  the transition changes: the helper assigns them and saves exactly them with the state,
  so no field can be changed without being saved;
- a concrete `TransitionLog` with a foreign key to it, `related_name="transitions"`
  (`DepositTransition.deposit`), in its own app: each transition appends a row.

The methods are the only code that writes `state`: views, tasks and services call them
(`tests/core/test_workflow.py` reads the code for any other write).
"""

from collections.abc import Mapping
from typing import Any, ClassVar, NamedTuple

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone


class TransitionNotAllowed(Exception):
    """The object is not in a state from which this transition may start."""


class Transition(NamedTuple):
    sources: tuple[str, ...]
    target: str


def _label(choices, value: str) -> str:
    return str(dict(choices).get(value, value))


class WorkflowMixin(models.Model):
    """A model with a `state` field (with choices) and a transition table."""

    TRANSITIONS: ClassVar[Mapping[str, Transition]] = {}

    class Meta:
        abstract = True

    def can(self, name: str) -> bool:
        return self.state in self.TRANSITIONS[name].sources

    @classmethod
    def state_label(cls, value: str) -> str:
        """The French label of a state, as the pages show it."""
        return _label(cls._meta.get_field("state").flatchoices, value)

    @classmethod
    def transition_label(cls, name: str) -> str:
        """The French label of a transition (the label of its TextChoices member)."""
        labels = {str(key): getattr(key, "label", str(key)) for key in cls.TRANSITIONS}
        return str(labels.get(name, name))

    def _transition(self, name: str, *, by: Any = None, note: str = "", **changes: Any) -> None:
        """Move to the transition's target: check the source state under a row lock, assign
        `changes` (field name → value), save the state and exactly those fields, and log
        the transition. For the model's own typed methods only."""
        if name not in self.TRANSITIONS:
            raise TransitionNotAllowed(f"transition inconnue : {name}")
        writable = {
            name
            for field in self._meta.concrete_fields
            if not field.primary_key and field.name != "state"
            for name in (field.name, field.attname)
        }
        for field in changes:
            # A name that is no field would be assigned and silently not saved.
            if field not in writable:
                raise ValueError(f"{type(self).__name__}.{field} n'est pas un champ modifiable.")
        sources, target = self.TRANSITIONS[name]
        with transaction.atomic():
            # Re-read the state under lock: two staff members must not both accept, two
            # runs must not both start.
            if self.pk:
                current = type(self).objects.select_for_update().values_list("state", flat=True)
                state = current.get(pk=self.pk)
            else:
                state = self.state
            if state not in sources:
                raise TransitionNotAllowed(f"« {name} » impossible depuis l'état « {state} ».")
            for field, value in changes.items():
                setattr(self, field, value)
            self.state = target
            if self.pk:
                self.save(update_fields=["state", *changes])
            else:
                self.save()
            self.transitions.create(
                name=str(name),
                source=state,
                target=target,
                actor=by if getattr(by, "pk", None) else None,
                note=note,
            )


class TransitionLog(models.Model):
    """One transition of a stateful model. Each workflow has its concrete log, with a
    foreign key `subject_field` to its object (`related_name="transitions"`), so that
    the log can be joined, counted and deleted with the object."""

    subject_field: ClassVar[str] = ""

    # A default rather than auto_now_add: the data migration that filled the logs kept
    # each row's time.
    at = models.DateTimeField("le", default=timezone.now, db_index=True)
    name = models.CharField("transition", max_length=50)
    source = models.CharField("état de départ", max_length=30)
    target = models.CharField("état d'arrivée", max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="par",
    )
    note = models.TextField("note", blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.subject_id_label()} {self.source} → {self.target}"

    @classmethod
    def workflow(cls) -> type[WorkflowMixin]:
        return cls._meta.get_field(cls.subject_field).related_model

    def subject_id_label(self) -> str:
        return f"{self.workflow()._meta.label_lower}#{getattr(self, self.subject_field + '_id')}"

    @property
    def name_label(self) -> str:
        return self.workflow().transition_label(self.name)

    @property
    def source_label(self) -> str:
        return self.workflow().state_label(self.source)

    @property
    def target_label(self) -> str:
        return self.workflow().state_label(self.target)
