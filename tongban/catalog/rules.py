"""The consistency rules a guide must pass before it is submitted or published.

Each rule is a small function over plain data (``GuideData``: the guide's element fields, its
steps and the item type), so the same rules check a saved guide (``check(guide)``) and a
document that is not written yet (``check_data``, used by ``documents.validate_document``).
A rule returns the violations it finds, each naming the rule, the field and a message in
Chinese and English. Sources: ../shared/reference/cn-standards.md, "Service items".
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from tongban.catalog.models import ItemType
from tongban.errors import InvalidInput

LICENSING = ItemType.LICENSING.value
MAX_FEE_ITEMS = 20
MAX_FEE = Decimal("1000000")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Violation:
    rule: str
    field: str
    message_zh: str
    message_en: str

    @property
    def message(self) -> str:
        return f"{self.message_zh} / {self.message_en}"

    @property
    def rule_name(self) -> str:
        """The rule's Chinese name, as managers know it."""
        return RULE_NAMES.get(self.rule, self.rule)


@dataclass(frozen=True)
class GuideData:
    """What the rules read: element fields by model name, steps as ``{"days": …}`` mappings."""

    fields: Mapping
    steps: Sequence[Mapping] = ()
    item_type: str = ""

    def get(self, name: str, default=None):
        return self.fields.get(name, default)


# The rules by code, with the Chinese name a catalog manager sees in every message.
RULE_NAMES = {
    "instant_consistency": "即办一致性",
    "full_online_zero_visits": "全程网办零跑动",
    "zero_visits_mail": "零跑动须提供邮寄申请",
    "no_fee_no_payment": "不收费不设网上支付",
    "fee_items": "收费项目规范",
    "licensing_time_limits": "许可时限递进",
    "required_elements": "指南要素齐全",
}


def rule_label(code: str) -> str:
    """「即办一致性」(instant_consistency): how a message names a rule."""
    return f"「{RULE_NAMES.get(code, code)}」({code})"


def instant_consistency(data: GuideData) -> list[Violation]:
    """承诺时限为 0(即办)⇒ 办件类型为即办件,审查方式为即审即办."""
    if data.get("promised_days") != 0:
        return []
    found = []
    if data.get("case_type") != "instant":
        found.append(
            _violation(
                "instant_consistency",
                "case_type",
                "承诺办结时限为 0(即办),办件类型应为“即办件”",
                "promised limit 0 (instant) requires case type 'instant'",
            )
        )
    if data.get("review_type") != "immediate":
        found.append(
            _violation(
                "instant_consistency",
                "review_type",
                "承诺办结时限为 0(即办),审查方式应为“即审即办”",
                "promised limit 0 (instant) requires review type 'immediate'",
            )
        )
    return found


def full_online_zero_visits(data: GuideData) -> list[Violation]:
    """网办深度Ⅳ级(全程网办)⇒ 到办事现场次数为 0."""
    if data.get("online_depth") != 4 or data.get("max_visits") in (0, None):
        return []
    return [
        _violation(
            "full_online_zero_visits",
            "max_visits",
            "网办深度为Ⅳ级(全程网办),到办事现场次数应为 0",
            "online depth IV (fully online) requires 0 visits on site",
        )
    ]


def zero_visits_mail(data: GuideData) -> list[Violation]:
    """到现场 0 次且不能网上申请 ⇒ 应提供邮寄申请."""
    ways = _as_list(data.get("apply_ways"))
    if data.get("max_visits") != 0 or "online" in ways or "mail" in ways:
        return []
    return [
        _violation(
            "zero_visits_mail",
            "apply_ways",
            "到办事现场次数为 0 且不能网上申请,申请方式应包含邮寄申请",
            "0 visits and no online application: mail application must be offered",
        )
    ]


def no_fee_no_payment(data: GuideData) -> list[Violation]:
    """不收费 ⇒ 不设网上支付."""
    if data.get("charges_fee") or not data.get("online_payment"):
        return []
    return [
        _violation(
            "no_fee_no_payment",
            "online_payment",
            "本事项不收费,不能设置“支持网上支付”",
            "no fee is charged, so online payment cannot be offered",
        )
    ]


def fee_items(data: GuideData) -> list[Violation]:
    """收费项目: only on a fee-charging guide; each with a name and an amount in yuan > 0."""
    items = data.get("fee_items") or []
    if not items:
        return []
    if not data.get("charges_fee"):
        return [
            _fee_violation("本事项不收费,不能设置收费项目", "no fee is charged, so no fee items")
        ]
    if not isinstance(items, list | tuple) or len(items) > MAX_FEE_ITEMS:
        return [_fee_violation(f"收费项目应为列表,至多 {MAX_FEE_ITEMS} 项", "a list, at most 20")]
    found = []
    for number, entry in enumerate(items, 1):
        if not isinstance(entry, Mapping) or not str(entry.get("name") or "").strip():
            found.append(_fee_violation(f"第 {number} 项缺少收费项目名称", f"item {number}: name"))
        elif fee_amount(entry.get("amount")) is None:
            found.append(
                _fee_violation(
                    f"第 {number} 项金额应为大于 0 的元金额,至多两位小数(如 20.00)",
                    f"item {number}: the amount must be yuan > 0 with at most 2 decimals",
                )
            )
    return found


def fee_amount(value) -> Decimal | None:
    """A fee item's amount as yuan (``Decimal``), or ``None`` when it is not a valid amount."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount <= 0 or amount > MAX_FEE or amount != amount.quantize(CENT):
        return None
    return amount.quantize(CENT)


def _fee_violation(zh: str, en: str) -> Violation:
    return _violation("fee_items", "fee_items", zh, en)


def licensing_time_limits(data: GuideData) -> list[Violation]:
    """行政许可事项:各环节时限之和 ≤ 承诺办结时限 ≤ 法定办结时限."""
    if data.item_type != LICENSING:
        return []
    promised, statutory = data.get("promised_days"), data.get("statutory_days")
    found = []
    step_days = sum(_int(step.get("days")) for step in data.steps)
    if promised is not None and step_days > promised:
        found.append(
            _violation(
                "licensing_time_limits",
                "steps",
                f"各环节时限之和({step_days} 个工作日)超过承诺办结时限({promised} 个工作日)",
                f"the steps take {step_days} working days, more than the promised {promised}",
            )
        )
    if promised is not None and statutory is not None and promised > statutory:
        found.append(
            _violation(
                "licensing_time_limits",
                "promised_days",
                f"承诺办结时限({promised} 个工作日)超过法定办结时限({statutory} 个工作日)",
                f"the promised limit ({promised}) exceeds the statutory limit ({statutory})",
            )
        )
    return found


# field → (中文, English); checked as "present" (not None, not blank, not an empty list).
REQUIRED_FIELDS = {
    "name": ("事项名称", "name"),
    "service_object": ("服务对象", "service object"),
    "case_type": ("办件类型", "case type"),
    "review_type": ("审查方式", "review type"),
    "promised_days": ("承诺办结时限", "promised time limit"),
    "max_visits": ("到办事现场次数", "visits on site"),
    "online_depth": ("网办深度", "online depth"),
    "apply_ways": ("申请方式(至少一种)", "at least one way to apply"),
    "consult_phone": ("咨询电话", "consultation phone"),
}


def required_elements(data: GuideData) -> list[Violation]:
    """指南必备要素:基本信息、时限、跑动次数、网办深度、办理流程、申请方式、咨询电话等."""
    wanted = dict(REQUIRED_FIELDS)
    if data.item_type == LICENSING:
        wanted["statutory_days"] = ("法定办结时限(行政许可事项)", "statutory limit (licensing)")
        wanted["result_name"] = ("办理结果名称(行政许可事项)", "result name (licensing)")
    if _int(data.get("max_visits")) > 0:
        wanted["visit_reason"] = ("需到现场的原因(到现场次数大于 0)", "why visits are needed")
    if data.get("charges_fee"):
        wanted["fee_standard"] = ("收费标准(收费事项)", "fee standard (a fee is charged)")
    found = [
        _violation("required_elements", name, f"请填写{zh}", f"{en} is required")
        for name, (zh, en) in wanted.items()
        if not _present(data.get(name))
    ]
    if not data.steps:
        found.append(
            _violation(
                "required_elements",
                "steps",
                "请填写办理流程(至少一个环节)",
                "at least one process step is required",
            )
        )
    return found


RULES: tuple[Callable[[GuideData], list[Violation]], ...] = (
    required_elements,
    instant_consistency,
    full_online_zero_visits,
    zero_visits_mail,
    no_fee_no_payment,
    fee_items,
    licensing_time_limits,
)


def check_data(data: GuideData) -> list[Violation]:
    """Every violation of every rule, in rule order."""
    return [violation for rule in RULES for violation in rule(data)]


def guide_data(guide) -> GuideData:
    """A saved guide as the rules read it (steps from the database)."""
    from tongban.catalog.services import ELEMENT_FIELDS

    fields = {name: getattr(guide, name) for name in ELEMENT_FIELDS}
    steps = list(guide.steps.order_by("order").values("name", "days"))
    item_type = guide.item.base_item.item_type if guide.item_id else ""
    return GuideData(fields=fields, steps=steps, item_type=item_type)


def check(guide) -> list[Violation]:
    """The violations of a saved guide (empty when it may be submitted and published)."""
    return check_data(guide_data(guide))


def fields_of(violations: Iterable[Violation]) -> dict[str, list[str]]:
    """``{field: ["「规则」中文 / English"]}``: the error shape of ``tongban.errors``."""
    fields: dict[str, list[str]] = {}
    for violation in violations:
        text = f"{rule_label(violation.rule)}{violation.message}"
        fields.setdefault(violation.field, []).append(text)
    return fields


class ConsistencyError(InvalidInput):
    """A guide breaks consistency rules: 422, each rule named in the message, per field.

    ``violations`` keeps the details; ``rules`` the codes broken, in rule order.
    """

    def __init__(self, violations: Iterable[Violation]):
        self.violations = list(violations)
        self.rules = list(dict.fromkeys(v.rule for v in self.violations))
        super().__init__(
            "办事指南不符合一致性规则:" + "、".join(rule_label(code) for code in self.rules),
            "The guide breaks consistency rules: " + ", ".join(self.rules),
            fields=fields_of(self.violations),
        )


def ensure_consistent(guide) -> None:
    """Raise ``ConsistencyError`` when the guide breaks any rule."""
    violations = check(guide)
    if violations:
        raise ConsistencyError(violations)


def _violation(rule: str, field_name: str, zh: str, en: str) -> Violation:
    return Violation(rule=rule, field=field_name, message_zh=zh, message_en=en)


def _present(value) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple | dict):
        return bool(value)
    return True


def _as_list(value) -> list:
    return list(value) if isinstance(value, list | tuple) else []


def _int(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0
