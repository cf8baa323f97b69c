"""Building 一件事: checking a draft, publishing it, starting its next version.

Like guides, a bundle is versioned by ``code``: drafts are edited, a published version is
frozen and filed against, and publishing a new version retires the previous one (filings
keep pointing at the version they were made with). Every change is checked here
(``tongban.identity.access``: ``bundles.edit`` / ``bundles.publish``, see
``admin_rules``) and written in one transaction with its audit record.
"""

from django.db import transaction
from django.db.models import Max

from tongban.audit import services as audit
from tongban.bundles import admin_rules  # noqa: F401  (registers bundles.edit / publish)
from tongban.bundles.models import Bundle, BundleItem
from tongban.catalog.models import Guide
from tongban.core import clock
from tongban.errors import Conflict, InvalidInput
from tongban.identity import access

MIN_ITEMS = 2


def validate(bundle: Bundle) -> dict[str, list[str]]:
    """Field errors that keep ``bundle`` from being published (none: it may be)."""
    items = list(bundle.items.select_related("item__current_guide").prefetch_related("depends_on"))
    errors: dict[str, list[str]] = {}
    for key, problem in [
        *_question_errors(bundle.questions),
        *_item_errors(items, _options(bundle.questions)),
        *_cycle_errors(items),
        *_limit_errors(bundle, items),
    ]:
        errors.setdefault(key, []).append(problem)
    return errors


def _options(questions) -> dict[str, set[str]]:
    """question key → its option values (as strings, as answers arrive); the first
    question of a key counts (a repeated key is an error of its own)."""
    found = {}
    for question in questions if isinstance(questions, list) else []:
        if isinstance(question, dict) and question.get("key"):
            options = question.get("options") or []
            found.setdefault(
                str(question["key"]),
                {str(option.get("value")) for option in options if isinstance(option, dict)},
            )
    return found


def _question_errors(questions):
    if not isinstance(questions, list):
        yield "questions", "情形引导应为问题列表 / questions must be a list"
        return
    seen = set()
    for index, question in enumerate(questions, 1):
        if not isinstance(question, dict) or not question.get("key") or not question.get("text"):
            yield "questions", f"第{index}个问题缺少标识或问题内容 / question {index}: key and text"
            continue
        if question["key"] in seen:
            yield "questions", f"问题标识“{question['key']}”重复 / duplicate question key"
        seen.add(question["key"])
        if len(question.get("options") or []) < MIN_ITEMS:
            yield "questions", f"问题“{question['text']}”至少需要两个选项 / two options at least"


def _item_errors(items: list[BundleItem], options: dict[str, set[str]]):
    if len(items) < MIN_ITEMS:
        yield "items", "一件事至少包含两个事项 / a bundle combines two items at least"
    own = {entry.pk for entry in items}
    for entry in items:
        key, code = f"items.{entry.order}", entry.item.implementation_code
        guide = entry.item.current_guide
        if guide is None or guide.status != Guide.Status.PUBLISHED:
            yield key, f"事项 {code} 尚未发布 / the item is not published"
        if not entry.item.is_active:
            yield key, f"事项 {code} 已停用 / the item is not in use"
        yield from _condition_errors(key, code, entry.condition, options)
        if any(dep.pk not in own for dep in entry.depends_on.all()):
            yield key, f"事项 {code} 的前置事项不属于本一件事 / prerequisite outside the bundle"
        if any(dep.pk == entry.pk for dep in entry.depends_on.all()):
            yield key, f"事项 {code} 不能以自身为前置事项 / an item cannot wait for itself"


def _condition_errors(key: str, code: str, condition, options: dict[str, set[str]]):
    if not condition:
        return
    if not isinstance(condition, dict) or set(condition) != {"question", "in"}:
        yield key, f"事项 {code} 的适用情形格式应为 {{question, in}} / bad condition"
        return
    question, values = str(condition["question"]), condition["in"]
    if question not in options:
        yield key, f"事项 {code} 的适用情形引用了不存在的问题“{question}” / unknown question"
        return
    if not isinstance(values, list) or not values:
        yield key, f"事项 {code} 的适用情形未列出答案 / the condition names no answer"
        return
    unknown = [str(value) for value in values if str(value) not in options[question]]
    if unknown:
        shown = "、".join(unknown)
        yield key, f"事项 {code} 的适用情形引用了不存在的选项:{shown} / unknown option"


def _cycle_errors(items: list[BundleItem]):
    """Prerequisites that wait for each other, directly or through others, never start."""
    waits = {entry.pk: [dep.pk for dep in entry.depends_on.all()] for entry in items}
    codes = {entry.pk: entry.item.implementation_code for entry in items}
    done: set[int] = set()

    def loop_from(node: int, path: list[int]) -> list[int] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done or node not in waits:
            return None
        for dep in waits[node]:
            found = loop_from(dep, [*path, node])
            if found:
                return found
        done.add(node)
        return None

    for start in waits:
        loop = loop_from(start, [])
        if loop:
            shown = "→".join(codes[pk] for pk in loop)
            yield "items", f"前置事项存在循环:{shown} / prerequisites form a cycle"
            return


def _limit_errors(bundle: Bundle, items: list[BundleItem]):
    guides = [entry.item.current_guide for entry in items]
    total = sum(guide.promised_days or 0 for guide in guides if guide is not None)
    if items and bundle.promised_days > total:
        yield (
            "promised_days",
            f"承诺办结时限 {bundle.promised_days} 个工作日超过各事项承诺时限之和 {total} "
            f"/ longer than the items' promised days together",
        )


def publish(bundle: Bundle, *, by) -> Bundle:
    """Publish the draft ``bundle``; the version of its code published before is retired."""
    access.require(by, "bundles.publish", bundle)
    if bundle.status != Bundle.Status.DRAFT:
        raise Conflict("只有草稿可以发布", "Only a draft can be published")
    errors = validate(bundle)
    if errors:
        raise InvalidInput(
            "一件事未通过发布检查,请按提示修改", "The bundle is not ready", fields=errors
        )
    with transaction.atomic():
        retired = list(
            Bundle.objects.select_for_update()
            .filter(code=bundle.code, status=Bundle.Status.PUBLISHED)
            .exclude(pk=bundle.pk)
        )
        for old in retired:
            old.status = Bundle.Status.RETIRED
            old.save(update_fields=["status"])
        bundle.status, bundle.published_at = Bundle.Status.PUBLISHED, clock.now()
        bundle.save(update_fields=["status", "published_at"])
        audit.record(
            by,
            "bundles.bundle.publish",
            bundle,
            changes={
                "status": [Bundle.Status.DRAFT.value, Bundle.Status.PUBLISHED.value],
                "retired": [None, [f"v{old.version}" for old in retired]],
            },
        )
    return bundle


def new_version(bundle: Bundle, *, by) -> Bundle:
    """A draft copy of ``bundle`` numbered after the newest version of its code, with its
    items, conditions and prerequisites; one draft per code at a time."""
    access.require(by, "bundles.edit", bundle)
    with transaction.atomic():
        versions = Bundle.objects.select_for_update().filter(code=bundle.code)
        if versions.filter(status=Bundle.Status.DRAFT).exists():
            raise Conflict("该一件事已有草稿版本,请先编辑或发布草稿", "A draft exists already")
        number = versions.aggregate(top=Max("version"))["top"] + 1
        draft = Bundle.objects.create(
            code=bundle.code,
            version=number,
            name=bundle.name,
            description=bundle.description,
            promised_days=bundle.promised_days,
            questions=bundle.questions,
            status=Bundle.Status.DRAFT,
        )
        _copy_items(bundle, draft)
        audit.record(
            by, "bundles.bundle.new_version", draft, changes={"from": [None, f"v{bundle.version}"]}
        )
    return draft


def _copy_items(source: Bundle, draft: Bundle) -> None:
    entries = list(source.items.prefetch_related("depends_on"))
    copies = {
        entry.pk: BundleItem.objects.create(
            bundle=draft, item_id=entry.item_id, order=entry.order, condition=entry.condition
        )
        for entry in entries
    }
    for entry in entries:
        waits = [copies[dep.pk] for dep in entry.depends_on.all() if dep.pk in copies]
        if waits:
            copies[entry.pk].depends_on.set(waits)
