"""Accounts. Real-name levels, OIDC and 2FA arrive with the identity issue."""

from django.db import transaction
from django.db.models import ProtectedError

from tongban.audit import services as audit
from tongban.identity.models import User


def remove_demo_accounts(*, by=None) -> dict[str, list[str]]:
    """Take every demo account out of use (production refuses to start while one is usable).

    An account that never acted is deleted. One that did is named by audit records, which
    keep pointing at it (deleting it would orphan the chain), so it is retired instead:
    deactivated and its password made unusable (an inactive account holds no permission).
    """
    result = {"deleted": [], "retired": []}
    with transaction.atomic():
        for user in User.objects.filter(is_demo=True, is_active=True).order_by("username"):
            if _delete(user, by=by):
                result["deleted"].append(user.username)
            else:
                _retire(user, by=by)
                result["retired"].append(user.username)
    return result


def _delete(user: User, *, by) -> bool:
    try:
        with transaction.atomic():
            audit.record(by, "identity.user.delete", user, note="remove demo account")
            user.delete()
    except ProtectedError:
        return False
    return True


def _retire(user: User, *, by) -> None:
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])
    audit.record(
        by,
        "identity.user.retire",
        user,
        changes={"is_active": [True, False]},
        note="retire demo account that has audit history",
    )
