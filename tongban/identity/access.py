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


def load_rules() -> None:
    """Import every installed Tongban app's ``rules`` module (from ``IdentityConfig.ready``)."""
    for config in apps.get_app_configs():
        if config.name.startswith("tongban."):
            try:
                import_module(f"{config.name}.rules")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.rules":
                    raise
