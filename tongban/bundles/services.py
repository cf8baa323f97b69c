"""The bundles app's public functions: what a filing needs, filing once, and what follows.

- ``applicable(bundle, answers)``: the items the questionnaire's answers bring in;
- ``combined_fields`` / ``combined_materials``: one form and one deduplicated material list
  over those items (a material several items need is asked once);
- ``submit``: one filing → a ``BundleCase`` with the materials stored once and a child case
  per applicable item in its department (``cases.intake.submit``, each with its own workflow
  and time limit), all in one transaction; an item waiting on another's result gets its
  case when that result exists (``on_child_concluded``);
- ``progress`` and ``figures``: one view across departments, and what the bundle saves.
"""

from dataclasses import dataclass, field

from django.db import transaction

from tongban.audit import services as audit
from tongban.bundles.models import Bundle, BundleCase, BundleChild, BundleItem, BundleMaterial
from tongban.cases import intake, storing
from tongban.cases import materials as files
from tongban.cases.models import Case, Channel, Status
from tongban.cases.numbers import next_case_number
from tongban.catalog.models import MaterialSpec
from tongban.core import clock
from tongban.errors import InvalidInput, NotFound
from tongban.notify import services as notify

# A child whose case is in one of these has ended, with or without a result.
ENDED = frozenset({Status.CONCLUDED, Status.DELIVERED, Status.REFUSED, Status.WITHDRAWN})
WITH_RESULT = frozenset({Status.CONCLUDED, Status.DELIVERED})
NOTICE = "bundles.status_changed"


@dataclass
class Merged:
    """One material of the combined list: asked once, standing for ``specs`` of the items."""

    key: str
    name: str
    required: bool = False
    shared_data: bool = False
    specs: list[MaterialSpec] = field(default_factory=list)


# --- what a filing needs -------------------------------------------------------------------


def published(code: str) -> Bundle:
    """The newest published version of the bundle ``code``."""
    found = (
        Bundle.objects.filter(code=code, status=Bundle.Status.PUBLISHED)
        .order_by("-version")
        .first()
    )
    if found is None:
        raise NotFound("没有找到该一件事", "No such published bundle")
    return found


def check_answers(bundle: Bundle, answers) -> dict[str, list[str]]:
    """Field errors of the questionnaire: every question answered with one of its options."""
    answers = answers if isinstance(answers, dict) else {}
    errors = {}
    for question in bundle.questions:
        allowed = {str(option["value"]) for option in question.get("options", [])}
        if str(answers.get(question["key"], "")) not in allowed:
            errors[f"answers.{question['key']}"] = [f"请回答:{question['text']} / answer this"]
    return errors


def applicable(bundle: Bundle, answers: dict) -> list[BundleItem]:
    """The bundle's items that apply for these answers, in order (one query)."""
    items = bundle.items.select_related("item__current_guide", "item__department")
    return [entry for entry in items if _applies(entry.condition, answers)]


def _applies(condition: dict, answers: dict) -> bool:
    if not condition:
        return True
    return str(answers.get(condition.get("question"), "")) in {
        str(value) for value in condition.get("in", [])
    }


def combined_fields(items: list[BundleItem]) -> list[dict]:
    """The one form: every field of the items' forms, each key once (the first item's
    definition of a key wins; the same key means the same thing across the catalog)."""
    seen, fields = set(), []
    for entry in items:
        for definition in (entry.item.current_guide.form_schema or {}).get("fields", []):
            if definition["key"] not in seen:
                seen.add(definition["key"])
                fields.append(definition)
    return fields


def combined_materials(items: list[BundleItem]) -> list[Merged]:
    """The one material list: materials of the same name across the items asked once."""
    merged: dict[str, Merged] = {}
    specs = MaterialSpec.objects.filter(guide__in=[e.item.current_guide_id for e in items])
    for spec in specs.order_by("guide_id", "order"):
        entry = merged.setdefault(spec.name, Merged(key=spec.name, name=spec.name))
        entry.specs.append(spec)
        entry.required |= spec.requirement == MaterialSpec.Requirement.REQUIRED
        entry.shared_data |= bool(spec.shared_data_item)
    return list(merged.values())


# --- filing once ---------------------------------------------------------------------------


def submit(
    bundle: Bundle,
    *,
    user,
    answers: dict,
    form_data: dict,
    materials: dict,
    enterprise=None,
    channel: str = Channel.WEB,
    delivery: str = "",
    delivery_address: str = "",
) -> BundleCase:
    """File ``bundle`` once. ``materials``: ``{material name: uploaded file}`` of the
    combined list. Every check runs before anything is written; any child that cannot be
    filed refuses the whole filing, field by field, and nothing is created."""
    if bundle.status != Bundle.Status.PUBLISHED:
        raise NotFound("没有找到该一件事", "No such published bundle")
    errors = check_answers(bundle, answers)
    if errors:
        raise InvalidInput(fields=errors)
    items = applicable(bundle, answers)
    errors = _check(
        items, user=user, form_data=form_data, materials=materials, enterprise=enterprise
    )
    errors.update(intake.delivery_errors(delivery, delivery_address))
    if errors:
        raise InvalidInput(fields=errors)
    with files.removed_on_error() as written, transaction.atomic():
        parent = BundleCase.objects.create(
            number=next_case_number(clock.today()),
            bundle=bundle,
            applicant=user,
            enterprise=enterprise,
            channel=channel,
            answers=dict(answers),
            form_data=dict(form_data),
            delivery_method=delivery,
            delivery_address=delivery_address.strip() if delivery == "post" else "",
            submitted_at=clock.now(),
        )
        stored = _store(parent, materials, written)
        for entry in items:
            BundleChild.objects.create(bundle_case=parent, bundle_item=entry)
        audit.record(
            user,
            "bundles.case.submit",
            parent,
            changes={"bundle": f"{bundle.code}@v{bundle.version}", "items": len(items)},
        )
        filed = _file_ready(parent, stored=stored)
        _notify(parent, "已提交", "、".join(f"{c.guide.name} {c.number}" for c in filed))
    return parent


def _notify(parent: BundleCase, state: str, note: str = "") -> None:
    """The one notice of the filing (in-app, and SMS when the account has a phone)."""
    user = parent.applicant
    phone = str(user.phone) if user.phone else ""
    notify.send(
        user,
        NOTICE,
        {
            "一件事编号": parent.number,
            "一件事名称": parent.bundle.name,
            "状态": state,
            "说明": note,
        },
        channels=["in_app", "sms"] if phone else ["in_app"],
        address=phone or None,
        idempotency_key=f"bundles:{parent.pk}:{state}",
        by=user,
    )


def _check(items, *, user, form_data, materials, enterprise) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for entry in items:
        guide = entry.item.current_guide
        _cleaned, found = intake.clean_form(
            guide, form_for(guide, form_data), user=user, enterprise=enterprise
        )
        for key, problems in found.items():
            errors.setdefault(key, problems)
    merged = {entry.key: entry for entry in combined_materials(items)}
    for key, upload in (materials or {}).items():
        problem = files.check_upload(key, upload) if key in merged else "不是本次申请所需的材料"
        if problem:
            errors[f"materials.{key}"] = [problem]
    for entry in merged.values():
        supplied = entry.shared_data and registry_supplies(entry, user, enterprise)
        if entry.required and not supplied and entry.key not in (materials or {}):
            errors[f"materials.{entry.key}"] = [f"请提交“{entry.name}” / required"]
    return errors


def registry_supplies(entry: Merged, user, enterprise) -> bool:
    """Whether the registries can stand in for this material for this applicant: the
    population base knows them, or the legal-entity base knows the enterprise they act for."""
    sources = {spec.shared_data_item for spec in entry.specs if spec.shared_data_item}
    if "registry.entity" in sources and enterprise is None:
        return False
    return not ("registry.person" in sources and intake.person_of(user) is None)


def form_for(guide, form_data: dict) -> dict:
    """The part of the combined form that is the item's own form."""
    keys = {field["key"] for field in (guide.form_schema or {}).get("fields", [])}
    return {key: value for key, value in (form_data or {}).items() if key in keys}


def _store(parent: BundleCase, materials: dict, written: list) -> dict[str, BundleMaterial]:
    """Each material handed in, stored once (the children point at these files)."""
    stored = {}
    for key, upload in (materials or {}).items():
        sha, size = files.digest(upload)
        content_type = files.content_type_of(upload)
        row = BundleMaterial(
            bundle_case=parent, key=key, name=key, sha256=sha, size=size, content_type=content_type
        )
        name = f"{parent.number}-{sha[:12]}{files.CONTENT_TYPES[content_type]}"
        storing.write(row.file, name, upload)  # nothing left if it fails
        written.append(row.file)
        row.save()
        stored[key] = row
    return stored


def _file_ready(parent: BundleCase, *, stored=None) -> list[Case]:
    """File the children that can start: no prerequisite, or every prerequisite's case has
    its result. A child whose prerequisite ended without a result is not handled."""
    stored = stored if stored is not None else {m.key: m for m in parent.materials.all()}
    children = list(parent.children.select_related("bundle_item__item", "case"))
    by_item = {child.bundle_item_id: child for child in children}
    filed = []
    for child in children:
        if child.case_id or child.cancelled:
            continue
        waits = [by_item.get(dep.pk) for dep in child.bundle_item.depends_on.all()]
        waits = [dep for dep in waits if dep is not None]
        if any(dep.cancelled or _ended_without_result(dep) for dep in waits):
            child.cancelled = "前置事项未取得办理结果"
            child.save(update_fields=["cancelled"])
        elif all(dep.case_id and dep.case.status in WITH_RESULT for dep in waits):
            child.case = _file_child(parent, child, stored)
            child.save(update_fields=["case"])
            filed.append(child.case)
    return filed


def _ended_without_result(child: BundleChild) -> bool:
    return bool(child.case_id) and child.case.status in ENDED - WITH_RESULT


def _file_child(parent: BundleCase, child: BundleChild, stored: dict) -> Case:
    guide = child.bundle_item.item.current_guide
    references = [
        {"spec": spec.pk, "reference": {"source": "bundle", "id": str(stored[spec.name].pk)}}
        for spec in guide.materials.all()
        if spec.name in stored
    ]
    return intake.submit(
        user=parent.applicant,
        item_code=child.bundle_item.item.implementation_code,
        form_data=form_for(guide, parent.form_data),
        materials=references,
        channel=parent.channel,
        enterprise=parent.enterprise,
        idempotency_key=f"bundle:{parent.pk}:{child.bundle_item_id}",
        delivery=parent.delivery_method,
        delivery_address=parent.delivery_address,
        quiet=True,
    )


def shared_material(user, reference_id) -> BundleMaterial | None:
    """The material ``reference_id`` handed in with one of ``user``'s bundle filings."""
    if not str(reference_id).isdigit():
        return None
    return BundleMaterial.objects.filter(pk=int(reference_id), bundle_case__applicant=user).first()


# --- what follows --------------------------------------------------------------------------


def on_child_concluded(case_pk: int) -> BundleCase | None:
    """A child case concluded: file the children waiting for it; conclude the filing when
    every child has ended or will not be handled."""
    child = BundleChild.objects.filter(case_id=case_pk).select_related("bundle_case").first()
    if child is None:
        return None
    with transaction.atomic():
        parent = BundleCase.objects.select_for_update().get(pk=child.bundle_case_id)
        _file_ready(parent)
        if parent.status == BundleCase.Status.IN_PROGRESS and _all_ended(parent):
            parent.status, parent.concluded_at = BundleCase.Status.CONCLUDED, clock.now()
            parent.save(update_fields=["status", "concluded_at"])
            audit.record("bundles", "bundles.case.conclude", parent)
            _notify(parent, "已全部办结", _delivery_note(parent))
    return parent


def _delivery_note(parent: BundleCase) -> str:
    """一口出件: every result together, the way the applicant chose."""
    if parent.delivery_method == "post":
        return "全部办理结果将合并邮寄。"
    if parent.delivery_method == "electronic":
        return "全部办理结果已电子送达,请登录查看。"
    return "请到出件窗口一次领取全部办理结果。"


def _all_ended(parent: BundleCase) -> bool:
    return all(
        child.cancelled or (child.case_id and child.case.status in ENDED)
        for child in parent.children.select_related("case")
    )


def progress(parent: BundleCase) -> list[dict]:
    """One line per applicable item across departments: status, department, time left."""
    from tongban.cases import services as cases
    from tongban.cases.workdays import Calendar

    calendar, rows = Calendar(), []
    children = parent.children.select_related(
        "bundle_item__item__department", "bundle_item__item__current_guide", "case__guide"
    ).prefetch_related("case__suspensions")
    for child in children:
        case = child.case
        rows.append(
            {
                "item": child.bundle_item.item.current_guide.name,
                "department": child.bundle_item.item.department.name,
                "case_number": case.number if case else "",
                "status": case.get_status_display() if case else _waiting_label(child),
                "days_left": _days_left(cases, case, calendar),
                "note": child.cancelled,
            }
        )
    return rows


def _days_left(cases, case, calendar) -> int | None:
    if case is None or case.accepted_on is None:
        return None
    return cases.clock_of(case, calendar=calendar).left


def _waiting_label(child: BundleChild) -> str:
    return "不再办理" if child.cancelled else "等待前置事项结果"


def figures(bundle: Bundle, answers: dict | None = None) -> dict:
    """What filing the bundle once saves against filing its items one by one: materials
    asked, visits, promised working days."""
    items = (
        applicable(bundle, answers or {})
        if answers is not None
        else list(bundle.items.select_related("item__current_guide"))
    )
    merged = combined_materials(items)
    separate = sum(len(m.specs) for m in merged)
    days = sum(entry.item.current_guide.promised_days or 0 for entry in items)
    return {
        "items": len(items),
        "materials_asked": len(merged),
        "materials_separately": separate,
        "visits_saved": max(len(items) - 1, 0),
        "promised_days": bundle.promised_days,
        "promised_days_separately": days,
    }


def handled(bundle_code: str) -> dict:
    """The filings of a bundle (all its versions): filed, concluded, and concluded within the
    bundle's promised working days from the day after submission (on time)."""
    from django.utils import timezone

    from tongban.cases.workdays import Calendar

    calendar = Calendar()
    rows = BundleCase.objects.filter(bundle__code=bundle_code).select_related("bundle")
    filed = concluded = on_time = 0
    for parent in rows.only("submitted_at", "concluded_at", "status", "bundle__promised_days"):
        filed += 1
        if parent.status != BundleCase.Status.CONCLUDED:
            continue
        concluded += 1
        submitted = timezone.localdate(parent.submitted_at)
        due = calendar.add(submitted, parent.bundle.promised_days)
        on_time += timezone.localdate(parent.concluded_at) <= due
    return {"filed": filed, "concluded": concluded, "on_time": on_time}
