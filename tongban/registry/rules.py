"""Who may look people and entities up in the base registries, and see full values.

- ``registry.view``: the masked records (``obj``: a ``Person`` or ``LegalEntity``, or None);
- ``registry.reveal``: the reveal page for one record: viewing it and a role that may see
  some personal field of it in full (``tongban.core.pii.reveal.POLICY`` has the kinds).

The system administrator reads no personal data: no registry permission, nothing revealed.

The spaces (一人一档 / 一企一档, ``tongban.registry.spaces``):

- ``registry.view_person_space``: own record only (``obj``: a ``Person``, or None for "a
  space at all"), from real-name level L2, when the account's ID number was matched against
  the population base;
- ``registry.view_enterprise_space``: the legal representative, or an agent whose
  authorization in force today includes "view" (``obj``: an ``EnterpriseAccount``).
"""

from tongban.core.pii.fields import personal_fields
from tongban.core.pii.reveal import may_reveal
from tongban.identity import access
from tongban.identity.enterprises import enterprises_of, scopes_for
from tongban.identity.models import Agent, Level

MODELS = ("person", "legalentity")


@access.rule("registry.view")
def view(user, obj) -> bool:
    models = MODELS if obj is None else (obj._meta.model_name,)
    return any(access.holds(user, f"registry.view_{model}") for model in models)


@access.rule("registry.reveal")
def reveal(user, obj) -> bool:
    if obj is None or not view(user, obj):
        return False
    return any(may_reveal(user, field.pii_kind) for field in personal_fields(type(obj)))


@access.rule("registry.view_person_space")
def view_person_space(user, person) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.real_name_level < Level.L2 or not user.id_number_hash:
        return False
    return person is None or person.id_number_hash == user.id_number_hash


@access.rule("registry.view_enterprise_space")
def view_enterprise_space(user, enterprise) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if enterprise is None:
        return any(Agent.Scope.VIEW in scopes_for(user, found) for found in enterprises_of(user))
    return Agent.Scope.VIEW in scopes_for(user, enterprise)
