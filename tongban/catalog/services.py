"""The catalog's write path: every change to items and guide versions goes through here.

Each function is one transaction holding the change and its audit record. A guide version
is drafted (``create_item``, ``start_revision``, ``update_draft``, ``set_steps``, …),
submitted (``submit``: the consistency rules must pass), then published (``publish``) or
sent back (``reject``). A published version never changes; a newer one supersedes it from
its effective date (at once, or by ``activate_due_versions`` once that day comes), and
``ServiceItem.current_guide`` follows. ``signals.guide_published`` is sent after the commit.

``by`` is the acting account, or ``None`` or a string naming a system process (imports,
the demo catalog, the scheduler), which skips the permission check as ``org`` does.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max, Prefetch

from tongban.audit import services as audit
from tongban.catalog import formdefs, rules, signals
from tongban.catalog.models import (
    AcceptancePoint,
    BaseItem,
    Guide,
    MaterialSpec,
    ProcessStep,
    ServiceItem,
    Topic,
)
from tongban.catalog.rules import ConsistencyError, Violation
from tongban.core import clock
from tongban.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tongban.org.models import Department, Window

__all__ = [
    "ConsistencyError",
    "FieldChange",
    "Violation",
    "activate_due_versions",
    "check",
    "compare",
    "create_item",
    "discard_draft",
    "guide_history",
    "publish",
    "published_guide",
    "reject",
    "set_acceptance_points",
    "set_materials",
    "set_steps",
    "start_revision",
    "submit",
    "update_draft",
    "update_item",
    "upsert_base_item",
]

# Permissions (roles.py gives them to catalog_admin). Publishing changes which version
# of an item is in force, so it needs the right to change items as well as guides.
PERM_ADD_ITEM = "catalog.add_serviceitem"
PERM_CHANGE_ITEM = "catalog.change_serviceitem"
PERM_EDIT = "catalog.change_guide"
PERMS_PUBLISH = (PERM_EDIT, PERM_CHANGE_ITEM)

# Guide fields that are not elements of the guide: its lifecycle and bookkeeping.
LIFECYCLE_FIELDS = frozenset(
    {
        "id",
        "item",
        "version",
        "status",
        "effective_from",
        "published_at",
        "superseded_at",
        "submitted_by",
        "reviewed_by",
        "change_note",
    }
)
ELEMENT_FIELDS = tuple(
    f.name for f in Guide._meta.concrete_fields if f.name not in LIFECYCLE_FIELDS
)
M2M_FIELDS = ("windows", "joint_departments")
# What update_draft accepts: the elements, their many-to-many relations and the change note.
EDITABLE_FIELDS = frozenset(ELEMENT_FIELDS) | set(M2M_FIELDS) | {"change_note"}
STEP_FIELDS = ("name", "days", "description")
MATERIAL_FIELDS = (
    "name",
    "source",
    "source_note",
    "copies",
    "medium",
    "requirement",
    "condition",
    "blank_form",
    "sample",
    "license_type_code",
    "shared_data_item",
    "notes",
)
POINT_FIELDS = ("center", "mode")

APPLY_WAYS = {"window": "窗口", "online": "网上", "mail": "邮寄"}
DELIVERY_WAYS = {"window": "窗口领取", "mail": "邮寄", "electronic": "电子送达"}
ONLINE_FLAGS = range(1, 9)
OPEN_STATUSES = (Guide.Status.DRAFT, Guide.Status.SUBMITTED)


# --- items and drafts ---------------------------------------------------------------


def create_item(
    *,
    implementation_code: str,
    base_item: BaseItem,
    department: Department,
    by,
    is_active: bool = True,
    version: int = 1,
    **guide_fields,
) -> ServiceItem:
    """A new implementation-list item with its first guide version as a draft."""
    _require(by, PERM_ADD_ITEM, PERM_EDIT)
    _reject_unknown(guide_fields, EDITABLE_FIELDS)
    with transaction.atomic():
        if ServiceItem.objects.filter(implementation_code=implementation_code).exists():
            raise InvalidInput(
                fields={
                    "implementation_code": [
                        f"实施编码 {implementation_code} 已存在 / implementation code "
                        "already exists"
                    ]
                }
            )
        item = ServiceItem(
            implementation_code=implementation_code,
            base_item=base_item,
            department=department,
            is_active=is_active,
        )
        _full_clean(item, exclude=["current_guide"])
        item.save()
        guide = Guide(item=item, version=version, status=Guide.Status.DRAFT)
        m2m = _assign(guide, guide_fields)
        _clean_guide(guide)
        guide.save()
        _set_m2m(guide, m2m)
        audit.record(
            by,
            "catalog.item.create",
            item,
            changes={
                "implementation_code": implementation_code,
                "base_code": base_item.base_code,
                "department": department.code,
                "guide": audit.snapshot(guide, ELEMENT_FIELDS),
            },
        )
    return item


def upsert_base_item(*, by, base_code: str, **fields) -> tuple[BaseItem, bool]:
    """Create the base-catalog item or bring its fields up to date; whether it changed."""
    names = ("name", "item_type", "legal_basis", "level")
    _reject_unknown(fields, names)
    with transaction.atomic():
        base = BaseItem.objects.select_for_update().filter(base_code=base_code).first()
        if base is None:
            _require(by, "catalog.add_baseitem")
            base = BaseItem(base_code=base_code, **fields)
            _full_clean(base)
            base.save()
            audit.record(by, "catalog.baseitem.create", base, changes=audit.snapshot(base))
            return base, True
        before = audit.snapshot(base, names)
        for name, value in fields.items():
            setattr(base, name, value)
        changes = audit.diff(before, audit.snapshot(base, names))
        if not changes:
            return base, False
        _require(by, "catalog.change_baseitem")
        _full_clean(base)
        base.save(update_fields=list(changes))
        audit.record(by, "catalog.baseitem.update", base, changes=changes)
        return base, True


def update_item(
    item: ServiceItem, *, by, base_item=None, department=None, is_active=None
) -> ServiceItem:
    """Change an item's identity data (not its guide): base item, department, in use."""
    _require(by, PERM_CHANGE_ITEM)
    fields = ("base_item", "department", "is_active")
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        before = audit.snapshot(item, fields)
        if base_item is not None:
            item.base_item = base_item
        if department is not None:
            item.department = department
        if is_active is not None:
            item.is_active = is_active
        changes = audit.diff(before, audit.snapshot(item, fields))
        if changes:
            item.save(update_fields=list(changes))
            audit.record(by, "catalog.item.update", item, changes=changes)
    return item


def start_revision(item: ServiceItem, *, by) -> Guide:
    """A new draft copying the newest published version: elements, steps, materials, points."""
    _require(by, PERM_EDIT)
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        open_draft = item.guides.filter(status__in=OPEN_STATUSES).first()
        if open_draft is not None:
            raise Conflict(
                f"该事项已有未发布的版本 v{open_draft.version}({open_draft.get_status_display()}),"
                "请在该版本上修改",
                f"the item already has an unpublished version v{open_draft.version}",
            )
        source = (
            item.guides.filter(status=Guide.Status.PUBLISHED).order_by("-version").first()
            or item.current_guide
        )
        if source is None:
            raise Conflict("该事项还没有已发布的版本", "the item has no published version")
        draft = Guide(item=item, version=_next_version(item), status=Guide.Status.DRAFT)
        for name in ELEMENT_FIELDS:
            setattr(draft, name, getattr(source, name))
        draft.save()
        draft.windows.set(source.windows.all())
        draft.joint_departments.set(source.joint_departments.all())
        ProcessStep.objects.bulk_create(
            ProcessStep(guide=draft, **_row(step, ("order", *STEP_FIELDS)))
            for step in source.steps.all()
        )
        MaterialSpec.objects.bulk_create(
            MaterialSpec(guide=draft, **_row(spec, ("order", *MATERIAL_FIELDS)))
            for spec in source.materials.all()
        )
        AcceptancePoint.objects.bulk_create(
            AcceptancePoint(guide=draft, center_id=point.center_id, mode=point.mode)
            for point in source.acceptance_points.all()
        )
        audit.record(by, "catalog.guide.revise", draft, changes={"from_version": source.version})
    return draft


def update_draft(guide: Guide, *, by, **fields) -> Guide:
    """Change elements of a draft. Many-to-many fields take lists of objects."""
    _require(by, PERM_EDIT)
    _reject_unknown(fields, EDITABLE_FIELDS)
    with transaction.atomic():
        guide = _locked_draft(guide)
        before = _guide_state(guide)
        m2m = _assign(guide, fields)
        _clean_guide(guide)
        guide.save()
        _set_m2m(guide, m2m)
        changes = audit.diff(before, _guide_state(guide))
        if changes:
            audit.record(by, "catalog.guide.update", guide, changes=changes)
    return guide


def set_steps(guide: Guide, steps: list[dict], *, by) -> Guide:
    """Replace the draft's process steps (list order is step order)."""
    return _replace_rows(
        guide, steps, by=by, model=ProcessStep, fields=STEP_FIELDS, related="steps"
    )


def set_materials(guide: Guide, materials: list[dict], *, by) -> Guide:
    """Replace the draft's materials (list order is display order)."""
    return _replace_rows(
        guide,
        materials,
        by=by,
        model=MaterialSpec,
        fields=MATERIAL_FIELDS,
        related="materials",
    )


def set_acceptance_points(guide: Guide, points: list[dict], *, by) -> Guide:
    """Replace where the item can be accepted: ``[{"center": ServiceCenter, "mode": …}]``."""
    return _replace_rows(
        guide,
        points,
        by=by,
        model=AcceptancePoint,
        fields=POINT_FIELDS,
        related="acceptance_points",
    )


def discard_draft(guide: Guide, *, by) -> None:
    """Throw away an unpublished revision (never an item's only version)."""
    _require(by, PERM_EDIT, "catalog.delete_guide")
    with transaction.atomic():
        guide = _locked(guide)
        if guide.status not in OPEN_STATUSES:
            raise Conflict(
                f"{guide} 已发布,发布过的版本不能删除",
                "a published version can never be deleted",
            )
        if not guide.item.guides.exclude(pk=guide.pk).exists():
            raise Conflict(
                "这是该事项唯一的版本,不能删除;不再使用的事项请停用",
                "the item's only version cannot be deleted; deactivate the item instead",
            )
        audit.record(by, "catalog.guide.discard", guide, changes=_guide_state(guide))
        guide.delete()


# --- review and publication ---------------------------------------------------------


def check(guide: Guide) -> list[Violation]:
    """The consistency rules the guide breaks (empty: it may be submitted and published)."""
    return rules.check(guide)


def submit(guide: Guide, *, by) -> Guide:
    """Send a draft for review; refused with a ``ConsistencyError`` if it breaks a rule."""
    _require(by, PERM_EDIT)
    with transaction.atomic():
        guide = _locked(guide)
        if guide.status != Guide.Status.DRAFT:
            raise _wrong_status(guide, "提交审核", "submit")
        rules.ensure_consistent(guide)
        guide.status = Guide.Status.SUBMITTED
        guide.submitted_by = _account(by)
        guide.save(update_fields=["status", "submitted_by"])
        audit.record(by, "catalog.guide.submit", guide, changes={"status": ["draft", "submitted"]})
    return guide


def reject(guide: Guide, *, by, reason: str) -> Guide:
    """Send a submitted version back to its drafter, saying why."""
    _require(by, *PERMS_PUBLISH)
    if not (reason or "").strip():
        raise InvalidInput(fields={"reason": ["请填写退回原因 / a reason is required"]})
    with transaction.atomic():
        guide = _locked(guide)
        if guide.status != Guide.Status.SUBMITTED:
            raise _wrong_status(guide, "退回", "reject")
        guide.status = Guide.Status.DRAFT
        guide.reviewed_by = _account(by)
        guide.save(update_fields=["status", "reviewed_by"])
        audit.record(
            by,
            "catalog.guide.reject",
            guide,
            changes={"status": ["submitted", "draft"]},
            note=reason.strip(),
        )
    return guide


def publish(guide: Guide, *, by, effective_from: datetime.date | None = None) -> Guide:
    """Publish a submitted version (a draft too when a system process imports it).

    In force at once when ``effective_from`` (default today) has come: the version in force
    until now becomes superseded and ``current_guide`` moves. Otherwise it waits for
    ``activate_due_versions``. Refused with a ``ConsistencyError`` if it breaks a rule.
    """
    _require(by, *PERMS_PUBLISH)
    today = clock.today()
    effective_from = effective_from or today
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().get(pk=guide.item_id)
        guide = _locked(guide)
        allowed = [Guide.Status.SUBMITTED]
        if _is_system(by):
            allowed.append(Guide.Status.DRAFT)
        if guide.status not in allowed:
            raise _wrong_status(guide, "发布", "publish")
        rules.ensure_consistent(guide)
        old_status = guide.status
        guide.status = Guide.Status.PUBLISHED
        guide.effective_from = effective_from
        guide.published_at = clock.now()
        guide.reviewed_by = _account(by) or guide.reviewed_by
        guide.save(update_fields=["status", "effective_from", "published_at", "reviewed_by"])
        changes = {
            "status": [old_status, Guide.Status.PUBLISHED],
            "effective_from": effective_from.isoformat(),
        }
        if effective_from <= today:
            previous = _bring_into_force(item, guide)
            changes["superseded_version"] = previous.version if previous else None
        else:
            transaction.on_commit(lambda: _schedule_activation(effective_from))
        audit.record(by, "catalog.guide.publish", guide, changes=changes)
    return guide


def activate_due_versions(today: datetime.date | None = None) -> int:
    """Bring into force every published version whose effective date has come; how many."""
    today = today or clock.today()
    due_items = (
        Guide.objects.filter(status=Guide.Status.PUBLISHED, effective_from__lte=today)
        .exclude(item__current_guide=models.F("pk"))
        .values_list("item_id", flat=True)
        .distinct()
    )
    activated = 0
    for item_id in list(due_items):
        with transaction.atomic():
            item = ServiceItem.objects.select_for_update().get(pk=item_id)
            guide = (
                item.guides.filter(status=Guide.Status.PUBLISHED, effective_from__lte=today)
                .order_by("-version")
                .first()
            )
            if guide is None or guide.pk == item.current_guide_id:
                continue
            current = item.current_guide
            if current is not None and current.version > guide.version:
                # An older version whose date came after a newer one took over: never in force.
                _supersede(guide)
                continue
            previous = _bring_into_force(item, guide)
            audit.record(
                "scheduler",
                "catalog.guide.activate",
                guide,
                changes={"superseded_version": previous.version if previous else None},
            )
            activated += 1
    return activated


# --- reading ------------------------------------------------------------------------


def published_guide(implementation_code: str) -> Guide:
    """The version in force of an active item, with everything a page shows loaded."""
    guide = (
        _full_guides()
        .filter(
            item__implementation_code=implementation_code,
            item__is_active=True,
            item__current_guide=models.F("pk"),
        )
        .first()
    )
    if guide is None:
        raise NotFound("没有找到该事项的现行办事指南", "No guide in force for this item")
    return guide


def guide_history(item: ServiceItem) -> list[Guide]:
    """Every version of the item, newest first."""
    return list(item.guides.select_related("submitted_by", "reviewed_by").order_by("-version"))


@dataclass(frozen=True)
class FieldChange:
    """One difference between two versions: ``old``/``new`` as data, ``*_display`` as text."""

    field: str
    label: str
    old: object
    new: object
    old_display: str
    new_display: str


def compare(old: Guide, new: Guide) -> list[FieldChange]:
    """What changed from ``old`` to ``new``: elements, relations, steps, materials, points."""
    changes = []
    for name in ELEMENT_FIELDS:
        field = Guide._meta.get_field(name)
        a, b = _value(field, getattr(old, name)), _value(field, getattr(new, name))
        if a != b:
            changes.append(
                FieldChange(
                    name,
                    str(field.verbose_name),
                    a,
                    b,
                    _display(old, field),
                    _display(new, field),
                )
            )
    for name in M2M_FIELDS:
        field = Guide._meta.get_field(name)
        a, b = _m2m_labels(old, name), _m2m_labels(new, name)
        if a != b:
            changes.append(
                FieldChange(name, str(field.verbose_name), a, b, "、".join(a), "、".join(b))
            )
    changes += _compare_rows(
        "steps", "办理流程", ProcessStep, STEP_FIELDS, old.steps.all(), new.steps.all()
    )
    changes += _compare_rows(
        "materials",
        "申请材料",
        MaterialSpec,
        MATERIAL_FIELDS,
        old.materials.all(),
        new.materials.all(),
    )
    changes += _compare_points(old, new)
    return changes


# --- element validation (also used by documents) ------------------------------------


def guide_errors(guide: Guide) -> dict[str, list[str]]:
    """Field errors of a guide's element values (model validation plus list contents)."""
    errors: dict[str, list[str]] = {}
    try:
        guide.full_clean(exclude=["item", "version", *M2M_FIELDS], validate_unique=False)
    except ValidationError as exc:
        errors.update(_messages(exc))
    for name, message in list_errors(guide):
        errors.setdefault(name, []).append(message)
    return errors


def row_errors(model, values: dict) -> dict[str, list[str]]:
    """Field errors of one step, material or acceptance point given as a dict."""
    unknown = set(values) - set(_fields_of(model))
    if unknown:
        return {name: [f"未知字段 / unknown field {name}"] for name in sorted(unknown)}
    row = model(**values)
    try:
        row.full_clean(exclude=["guide", "order"], validate_unique=False)
    except ValidationError as exc:
        return _messages(exc)
    return {}


def list_errors(guide: Guide) -> Iterable[tuple[str, str]]:
    for name, allowed in (("apply_ways", APPLY_WAYS), ("delivery_ways", DELIVERY_WAYS)):
        values = getattr(guide, name)
        if not isinstance(values, list):
            yield name, "应为列表 / must be a list"
            continue
        bad = [v for v in values if v not in allowed]
        if bad:
            yield name, f"不认识的取值 {bad},可选 {list(allowed)} / unknown values {bad}"
    if not isinstance(guide.online_flags, list) or any(
        not isinstance(flag, int) or flag not in ONLINE_FLAGS for flag in guide.online_flags
    ):
        yield "online_flags", "网上办理环节应为 1–8 的整数列表 / integers 1–8"
    if not isinstance(guide.topics, list) or any(t not in Topic.values for t in guide.topics):
        yield "topics", "主题分类应为 Topic 代码列表 / must be Topic codes"
    if not isinstance(guide.faq, list) or any(
        not isinstance(qa, dict) or set(qa) != {"q", "a"} for qa in guide.faq
    ):
        yield "faq", '常见问题应为 [{"q": "问题", "a": "解答"}] / must be a list of {q, a}'
    for path, messages in formdefs.validate_form_definition(guide.form_schema).items():
        yield from (("form_schema", f"{path}:{m}" if path else m) for m in messages)


# --- internals ----------------------------------------------------------------------


def _require(by, *perms: str) -> None:
    if _is_system(by):
        return
    # Permissions from the backends only: User.has_perm would let is_superuser through.
    held = by.get_all_permissions() if getattr(by, "is_authenticated", False) else set()
    if not set(perms) <= held:
        raise PermissionDenied()


def _is_system(by) -> bool:
    return by is None or isinstance(by, str)


def _account(by):
    return None if _is_system(by) else by


def _reject_unknown(values: dict, allowed: Iterable[str]) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise InvalidInput(fields={name: [f"未知字段 / unknown field {name}"] for name in unknown})


def _locked(guide: Guide) -> Guide:
    """Lock the version's row and bring the caller's object up to date with it."""
    try:
        guide.refresh_from_db(from_queryset=Guide.objects.select_for_update())
    except Guide.DoesNotExist as exc:
        raise NotFound("没有这个指南版本", "No such guide version") from exc
    return guide


def _locked_draft(guide: Guide) -> Guide:
    guide = _locked(guide)
    if guide.status != Guide.Status.DRAFT:
        raise Conflict(
            f"{guide} 的状态是“{guide.get_status_display()}”,只有草稿可以修改;"
            "已发布的版本不能修改,请新建修订版本",
            f"only drafts can be edited; this version is {guide.status}",
        )
    return guide


def _wrong_status(guide: Guide, action_zh: str, action_en: str) -> Conflict:
    return Conflict(
        f"{guide} 的状态是“{guide.get_status_display()}”,不能{action_zh}",
        f"cannot {action_en} a version that is {guide.status}",
    )


def _next_version(item: ServiceItem) -> int:
    return (item.guides.aggregate(v=Max("version"))["v"] or 0) + 1


def _assign(guide: Guide, fields: dict) -> dict:
    """Set scalar fields on the guide; return the many-to-many values to set after saving."""
    m2m = {}
    for name, value in fields.items():
        if name in M2M_FIELDS:
            m2m[name] = list(value or [])
        else:
            setattr(guide, name, value)
    return m2m


def _set_m2m(guide: Guide, m2m: dict) -> None:
    for name, values in m2m.items():
        getattr(guide, name).set(values)


def _clean_guide(guide: Guide) -> None:
    errors = guide_errors(guide)
    if errors:
        raise InvalidInput(fields=errors)


def _full_clean(obj, exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        raise InvalidInput(fields=_messages(exc)) from exc


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    return {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}


def _guide_state(guide: Guide) -> dict:
    state = audit.snapshot(guide, [*ELEMENT_FIELDS, "change_note"])
    if guide.pk:
        for name in M2M_FIELDS:
            state[name] = sorted(getattr(guide, name).values_list("pk", flat=True))
    return state


def _fields_of(model) -> tuple[str, ...]:
    return {
        ProcessStep: STEP_FIELDS,
        MaterialSpec: MATERIAL_FIELDS,
        AcceptancePoint: POINT_FIELDS,
    }[model]


def _row(obj, fields: Iterable[str]) -> dict:
    return {name: getattr(obj, name) for name in fields}


def _replace_rows(guide, rows, *, by, model, fields, related) -> Guide:
    _require(by, PERM_EDIT)
    errors = {}
    for index, values in enumerate(rows):
        for name, messages in row_errors(model, dict(values)).items():
            errors[f"{related}[{index}].{name}"] = messages
    if model is AcceptancePoint:
        centers = [values.get("center") for values in rows]
        if len(set(centers)) != len(centers):
            errors[related] = ["同一服务中心只能出现一次 / each center once"]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        guide = _locked_draft(guide)
        manager = getattr(guide, related)
        before = [audit.snapshot(row, fields) for row in manager.all()]
        manager.all().delete()
        created = [
            model(guide=guide, **({"order": n} if model is not AcceptancePoint else {}), **values)
            for n, values in enumerate(rows, 1)
        ]
        model.objects.bulk_create(created)
        after = [audit.snapshot(row, fields) for row in created]
        if before != after:
            audit.record(by, f"catalog.guide.{related}", guide, changes={related: [before, after]})
    return guide


def _bring_into_force(item: ServiceItem, guide: Guide) -> Guide | None:
    """Make ``guide`` the version in force; supersede the one before and any left waiting."""
    previous = item.current_guide
    for older in item.guides.filter(
        status=Guide.Status.PUBLISHED, version__lt=guide.version
    ).exclude(pk=guide.pk):
        _supersede(older)
    item.current_guide = guide
    item.save(update_fields=["current_guide"])
    transaction.on_commit(
        lambda: signals.guide_published.send(
            sender=Guide, guide=guide, item=item, previous=previous
        )
    )
    return previous


def _schedule_activation(day: datetime.date) -> None:
    from tongban.catalog import tasks

    tasks.schedule_activation(day)


def _supersede(guide: Guide) -> None:
    guide.status = Guide.Status.SUPERSEDED
    guide.superseded_at = clock.now()
    guide.save(update_fields=["status", "superseded_at"])


def _full_guides():
    return Guide.objects.select_related(
        "item__base_item", "item__department", "submitted_by", "reviewed_by"
    ).prefetch_related(
        "steps",
        "materials",
        Prefetch("acceptance_points", AcceptancePoint.objects.select_related("center")),
        Prefetch("windows", Window.objects.select_related("center")),
        "joint_departments",
    )


def _value(field, value):
    if isinstance(field, models.FileField):
        return value.name or ""
    return value


def _display(guide: Guide, field) -> str:
    value = getattr(guide, field.name)
    if field.choices and value not in (None, ""):
        return str(getattr(guide, f"get_{field.name}_display")())
    if isinstance(field, models.BooleanField):
        return "是" if value else "否"
    if isinstance(field, models.FileField):
        return value.name or "—"
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, list):
        return "、".join(map(str, value))
    return str(value)


def _m2m_labels(guide: Guide, name: str) -> list[str]:
    if name == "windows":
        return sorted(
            f"{w.center.name} {w.number} {w.name}" for w in guide.windows.select_related("center")
        )
    return sorted(d.name for d in guide.joint_departments.all())


def _compare_rows(prefix, label, model, fields, old_rows, new_rows) -> list[FieldChange]:
    """Rows matched by name: added, removed, and changed fields of rows in both."""
    old_by_name = {row.name: row for row in old_rows}
    new_by_name = {row.name: row for row in new_rows}
    changes = []
    for name in old_by_name.keys() - new_by_name.keys():
        changes.append(
            FieldChange(f"{prefix}[{name}]", f"{label}「{name}」", name, None, name, "(删除)")
        )
    for name in new_by_name.keys() - old_by_name.keys():
        changes.append(
            FieldChange(f"{prefix}[{name}]", f"{label}「{name}」", None, name, "(新增)", name)
        )
    for name in old_by_name.keys() & new_by_name.keys():
        a, b = old_by_name[name], new_by_name[name]
        for field_name in ("order", *fields):
            field = model._meta.get_field(field_name)
            va, vb = _value(field, getattr(a, field_name)), _value(field, getattr(b, field_name))
            if va != vb:
                changes.append(
                    FieldChange(
                        f"{prefix}[{name}].{field_name}",
                        f"{label}「{name}」· {field.verbose_name}",
                        va,
                        vb,
                        _display(a, field),
                        _display(b, field),
                    )
                )
    return sorted(changes, key=lambda change: change.field)


def _compare_points(old: Guide, new: Guide) -> list[FieldChange]:
    def points(guide):
        return sorted(
            f"{p.center.name}({p.get_mode_display()})"
            for p in guide.acceptance_points.select_related("center")
        )

    a, b = points(old), points(new)
    if a == b:
        return []
    return [FieldChange("acceptance_points", "下沉受理点", a, b, "、".join(a), "、".join(b))]
