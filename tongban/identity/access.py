"""Access control in one place: may this user do this to that object?

Every view and API operation asks here, never ``user.has_perm`` or a role check of its own::

    from tongban.identity import access

    access.require(request.user, "registry.view_space", person)   # raises PermissionDenied
    if access.can(request.user, "catalog.publish", item): ...
    items = access.scope(request.user, "cases.view", Case.objects.all())  # rows allowed

An action is a dotted name owned by an app. Each app declares its rules in its own
``rules.py`` (imported when the apps are ready)::

    @access.rule("registry.view_space")
    def view_space(user, obj) -> bool: ...

    @access.scope_rule("registry.view_space")
    def spaces(user, queryset): ...

A rule answers for one object (or ``None`` for "this kind of thing at all"); a scope rule
narrows a queryset to the rows the user may act on, so lists need no check per row. An action
with no rule is denied: forgetting a rule fails closed. The rules combine the three scopes
the platform knows: staff act within their departments and centers (``org`` memberships),
people on their own records, agents on their enterprise within their authorization
(``acting_enterprise``).

The subject is usually an account; a gateway client (``gateway.ApiClient``, which has
``is_active`` too) is one for the rules written for clients (``org.read_staff``). The helpers
at the end (``holds``, ``reach``, ``owns``, ``own_rows``…) are what rules are written with;
docs/access.md explains them and how to add an endpoint (its rule and its harness row).
"""

from collections.abc import Callable
from importlib import import_module

from django.apps import apps
from django.db.models import QuerySet

from tongban.errors import PermissionDenied

Rule = Callable[[object, object], bool]
ScopeRule = Callable[[object, QuerySet], QuerySet]

_rules: dict[str, Rule] = {}
_scopes: dict[str, ScopeRule] = {}


def rule(action: str) -> Callable[[Rule], Rule]:
    """Register the function answering ``action`` for one object (one per action)."""

    def register(function: Rule) -> Rule:
        if _rules.get(action, function) is not function:
            raise ValueError(f"two rules for {action}")
        _rules[action] = function
        return function

    return register


def scope_rule(action: str) -> Callable[[ScopeRule], ScopeRule]:
    """Register the function narrowing a queryset to the rows ``action`` is allowed on."""

    def register(function: ScopeRule) -> ScopeRule:
        if _scopes.get(action, function) is not function:
            raise ValueError(f"two scope rules for {action}")
        _scopes[action] = function
        return function

    return register


def can(user, action: str, obj=None) -> bool:
    """Whether ``user`` may do ``action`` to ``obj``; unknown actions and inactive users: no."""
    if user is None or not getattr(user, "is_active", False):
        return False
    check = _rules.get(action)
    return bool(check and check(user, obj))


def require(user, action: str, obj=None) -> None:
    """``can`` or raise ``PermissionDenied`` (403, the Chinese message first)."""
    if not can(user, action, obj):
        raise PermissionDenied()


def scope(user, action: str, queryset: QuerySet) -> QuerySet:
    """The rows of ``queryset`` that ``user`` may do ``action`` to (none when no rule)."""
    if user is None or not getattr(user, "is_active", False) or action not in _scopes:
        return queryset.none()
    return _scopes[action](user, queryset)


def actions() -> list[str]:
    """Every action that has a rule (the access harness lists them)."""
    return sorted(_rules)


# ``access_rules`` where an app's ``rules`` module means something else (catalog: the guide
# consistency rules).
RULE_MODULES = ("rules", "access_rules")


def load_rules() -> None:
    """Import every installed Tongban app's rule modules (from ``IdentityConfig.ready``)."""
    for config in apps.get_app_configs():
        if not config.name.startswith("tongban."):
            continue
        for module in RULE_MODULES:
            try:
                import_module(f"{config.name}.{module}")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.{module}":
                    raise


# --- helpers the rules are written with -------------------------------------------------
#
# Staff rights come from roles (``org.roles``: role → Django permissions). A rule asks
# ``holds`` for the permission and ``reach`` for the departments it covers; people and
# enterprises are answered by ``owns`` / ``own_rows``.

ALL = None  # ``reach``: every department


def permissions(user) -> frozenset[str]:
    """The permissions the account's roles carry (backends only: ``is_superuser`` gives none)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return frozenset(user.get_all_permissions())


def holds(user, *perms: str) -> bool:
    """Whether the account's roles carry every permission in ``perms``."""
    return set(perms) <= permissions(user)


def roles(user) -> set[str]:
    """The roles the account holds today (``org.services.roles_of``)."""
    from tongban.org.services import roles_of

    return roles_of(user)


def departments(user, *role_names: str) -> frozenset[int]:
    """Ids of the departments where the account holds one of ``role_names`` (any role if none).

    Kept on the user object for the request, like its roles (``org.services.roles_of``;
    ``forget_cached_roles`` drops both): a list page asks once per row.
    """
    from tongban.org.services import DEPARTMENT_CACHE

    cache = getattr(user, DEPARTMENT_CACHE, None)
    if cache is None:
        cache = {}
        if getattr(user, "pk", None) is not None:
            setattr(user, DEPARTMENT_CACHE, cache)
    key = frozenset(role_names)
    if key not in cache:
        memberships = _memberships(user, role_names)
        cache[key] = frozenset(memberships.values_list("department_id", flat=True))
    return cache[key]


def centers(user, *role_names: str) -> frozenset[int]:
    """Ids of the service centers where the account is placed with one of ``role_names``
    (a membership at a center or at one of its windows; any role if none)."""
    placed = _memberships(user, role_names).filter(center__isnull=False)
    return frozenset(placed.values_list("center_id", flat=True))


def _memberships(user, role_names):
    from tongban.org.models import StaffMembership

    if not getattr(user, "is_authenticated", False):
        return StaffMembership.objects.none()
    memberships = StaffMembership.objects.active().filter(user=user)
    return memberships.filter(role__in=role_names) if role_names else memberships


def reach(user, perm: str, *, scoped: frozenset[str] | set[str]) -> frozenset[int] | None:
    """Where ``perm`` applies for ``user``: ``ALL`` (None) when a role outside ``scoped``
    carries it, else the departments of the ``scoped`` roles that carry it (maybe none).

    ``scoped`` names the roles that act within their own departments only, e.g.
    ``{"dept_admin"}`` for windows and memberships.
    """
    from tongban.org.roles import permissions_for

    held = roles(user)
    if any(perm in permissions_for(role) for role in held - set(scoped)):
        return ALL
    carrying = [role for role in held & set(scoped) if perm in permissions_for(role)]
    return departments(user, *carrying) if carrying else frozenset()


def within(user, perm: str, department_id, *, scoped) -> bool:
    """Whether ``perm`` reaches ``department_id`` for ``user`` (see ``reach``)."""
    found = reach(user, perm, scoped=scoped)
    return found is ALL or department_id in found


def in_reach(user, perm: str, queryset: QuerySet, *, scoped, field: str = "department"):
    """``queryset`` narrowed to the rows whose ``field`` department ``perm`` reaches."""
    found = reach(user, perm, scoped=scoped)
    if found is ALL:
        return queryset
    return queryset.filter(**{f"{field}__in": found})


def enterprises_with(user, scope: str | None = None) -> frozenset[int]:
    """Ids of the enterprises ``user`` may act for, holding ``scope`` when one is named:
    every scope as legal representative, the granted ones as an agent in force."""
    from tongban.identity.enterprises import valid_agencies
    from tongban.identity.models import EnterpriseAccount

    if not getattr(user, "is_authenticated", False):
        return frozenset()
    found = set(
        EnterpriseAccount.objects.filter(legal_rep=user, is_active=True).values_list(
            "pk", flat=True
        )
    )
    for enterprise_id, scopes in valid_agencies(user).values_list("enterprise_id", "scopes"):
        if scope is None or scope in (scopes or ()):
            found.add(enterprise_id)
    return frozenset(found)


def owns(user, obj, *, person: str = "applicant", enterprise: str | None = None, scope=None):
    """ "Own record": ``obj.<person>`` is the user, or ``obj.<enterprise>`` is an enterprise the
    user acts for holding ``scope`` (legal representative, or agent with that scope)."""
    if obj is None or not getattr(user, "is_authenticated", False):
        return False
    if getattr(obj, f"{person}_id", None) == user.pk:
        return True
    if enterprise is None:
        return False
    enterprise_id = getattr(obj, f"{enterprise}_id", None)
    return enterprise_id is not None and enterprise_id in enterprises_with(user, scope)


def own_rows(user, queryset: QuerySet, *, person="applicant", enterprise=None, scope=None):
    """The rows of ``queryset`` that ``owns`` allows: for a scope rule over people's records."""
    from django.db.models import Q

    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    condition = Q(**{person: user})
    if enterprise is not None:
        condition |= Q(**{f"{enterprise}__in": enterprises_with(user, scope)})
    return queryset.filter(condition)
