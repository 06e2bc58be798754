"""Who may do what with deposits, their reports, spreadsheet conversions and passages.

Built on `organisations.perms` (the rights of each role, and of an API token): a right is
held on an organisation, and these objects are reached through it —
- a deposit through the organisation that made it or the certifier it was made for;
- a spreadsheet conversion through the organisation that uploaded it;
- a passage through its certifier's organisation, or the depositor it was last deposited
  by while the certifier still delegates deposit to it (`PassageQuerySet.of_organisations`).

Seeing, changing (modify, restore), deleting a passage and depositing are different rights:
a reader sees the lists, pages and reports and changes nothing. Every function takes a
signed-in user or an organisation's API token (`organisations.perms.TOKEN_RIGHTS`).

Fetches (`passage_for`, `deposit_for`, `sheet_import_for`) raise `perms.NotFound` (a 404)
when the object does not exist or the right is not held on it: one answer for both.
"""

from opencertif.core.ids import is_id
from opencertif.deposits.models import Deposit, Passage, SheetImport
from opencertif.organisations import perms
from opencertif.organisations.models import Organisation
from opencertif.organisations.perms import NotFound, Right

# ------------------------------------------------------------------ organisations


def depositing_organisations(user):
    """The organisations the user (or token) may deposit for — a file, a spreadsheet, the
    CLI — that have activated deposit identifiers."""
    return (
        Organisation.objects.where(user, Right.DEPOSIT)
        .filter(deposit_accounts__activated_at__isnull=False)
        .distinct()
        .order_by("name")
    )


def declaring_organisations(user):
    """The organisations the user may declare a passage for with the form: a declaration
    is a deposit (it makes one) and a change to the passages, so it takes both rights."""
    return Organisation.objects.where(user, Right.DEPOSIT, Right.CHANGE_PASSAGES).order_by("name")


def passage_organisations(user, right: Right = Right.SEE_PASSAGES):
    """The organisations whose passages the user reaches with `right` (e.g. those whose
    reads the audit log records)."""
    return Organisation.objects.where(user, right).order_by("name")


# ------------------------------------------------------------------ passages


def can_see_passage(user, passage: Passage) -> bool:
    return Passage.objects.visible_to(user).filter(pk=passage.pk).exists()


def can_change_passage(user, passage: Passage) -> bool:
    """Modify or restore it."""
    return Passage.objects.editable_by(user).filter(pk=passage.pk).exists()


def can_delete_passage(user, passage: Passage) -> bool:
    return Passage.objects.deletable_by(user).filter(pk=passage.pk).exists()


def can_declare_passages(user) -> bool:
    return declaring_organisations(user).exists()


def passage_for(user, pk: int, right: Right = Right.SEE_PASSAGES) -> Passage:
    """The passage `pk` if the user holds `right` on it; NotFound otherwise."""
    scopes = {
        Right.SEE_PASSAGES: Passage.objects.visible_to,
        Right.CHANGE_PASSAGES: Passage.objects.editable_by,
        Right.DELETE_PASSAGES: Passage.objects.deletable_by,
    }
    if right not in scopes:
        raise ValueError(f"no passage is fetched for {right}")
    if not is_id(pk):
        raise NotFound("Passage introuvable.")
    queryset = scopes[right](user).select_related(
        "certification", "certifier__organisation", "last_deposit__organisation", "person"
    )
    return perms.fetch(queryset, "Passage introuvable.", pk=pk)


# ------------------------------------------------------------------ deposits


def can_see_deposit(user, deposit: Deposit) -> bool:
    return Deposit.objects.visible_to(user).filter(pk=deposit.pk).exists()


def can_read_results(user, deposit: Deposit) -> bool:
    """The report passage by passage (it names holders): `Deposit.results_readable_by`."""
    return can_see_deposit(user, deposit) and deposit.results_readable_by(user)


def can_retry_deposit(user, deposit: Deposit) -> bool:
    """Run it again: the right to deposit on the organisation that made it."""
    return perms.can_deposit(user, deposit.organisation)


def can_deposit_anywhere(user) -> bool:
    return depositing_organisations(user).exists()


def deposit_for(user, pk: int) -> Deposit:
    """The deposit `pk` if the user may see it; NotFound otherwise."""
    if not is_id(pk):
        raise NotFound("Dépôt introuvable.")
    queryset = (
        Deposit.objects.visible_to(user)
        .select_related("organisation", "certifier_account__organisation", "uploaded_by")
        # The sheet row of every passage: read only where a page shows them.
        .defer("sheet_rows")
    )
    return perms.fetch(queryset, "Dépôt introuvable.", pk=pk)


# ------------------------------------------------------------------ spreadsheet conversions


def sheet_import_for(user, pk: int) -> SheetImport:
    """The conversion `pk` if the user may see it; NotFound otherwise."""
    if not is_id(pk):
        raise NotFound("Tableur introuvable.")
    queryset = SheetImport.objects.visible_to(user).select_related(
        "organisation", "deposit", "created_by"
    )
    return perms.fetch(queryset, "Tableur introuvable.", pk=pk)
