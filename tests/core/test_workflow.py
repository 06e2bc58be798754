"""The workflow helper (core.workflow): one table and one typed method per transition, the
only code that writes a state, each transition saved as it was assigned and logged with a
foreign key; and the reading of the code that keeps it so."""

import ast
from pathlib import Path

import pytest
from django.apps import apps

from opencertif.core.workflow import TransitionLog, TransitionNotAllowed, WorkflowMixin
from opencertif.organisations.models import JoinRequest, JoinRequestTransition
from tests import factories

PACKAGE = Path(__file__).resolve().parents[2] / "opencertif"
HELPER = PACKAGE / "core" / "workflow.py"

WORKFLOWS = [model for model in apps.get_models() if issubclass(model, WorkflowMixin)]
WORKFLOW_NAMES = {model.__name__ for model in WORKFLOWS}
# Calls that write the keyword arguments they are given into rows.
WRITING_CALLS = {"update", "create", "get_or_create", "update_or_create", "bulk_create"}


def test_every_stateful_model_has_a_workflow():
    expected = {
        "Deposit",
        "SheetImport",
        "BulkDeletion",
        "AccountRequest",
        "JoinRequest",
        "CorrectionRequest",
    }
    assert expected == WORKFLOW_NAMES


@pytest.mark.parametrize("model", WORKFLOWS, ids=lambda model: model.__name__)
def test_a_workflow_table_names_states_and_labelled_transitions(model):
    states = {value for value, _label in model._meta.get_field("state").choices}
    for name, (sources, target) in model.TRANSITIONS.items():
        # A TextChoices member: a stable code and the French label the pages show.
        assert name.label and model.transition_label(str(name)) == name.label
        assert set(sources) <= states and target in states
        # One typed method per transition, named after it.
        assert callable(getattr(model, str(name), None)), f"{model.__name__}.{name}()"


@pytest.mark.parametrize("model", WORKFLOWS, ids=lambda model: model.__name__)
def test_a_workflow_has_its_own_log_with_a_foreign_key(model):
    relation = model._meta.get_field("transitions")
    log = relation.related_model
    assert issubclass(log, TransitionLog) and log.workflow() is model
    assert relation.field.name == log.subject_field and relation.field.many_to_one


def _join_request():
    organisation = factories.organisation()
    factories.manager(organisation)
    return JoinRequest.objects.create(user=factories.user(), organisation=organisation)


@pytest.mark.django_db
def test_a_transition_saves_what_it_assigns_and_nothing_else():
    request = _join_request()
    request.confirm_email()
    staff = factories.staff()
    request.message = "not saved: no transition assigns it"
    request.refuse(by=staff, reason="inconnu")
    stored = JoinRequest.objects.get(pk=request.pk)
    assert (stored.state, stored.decision_reason, stored.decided_by) == (
        "refused",
        "inconnu",
        staff,
    )
    assert stored.decided_at is not None and stored.message == ""


@pytest.mark.django_db
def test_a_transition_is_logged_against_its_object_with_french_labels():
    request = _join_request()
    request.confirm_email(by=request.user)
    staff = factories.staff()
    request.refuse(by=staff, reason="inconnu")
    logged = list(request.transitions.all())
    assert [(t.name, t.source, t.target, t.actor) for t in logged] == [
        ("confirm_email", "awaiting_activation", "pending", request.user),
        ("refuse", "pending", "refused", staff),
    ]
    assert logged[1].note == "inconnu"
    assert (logged[1].name_label, logged[1].source_label, logged[1].target_label) == (
        "Refus",
        "En attente de la réponse des gestionnaires",
        "Refusée",
    )
    # A foreign key: the log can be joined and counted from its object.
    assert JoinRequest.objects.filter(transitions__name="refuse").get() == request
    assert JoinRequestTransition.objects.filter(join_request=request).count() == 2


@pytest.mark.django_db
def test_the_source_state_is_read_from_the_database_not_from_a_stale_object():
    request = _join_request()
    stale = JoinRequest.objects.get(pk=request.pk)
    request.confirm_email()
    request.accept(by=factories.staff())
    stale.state = "pending"  # what a page loaded before the acceptance saw
    with pytest.raises(TransitionNotAllowed):
        stale.refuse(by=factories.staff(), reason="trop tard")
    stored = JoinRequest.objects.get(pk=request.pk)
    assert (stored.state, stored.decision_reason) == ("accepted", "")
    assert request.transitions.count() == 2


@pytest.mark.django_db
def test_a_transition_refuses_a_name_that_is_not_a_field():
    request = _join_request()
    with pytest.raises(ValueError, match="n'est pas un champ"):
        request._transition("confirm_email", decison_reason="a typo would not be saved")
    with pytest.raises(ValueError):
        request._transition("confirm_email", state="accepted")
    assert JoinRequest.objects.get(pk=request.pk).state == "awaiting_activation"


# ---------------------------------------------------------------- reading the code


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def state_writes(tree: ast.AST) -> list[int]:
    """Lines that write a `state`: `x.state = …` (or +=), `setattr(x, "state", …)`,
    `state=…` given to a query's update/create, or to a workflow model's constructor."""
    lines = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for element in ast.walk(target):
                if isinstance(element, ast.Attribute) and element.attr == "state":
                    lines.append(node.lineno)
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        named = node.args[1:2] and isinstance(node.args[1], ast.Constant) and node.args[1].value
        if name == "setattr" and named == "state":
            lines.append(node.lineno)
        if name in WRITING_CALLS or name in WORKFLOW_NAMES:
            for keyword in node.keywords:
                given = keyword.value if keyword.arg in (None, "defaults") else None
                if keyword.arg == "state" or (
                    isinstance(given, ast.Dict)
                    and any(isinstance(k, ast.Constant) and k.value == "state" for k in given.keys)
                ):
                    lines.append(node.lineno)
    return lines


def transition_calls(tree: ast.AST, *, in_models: bool) -> list[int]:
    """Lines that call the generic helper (`x.transition(…)`, `x._transition("…")`)
    rather than a typed method: allowed only as `self._transition` inside a models module."""
    lines = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in ("transition", "_transition"):
            continue
        receiver = node.func.value
        if not (in_models and isinstance(receiver, ast.Name) and receiver.id == "self"):
            lines.append(node.lineno)
    return lines


def test_nothing_but_the_workflow_helper_writes_a_state():
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path, tree in _modules()
        if path != HELPER
        for line in state_writes(tree)
    ]
    assert found == []


def test_only_the_models_typed_methods_call_the_workflow_helper():
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path, tree in _modules()
        if path != HELPER
        for line in transition_calls(tree, in_models=path.name == "models.py")
    ]
    assert found == []


@pytest.mark.parametrize(
    "source",
    [
        "deposit.state = 'done'",
        "deposit.state += 'x'",
        "setattr(bulk, 'state', 'done')",
        "Deposit.objects.filter(pk=1).update(state='failed')",
        "BulkDeletion.objects.create(state='queued')",
        "JoinRequest.objects.update_or_create(pk=1, defaults={'state': 'accepted'})",
        "request = AccountRequest(state='accepted')",
    ],
)
def test_the_reading_catches_each_kind_of_state_write(source):
    assert state_writes(ast.parse(source)) == [1]


def test_the_reading_lets_filters_and_other_states_be():
    source = (
        "Deposit.objects.filter(state='done').update(ok_count=1)\n"
        "CertifierLink(state='active')\n"
        "x = deposit.state\n"
    )
    assert state_writes(ast.parse(source)) == []


@pytest.mark.parametrize(
    ("source", "in_models"),
    [
        ("deposit.transition('finish', fields=('finished_at',))", False),
        ("bulk._transition('start')", False),
        ("self._transition('start')", False),
        ("other._transition('start')", True),
    ],
)
def test_the_reading_catches_generic_transition_calls(source, in_models):
    assert transition_calls(ast.parse(source), in_models=in_models) == [1]


def test_the_reading_lets_the_models_own_methods_call_the_helper():
    assert transition_calls(ast.parse("self._transition('start')"), in_models=True) == []
