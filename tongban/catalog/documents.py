"""One item as plain, JSON-safe data: what Excel import and export, the demo and tests use.

::

    doc = item_document(item)                 # the item and its version in force
    errors = validate_document(doc)           # {"guide.case_type": ["…"], …}; writes nothing
    item, changed = apply_document(doc, by=None)   # idempotent: same doc → no new version

Error keys: top-level fields by name (``implementation_code``, ``department``,
``effective_from``), ``base.<field>``, ``guide.<field>``, ``steps``/``materials``/
``acceptance_points`` for a whole list and ``steps[0].days`` (0-based) for one row.
Consistency rule violations come under the field they concern, the rule named in Chinese.
The shape is fixed by docs/dev/catalog-contract.md.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile

from tongban.audit import services as audit
from tongban.catalog import rules, services
from tongban.catalog.models import (
    AcceptancePoint,
    BaseItem,
    Guide,
    MaterialSpec,
    ProcessStep,
    ServiceItem,
)
from tongban.catalog.services import ELEMENT_FIELDS, MATERIAL_FIELDS, STEP_FIELDS
from tongban.errors import InvalidInput
from tongban.org.models import Department, ServiceCenter, Window

TOP_FIELDS = frozenset(
    {
        "implementation_code",
        "department",
        "is_active",
        "base",
        "version",
        "effective_from",
        "guide",
        "steps",
        "materials",
        "acceptance_points",
    }
)
BASE_FIELDS = ("base_code", "name", "item_type", "legal_basis", "level")
FILE_FIELDS = frozenset(
    f.name for f in Guide._meta.concrete_fields if isinstance(f, models.FileField)
)
REQUIRED = "必填 / required"


# --- export -------------------------------------------------------------------------


def item_document(item: ServiceItem) -> dict:
    """The item and its version in force (else its newest published, else newest version)."""
    guide = document_guide(item)
    base = item.base_item
    return {
        "implementation_code": item.implementation_code,
        "department": item.department.code,
        "is_active": item.is_active,
        "base": {name: getattr(base, name) for name in BASE_FIELDS},
        "version": guide.version,
        "effective_from": guide.effective_from.isoformat() if guide.effective_from else None,
        **guide_content(guide),
    }


def guide_content(guide: Guide) -> dict:
    """The ``guide``, ``steps``, ``materials`` and ``acceptance_points`` parts of a version."""
    return _content(
        guide,
        windows=guide.windows.select_related("center"),
        joint_departments=guide.joint_departments.all(),
        steps=[_row_data(s, STEP_FIELDS) for s in guide.steps.all()],
        materials=[_row_data(m, MATERIAL_FIELDS) for m in guide.materials.all()],
        points=list(guide.acceptance_points.select_related("center")),
    )


def document_guide(item: ServiceItem) -> Guide:
    """The version a document describes: in force, else newest published, else newest."""
    if item.current_guide_id:
        return item.current_guide
    guides = item.guides.order_by("-version")
    return guides.filter(status=Guide.Status.PUBLISHED).first() or guides.first()


# --- validation ---------------------------------------------------------------------


def validate_document(doc: dict) -> dict[str, list[str]]:
    """Every field error of the document, in Chinese (rules included); writes nothing."""
    return _parse(doc).errors


@dataclass
class _Parsed:
    """A document checked and turned into model values, ready for the services."""

    errors: dict = field(default_factory=dict)
    implementation_code: str = ""
    department: Department | None = None
    is_active: bool = True
    base: dict = field(default_factory=dict)
    version: int | None = None
    effective_from: datetime.date | None = None
    guide: Guide | None = None
    windows: list = field(default_factory=list)
    joint_departments: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    materials: list = field(default_factory=list)
    points: list = field(default_factory=list)
    item: ServiceItem | None = None

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    def elements(self) -> dict:
        values = {name: getattr(self.guide, name) for name in ELEMENT_FIELDS}
        for name in FILE_FIELDS:
            values[name] = values[name].name or ""
        return values

    def content(self) -> dict:
        return _content(
            self.guide,
            windows=self.windows,
            joint_departments=self.joint_departments,
            steps=self.steps,
            materials=self.materials,
            points=[AcceptancePoint(center=p["center"], mode=p["mode"]) for p in self.points],
        )


def _parse(doc) -> _Parsed:
    parsed = _Parsed()
    if not isinstance(doc, dict):
        parsed.add("document", "文档应为对象 / the document must be an object")
        return parsed
    for key in sorted(set(doc) - TOP_FIELDS):
        parsed.add(key, f"未知字段 / unknown field {key}")
    _parse_item(doc, parsed)
    _parse_base(doc.get("base"), parsed)
    _parse_guide(doc.get("guide"), parsed)
    parsed.steps = _parse_rows(doc.get("steps"), "steps", ProcessStep, STEP_FIELDS, parsed)
    parsed.materials = _parse_rows(
        doc.get("materials"), "materials", MaterialSpec, MATERIAL_FIELDS, parsed
    )
    _parse_points(doc.get("acceptance_points"), parsed)
    _check_rules(parsed)
    _check_open_draft(parsed)
    return parsed


def _parse_item(doc: dict, parsed: _Parsed) -> None:
    code = doc.get("implementation_code")
    if not isinstance(code, str) or not code.strip():
        parsed.add("implementation_code", f"实施编码{REQUIRED}")
    elif len(code.strip()) > ServiceItem._meta.get_field("implementation_code").max_length:
        parsed.add("implementation_code", "实施编码过长 / implementation code too long")
    else:
        parsed.implementation_code = code.strip()
        parsed.item = (
            ServiceItem.objects.select_related("current_guide")
            .filter(implementation_code=parsed.implementation_code)
            .first()
        )
    department_code = doc.get("department")
    if not department_code:
        parsed.add("department", f"实施部门代码{REQUIRED}")
    else:
        parsed.department = Department.objects.filter(code=department_code).first()
        if parsed.department is None:
            parsed.add(
                "department",
                f"没有代码为 {department_code} 的部门 / unknown department {department_code}",
            )
    is_active = doc.get("is_active", True)
    if not isinstance(is_active, bool):
        parsed.add("is_active", "应为 true 或 false / must be true or false")
    else:
        parsed.is_active = is_active
    version = doc.get("version")
    if version is not None:
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            parsed.add("version", "版本号应为正整数 / version must be a positive integer")
        else:
            parsed.version = version
    effective_from = doc.get("effective_from")
    if isinstance(effective_from, datetime.date):
        parsed.effective_from = effective_from
    elif effective_from:
        try:
            parsed.effective_from = datetime.date.fromisoformat(str(effective_from))
        except ValueError:
            parsed.add("effective_from", "生效日期格式应为 2026-01-01 / date must be YYYY-MM-DD")


def _parse_base(base, parsed: _Parsed) -> None:
    if not isinstance(base, dict):
        parsed.add("base", f"基本目录事项{REQUIRED}")
        return
    for key in sorted(set(base) - set(BASE_FIELDS)):
        parsed.add(f"base.{key}", f"未知字段 / unknown field {key}")
    values = {name: base[name] for name in BASE_FIELDS if name in base}
    row = BaseItem(**values)
    try:
        row.full_clean(validate_unique=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                parsed.add(f"base.{name}", message)
    parsed.base = {name: getattr(row, name) for name in BASE_FIELDS}


def _parse_guide(values, parsed: _Parsed) -> None:
    parsed.guide = Guide()
    if not isinstance(values, dict):
        parsed.add("guide", f"办事指南{REQUIRED}")
        return
    allowed = set(ELEMENT_FIELDS) | {"windows", "joint_departments"}
    for key in sorted(set(values) - allowed):
        parsed.add(f"guide.{key}", f"未知字段 / unknown field {key}")
    for name in ELEMENT_FIELDS:
        if name in values:
            value = values[name]
            setattr(parsed.guide, name, "" if value is None and name in FILE_FIELDS else value)
    for name, messages in services.guide_errors(parsed.guide).items():
        for message in messages:
            parsed.add(f"guide.{name}", message)
    parsed.windows = _resolve_windows(values.get("windows") or [], parsed)
    parsed.joint_departments = _resolve_departments(values.get("joint_departments") or [], parsed)


def _resolve_windows(refs, parsed: _Parsed) -> list[Window]:
    if not isinstance(refs, list):
        parsed.add("guide.windows", "应为列表 / must be a list")
        return []
    found = []
    for ref in refs:
        code, slash, number = str(ref).rpartition("/")
        center = Q(center__statistical_code=code) if code else Q(center__statistical_code=None)
        window = Window.objects.filter(center, number=number).first() if slash else None
        if window is None:
            parsed.add(
                "guide.windows",
                f"没有窗口 {ref}(应写作 服务中心统计用区划代码/窗口编号)/ unknown window {ref}",
            )
        else:
            found.append(window)
    return found


def _resolve_departments(codes, parsed: _Parsed) -> list[Department]:
    if not isinstance(codes, list):
        parsed.add("guide.joint_departments", "应为列表 / must be a list")
        return []
    by_code = Department.objects.in_bulk([str(c) for c in codes], field_name="code")
    for code in codes:
        if str(code) not in by_code:
            parsed.add(
                "guide.joint_departments",
                f"没有代码为 {code} 的部门 / unknown department {code}",
            )
    return [by_code[str(c)] for c in codes if str(c) in by_code]


def _parse_rows(rows, key: str, model, fields, parsed: _Parsed) -> list[dict]:
    if rows is None:
        return []
    if not isinstance(rows, list):
        parsed.add(key, "应为列表 / must be a list")
        return []
    cleaned = []
    for index, values in enumerate(rows):
        if not isinstance(values, dict):
            parsed.add(f"{key}[{index}]", "应为对象 / must be an object")
            continue
        errors = services.row_errors(model, values)
        for name, messages in errors.items():
            for message in messages:
                parsed.add(f"{key}[{index}].{name}", message)
        if not errors:
            row = model(**values)
            row.full_clean(exclude=["guide", "order"], validate_unique=False)
            cleaned.append(_row_data(row, fields))
    return cleaned


def _parse_points(points, parsed: _Parsed) -> None:
    if points is None:
        return
    if not isinstance(points, list):
        parsed.add("acceptance_points", "应为列表 / must be a list")
        return
    codes = [str(p.get("center")) for p in points if isinstance(p, dict)]
    centers = ServiceCenter.objects.in_bulk(codes, field_name="statistical_code")
    seen = set()
    for index, point in enumerate(points):
        key = f"acceptance_points[{index}]"
        if not isinstance(point, dict):
            parsed.add(key, "应为对象 / must be an object")
            continue
        for extra in sorted(set(point) - {"center", "mode"}):
            parsed.add(f"{key}.{extra}", f"未知字段 / unknown field {extra}")
        code, mode = str(point.get("center")), point.get("mode")
        center = centers.get(code)
        if center is None:
            parsed.add(f"{key}.center", f"没有统计用区划代码为 {code} 的服务中心 / unknown center")
        elif code in seen:
            parsed.add(f"{key}.center", "同一服务中心只能出现一次 / each center once")
        seen.add(code)
        if mode not in AcceptancePoint.Mode.values:
            parsed.add(
                f"{key}.mode",
                f"下沉方式应为 {'、'.join(AcceptancePoint.Mode.values)} / unknown mode {mode}",
            )
        if (
            center is not None
            and mode in AcceptancePoint.Mode.values
            and code not in {p["center"].statistical_code for p in parsed.points}
        ):
            parsed.points.append({"center": center, "mode": mode})


def _check_rules(parsed: _Parsed) -> None:
    """Consistency rules over the values that passed field validation."""
    bad = {key.removeprefix("guide.") for key in parsed.errors if key.startswith("guide.")}
    fields = {
        name: (None if name in bad else getattr(parsed.guide, name)) for name in ELEMENT_FIELDS
    }
    data = rules.GuideData(
        fields=fields, steps=parsed.steps, item_type=parsed.base.get("item_type") or ""
    )
    violations = [v for v in rules.check_data(data) if v.field not in bad]
    for name, messages in rules.fields_of(violations).items():
        key = name if name == "steps" else f"guide.{name}"
        for message in messages:
            parsed.add(key, message)


def _check_open_draft(parsed: _Parsed) -> None:
    """A new version cannot be made while someone's draft of the item is open."""
    if parsed.errors or parsed.item is None or not _needs_new_version(parsed):
        return
    draft = parsed.item.guides.filter(status__in=services.OPEN_STATUSES).first()
    if draft is not None:
        parsed.add(
            "implementation_code",
            f"该事项有未发布的版本 v{draft.version}({draft.get_status_display()}),"
            "请先发布或退回处理后再导入 / the item has an unpublished version",
        )


def _needs_new_version(parsed: _Parsed) -> bool:
    """Whether the document's guide differs from the item's newest published version."""
    newest = parsed.item.guides.filter(status=Guide.Status.PUBLISHED).order_by("-version").first()
    return newest is None or guide_content(newest) != parsed.content()


# --- import -------------------------------------------------------------------------


def apply_document(doc: dict, *, by) -> tuple[ServiceItem, bool]:
    """Create or update the item; publish a new version only when the guide differs.

    Returns the item and whether anything was written. Raises ``InvalidInput`` with the
    errors of ``validate_document`` when the document is not valid.
    """
    with transaction.atomic():
        parsed = _parse(doc)
        if parsed.errors:
            raise InvalidInput(fields=parsed.errors)
        base_item, changed = services.upsert_base_item(by=by, **parsed.base)
        item = parsed.item
        if item is None:
            item = services.create_item(
                implementation_code=parsed.implementation_code,
                base_item=base_item,
                department=parsed.department,
                is_active=parsed.is_active,
                version=parsed.version or 1,
                by=by,
                **parsed.elements(),
                windows=parsed.windows,
                joint_departments=parsed.joint_departments,
            )
            _fill_and_publish(item.guides.get(), parsed, by=by)
            return _fresh(item), True
        before = audit.snapshot(item, ["base_item", "department", "is_active"])
        item = services.update_item(
            item,
            by=by,
            base_item=base_item,
            department=parsed.department,
            is_active=parsed.is_active,
        )
        changed |= before != audit.snapshot(item, ["base_item", "department", "is_active"])
        if _needs_new_version(parsed):
            parsed.effective_from = _revision_start(item, parsed.effective_from)
            draft = services.start_revision(item, by=by)
            draft = services.update_draft(
                draft,
                by=by,
                **parsed.elements(),
                windows=parsed.windows,
                joint_departments=parsed.joint_departments,
            )
            _fill_and_publish(draft, parsed, by=by)
            changed = True
        return _fresh(item), changed


def _revision_start(item: ServiceItem, requested: datetime.date | None):
    """A revision cannot take effect before the version it replaces did.

    A re-imported workbook still carries the old version's date: that means "now".
    """
    current = item.current_guide
    if requested and current and current.effective_from and requested <= current.effective_from:
        return None
    return requested


def _fill_and_publish(guide: Guide, parsed: _Parsed, *, by) -> None:
    services.set_steps(guide, parsed.steps, by=by)
    services.set_materials(guide, parsed.materials, by=by)
    services.set_acceptance_points(guide, parsed.points, by=by)
    guide = services.submit(guide, by=by)
    services.publish(guide, by=by, effective_from=parsed.effective_from)


def _fresh(item: ServiceItem) -> ServiceItem:
    return ServiceItem.objects.select_related("current_guide", "department", "base_item").get(
        pk=item.pk
    )


# --- shared shaping -----------------------------------------------------------------


def _content(guide: Guide, *, windows, joint_departments, steps, materials, points) -> dict:
    """The parts of a document that make a guide version: compared to decide on a new one."""
    elements = audit.snapshot(guide, ELEMENT_FIELDS)
    for name in FILE_FIELDS:
        elements[name] = elements[name] or ""
    elements["windows"] = sorted(f"{w.center.statistical_code or ''}/{w.number}" for w in windows)
    elements["joint_departments"] = sorted(d.code for d in joint_departments)
    return {
        "guide": elements,
        "steps": [dict(step) for step in steps],
        "materials": [dict(material) for material in materials],
        "acceptance_points": sorted(
            ({"center": p.center.statistical_code, "mode": p.mode} for p in points),
            key=lambda p: p["center"] or "",
        ),
    }


def _row_data(row, fields) -> dict:
    data = {}
    for name in fields:
        value = getattr(row, name)
        data[name] = (value.name or "") if isinstance(value, FieldFile) else value
    return data
