"""Full values for those whose role and purpose allow them, every read audited.

``POLICY`` is the one table of who may see which kind of personal data in full; everyone
else sees ``masking.mask``. A reveal records who read whose which field and why, never the
value. ``masked_changes`` gives an audit ``changes`` dict with personal values masked.
"""

from django.db.models import Model

from tongban.audit import services as audit
from tongban.core.pii.fields import BlindIndexField, personal_fields
from tongban.core.pii.masking import mask
from tongban.errors import InvalidInput, PermissionDenied
from tongban.org.models import StaffMembership
from tongban.org.services import roles_of

Role = StaffMembership.Role
ALL_KINDS = frozenset({"id_number", "phone", "address", "name", "text"})
# Role → the kinds of personal data it may read in full (with a stated purpose).
POLICY: dict[str, frozenset[str]] = {
    Role.DATA_OFFICER: ALL_KINDS,
    # Intake needs the applicant's full number, phone and address to handle the case.
    Role.CLERK: frozenset({"id_number", "phone", "address", "name"}),
    Role.APPROVER: frozenset({"id_number", "name"}),
}
MIN_PURPOSE = 2


def may_reveal(user, kind: str) -> bool:
    return any(kind in POLICY.get(role, ()) for role in roles_of(user))


def reveal(user, obj: Model, field: str, *, purpose: str) -> str:
    """The full value of ``obj.field`` for ``user``, audited as ``pii.reveal``.

    Raises ``PermissionDenied`` when no role of the user allows the field's kind, and
    ``InvalidInput`` when no purpose is given.
    """
    model_field = obj._meta.get_field(field)
    kind = getattr(model_field, "pii_kind", None)
    if kind is None:
        raise InvalidInput(fields={"field": [f"{field} 不是个人信息字段 / not a personal field"]})
    purpose = (purpose or "").strip()
    if len(purpose) < MIN_PURPOSE:
        raise InvalidInput(
            fields={"purpose": ["请说明查看完整信息的用途 / state why you need the full value"]}
        )
    if not may_reveal(user, kind):
        raise PermissionDenied(
            "您的角色无权查看完整个人信息", "Your role may not see this personal data in full"
        )
    value = getattr(obj, field)
    audit.record(
        user,
        "pii.reveal",
        obj,
        changes={"field": field},
        note=f"查看完整{model_field.verbose_name}({field});用途:{purpose}",
    )
    return "" if value is None else str(value)


def masked_snapshot(instance: Model) -> dict:
    """``audit.snapshot`` without blind indexes, personal values still in clear: diff it
    with ``masked_changes`` before it reaches the log."""
    skip = {f.name for f in instance._meta.concrete_fields if isinstance(f, BlindIndexField)}
    return {name: value for name, value in audit.snapshot(instance).items() if name not in skip}


def masked_changes(model, before: dict, after: dict) -> dict:
    """``audit.diff`` of two ``masked_snapshot``s, personal values masked by their kind.

    The diff is taken on the clear values, so a change hidden by the mask still shows.
    """
    kinds = {f.name: f.pii_kind for f in personal_fields(model)}
    changes = audit.diff(before, after)
    for name, (old, new) in changes.items():
        if name in kinds:
            changes[name] = [_masked(old, kinds[name]), _masked(new, kinds[name])]
    return changes


def _masked(value, kind):
    return None if value is None else mask(value, kind)
