"""Who may edit and publish the catalog (``tongban.identity.access``).

Here rather than in ``rules.py``, which holds the guide consistency rules. Reading the
published catalog is public (no rule needed); in the admin:

- ``catalog.view``: any role carrying a catalog view permission;
- ``catalog.edit``: drafting guide versions (the catalog administrator);
- ``catalog.publish``: reviewing, publishing and rejecting (needs the item's change too);
- ``catalog.discard``: throwing away an unpublished revision.
"""

from tongban.catalog import services
from tongban.identity import access

EDIT = (services.PERM_EDIT,)
ACTIONS = {
    "catalog.edit": EDIT,
    "catalog.publish": services.PERMS_PUBLISH,
    "catalog.discard": (*EDIT, "catalog.delete_guide"),
}


def _holding(perms: tuple[str, ...]):
    return lambda user, obj: access.holds(user, *perms)


for _action, _perms in ACTIONS.items():
    access.rule(_action)(_holding(_perms))


@access.rule("catalog.view")
def view(user, obj) -> bool:
    return any(perm.startswith("catalog.view_") for perm in access.permissions(user))
