"""Access rules of the holder's wallet and 扫码亮证 (imported by ``rules``).

A license is held by a person (``holder_user``) or an enterprise (``holder_enterprise``).
Who acts for an enterprise, and for what, is ``identity.enterprises`` (the legal
representative holds every scope, an agent the scopes granted):

- ``licenses.view_own``: the holder sees the license, its PDF and its access log; for an
  enterprise's license, its people with the ``view`` scope (查看办件与证照);
- ``licenses.show``: the holder shows it by QR code (扫码亮证); for an enterprise's license,
  the ``license`` scope (使用电子证照);
- ``licenses.use``: the holder lets a department use it for an application instead of an
  upload; for an enterprise's license, the ``apply`` scope (the application is filed with it).

Nobody else, staff included, reaches a license through the wallet: verification is public
(``verify_*``), and a verifier sees a shown license through its token only (``showing``).
"""

from django.db.models import Q

from tongban.identity import access
from tongban.licenses.models import HolderType

HOLDER_SCOPES = {"licenses.view_own": "view", "licenses.show": "license", "licenses.use": "apply"}


def holds(user, license, scope: str) -> bool:
    """``user`` is the person holding ``license``, or acts for its enterprise with ``scope``.

    An enterprise's license is reached through the enterprise only, whoever applied for it:
    an agent whose authorization ends loses it at once.
    """
    if license is None or not getattr(user, "is_authenticated", False):
        return False
    if license.holder_type == HolderType.PERSON:
        return license.holder_user_id == user.pk
    enterprise_id = license.holder_enterprise_id
    return enterprise_id is not None and enterprise_id in access.enterprises_with(user, scope)


def held_rows(user, queryset, scope: str):
    """The licenses of ``queryset`` that ``holds`` allows."""
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    mine = Q(holder_type=HolderType.PERSON, holder_user=user)
    enterprises = access.enterprises_with(user, scope)
    if enterprises:
        mine |= Q(holder_type=HolderType.ENTERPRISE, holder_enterprise__in=enterprises)
    return queryset.filter(mine)


def _register(action: str, scope: str) -> None:
    access.rule(action)(lambda user, license: holds(user, license, scope))
    access.scope_rule(action)(lambda user, queryset: held_rows(user, queryset, scope))


for _action, _scope in HOLDER_SCOPES.items():
    _register(_action, _scope)
