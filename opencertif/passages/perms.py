"""Who may delete passages in bulk (built on `organisations.perms`): the right
`BULK_DELETE_PASSAGES` on the organisation that makes the mass deletion — its managers,
and its API token. Deleting one passage, changing or seeing one are other rights
(`deposits.perms`)."""

from opencertif.core.ids import is_id
from opencertif.organisations import perms
from opencertif.organisations.models import Organisation
from opencertif.organisations.perms import NotFound, Right
from opencertif.passages.models import BulkDeletion


def bulk_deleting_organisations(user):
    """The organisations whose passages the user may delete in bulk."""
    return Organisation.objects.where(user, Right.BULK_DELETE_PASSAGES).order_by("name")


def can_bulk_delete(user) -> bool:
    """May the user delete passages in bulk for at least one organisation?"""
    return bulk_deleting_organisations(user).exists()


def bulk_deletion_for(user, pk: int) -> BulkDeletion:
    """The mass deletion `pk` if the user may act on it; NotFound otherwise."""
    if not is_id(pk):
        raise NotFound("Suppression introuvable.")
    queryset = BulkDeletion.objects.editable_by(user).select_related(
        "organisation", "created_by", "restored_by"
    )
    return perms.fetch(queryset, "Suppression introuvable.", pk=pk)
