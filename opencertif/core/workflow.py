"""One workflow per stateful model: a transition table, and the only code that writes `state`.

A model lists its transitions in `TRANSITIONS = {name: (sources, target)}` and exposes one
method per transition that calls `self.transition(name, by=…)`. Each change is saved and
logged in StateChange, in the caller's transaction.
"""

from typing import Any, ClassVar

from django.db import models, transaction

from opencertif.core.models import StateChange


class TransitionNotAllowed(Exception):
    """The object is not in a state from which this transition may start."""


class WorkflowMixin(models.Model):
    TRANSITIONS: ClassVar[dict[str, tuple[tuple[str, ...], str]]] = {}

    class Meta:
        abstract = True

    def can(self, name: str) -> bool:
        sources, _target = self.TRANSITIONS[name]
        return self.state in sources

    def transition(self, name: str, *, by: Any = None, note: str = "", fields=()) -> None:
        """Move to the transition's target state, saving `state` and the extra `fields`."""
        if name not in self.TRANSITIONS:
            raise TransitionNotAllowed(f"transition inconnue : {name}")
        sources, target = self.TRANSITIONS[name]
        with transaction.atomic():
            # Re-read the state under lock: two staff members must not both accept.
            current = type(self).objects.select_for_update().values_list("state", flat=True)
            state = current.get(pk=self.pk) if self.pk else self.state
            if state not in sources:
                raise TransitionNotAllowed(f"« {name} » impossible depuis l'état « {state} ».")
            self.state = target
            self.save(update_fields=["state", *fields] if self.pk else None)
            StateChange.objects.create(
                object_type=self._meta.label_lower,
                object_id=str(self.pk),
                transition=name,
                from_state=state,
                to_state=target,
                actor=by if getattr(by, "pk", None) else None,
                note=note,
            )

    def state_changes(self):
        return StateChange.objects.filter(
            object_type=self._meta.label_lower, object_id=str(self.pk)
        )
