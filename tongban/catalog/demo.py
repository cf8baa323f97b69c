"""The demo catalog: 192 service items of 26 Zhouzhi County departments, as documents.

The item specs live in ``tongban/catalog/data/demo_*.py`` by domain; ``documents()`` turns
each into a catalog document in the contract's shape (docs/dev/catalog-contract.md) and
``load()`` writes them only through ``documents.apply_document``, which publishes a new
version only when a guide differs: a second run changes nothing and creates no version.

The figures are those of a county on its way, not at its targets (DESIGN.md §4): 78%
全程网办, 65% 承诺时限压缩, 92% 最多跑一次 and 58% 马上办 against 85/70/95/70, and 88% of the
villages able to proxy-handle items against 90%. Codes: the base code is ``0001`` + the
department's position in ``org.demo.DEPARTMENTS`` + a 3-digit item number + a 3-digit
sub-item number; the implementation code is the department's USCC followed by the base code.
"""

from dataclasses import dataclass

from django.db import transaction

from tongban.audit import services as audit
from tongban.catalog.data import (
    demo_civil,
    demo_construction,
    demo_environment,
    demo_forms,
    demo_health,
    demo_market,
    demo_realestate,
    demo_rural,
    demo_security,
    demo_social,
)
from tongban.catalog.data.demo_common import PHONES
from tongban.catalog.models import ServiceItem
from tongban.org import demo as org_demo
from tongban.org.validators import make_uscc

SPEC_MODULES = (
    demo_market,
    demo_security,
    demo_social,
    demo_civil,
    demo_health,
    demo_construction,
    demo_realestate,
    demo_environment,
    demo_rural,
)
ACTOR = "load_demo"
EFFECTIVE_FROM = "2026-01-01"
COUNTY_CENTER = org_demo.COUNTY_CENTER_CODE
# Mountain villages without a trained agent yet: the plan's 90% village coverage is not met.
UNCOVERED_VILLAGES = frozenset(
    f"{town}{seq}"
    for town in ("610124108", "610124116", "610124118", "610124119", "610124120", "610124121")
    for seq in ("204", "205")
)
# The county center window that takes a department's items in (一窗受理).
DEPARTMENT_WINDOW = {
    "market": "A01",
    "taxation": "A01",
    "finance": "A01",
    "development-reform": "A01",
    "culture-tourism": "A01",
    "housing-fund": "A03",
    "hrss": "A04",
    "medical-security": "A04",
    "civil-affairs": "A04",
    "disabled-persons": "A04",
    "veterans": "A04",
    "justice": "A04",
    "education": "A04",
    "health": "A05",
    "agriculture": "A05",
    "forestry": "A05",
    "public-security": "A06",
}
DEFAULT_WINDOW = "A02"
WINDOW_NAMES = {number: name for number, name, _type in org_demo.COUNTY_WINDOWS}
DEPARTMENTS = {
    code: (position, name, category)
    for position, (code, name, _short, category) in enumerate(org_demo.DEPARTMENTS, start=1)
}
# Where administrative review goes: the county government, except for the city bureaus'
# branches and the vertically managed tax and weather services.
REVIEW_BODY = {
    "natural-resources": "西安市人民政府",
    "ecology": "西安市人民政府",
    "housing-fund": "西安市人民政府",
    "taxation": "国家税务总局西安市税务局",
    "meteorology": "西安市气象局",
}
COMPLAINT = "12345政务服务便民热线;周至县政务服务中心“办不成事”反映窗口(B04);陕西政务服务网“好差评”"
LITIGATION = "周至县人民法院(自知道或者应当知道作出行政行为之日起六个月内提起行政诉讼)"
DELIVERY_NAMES = {"window": "窗口领取", "mail": "免费邮寄", "electronic": "电子送达"}
AGENT_FAQ = {"q": "可以委托他人代办吗?", "a": "可以。受托人携带授权委托书和本人居民身份证办理。"}


@dataclass(frozen=True)
class Summary:
    items: int
    departments: int
    licensing: int
    created: int
    changed: int
    figures: dict

    def __str__(self):
        f = self.figures
        return (
            f"周至县演示事项目录已就绪:事项 {self.items} 项(行政许可 {self.licensing} 项),"
            f"实施部门 {self.departments} 个;本次新建 {self.created} 项、更新 {self.changed} 项;"
            f"全程网办率 {f['online']:.1%}、承诺时限压缩率 {f['compression']:.1%}、"
            f"最多跑一次 {f['one_visit']:.1%}、马上办 {f['instant']:.1%}。"
        )


def specs() -> list[dict]:
    return [spec for module in SPEC_MODULES for spec in module.ITEMS]


def documents() -> list[dict]:
    """Every demo item as a catalog document (plain data, no database)."""
    numbering: dict[str, dict] = {}
    return [_document(spec, numbering) for spec in specs()]


def figures(docs: list[dict]) -> dict:
    """The plan's four catalog figures (DESIGN.md §4) over documents."""
    guides = [doc["guide"] for doc in docs]
    open_ = [g for g in guides if not g["is_secret"]]
    licensing = [doc["guide"] for doc in docs if doc["base"]["item_type"] == "01"]
    return {
        "online": sum(g["online_depth"] == 4 for g in open_) / len(open_),
        "compression": 1
        - sum(g["promised_days"] for g in licensing) / sum(g["statutory_days"] for g in licensing),
        "one_visit": sum(g["max_visits"] <= 1 for g in guides) / len(guides),
        "instant": sum(g["promised_days"] == 0 for g in guides) / len(guides),
    }


def is_loaded() -> bool:
    """Whether every demo item is there with a version in force."""
    codes = [doc["implementation_code"] for doc in documents()]
    present = ServiceItem.objects.filter(
        implementation_code__in=codes, current_guide__isnull=False
    ).count()
    return present == len(codes)


@transaction.atomic
def load() -> Summary:
    """Create or refresh every demo item; a second run creates nothing and changes nothing."""
    from tongban.catalog.documents import apply_document

    docs = documents()
    existing = set(
        ServiceItem.objects.filter(
            implementation_code__in=[doc["implementation_code"] for doc in docs]
        ).values_list("implementation_code", flat=True)
    )
    created = changed = 0
    for doc in docs:
        _item, did_change = apply_document(doc, by=ACTOR)
        if doc["implementation_code"] not in existing:
            created += 1
        elif did_change:
            changed += 1
    summary = Summary(
        items=len(docs),
        departments=len({doc["department"] for doc in docs}),
        licensing=sum(doc["base"]["item_type"] == "01" for doc in docs),
        created=created,
        changed=changed,
        figures=figures(docs),
    )
    audit.record(ACTOR, "catalog.demo.load", note=str(summary))
    return summary


# --- one spec → one document -------------------------------------------------------


def _codes(spec: dict, numbering: dict) -> tuple[str, str]:
    dept = spec["dept"]
    position, _name, category = DEPARTMENTS[dept]
    state = numbering.setdefault(dept, {"next": 1, "families": {}})
    family = spec["family"]
    if family and family in state["families"]:
        main, subs = state["families"][family]
        sub = subs + 1
        state["families"][family] = (main, sub)
    else:
        main, sub = state["next"], 1 if family else 0
        state["next"] += 1
        if family:
            state["families"][family] = (main, sub)
    base_code = f"0001{position:02d}{main:03d}{sub:03d}"
    uscc = make_uscc("1", category, org_demo.COUNTY_CODE, f"TB{position:06d}")
    return base_code, uscc + base_code


def _document(spec: dict, numbering: dict) -> dict:
    base_code, implementation_code = _codes(spec, numbering)
    return {
        "implementation_code": implementation_code,
        "department": spec["dept"],
        "is_active": True,
        "base": {
            "base_code": base_code,
            "name": spec["name"],
            "item_type": spec["item_type"],
            "legal_basis": spec["law"],
            "level": "county",
        },
        "effective_from": EFFECTIVE_FROM,
        "guide": _guide(spec),
        "steps": _steps(spec),
        "materials": [dict(material) for material in spec["materials"]],
        "acceptance_points": _points(spec["points"]),
    }


def _guide(spec: dict) -> dict:
    dept = spec["dept"]
    promised, depth = spec["promised"], spec["depth"]
    instant = promised == 0
    fee = spec["fee"]
    apply_ways = spec["apply_ways"] or (["online", "window"] if depth >= 3 else ["window"])
    window = spec["window"] or DEPARTMENT_WINDOW.get(dept, DEFAULT_WINDOW)
    return {
        "name": spec["name"],
        "keywords": spec["keywords"],
        "service_object": spec["obj"],
        "case_type": "instant" if instant else "promised",
        "review_type": "immediate" if instant else "pre_review",
        "acceptance_conditions": spec["conditions"],
        "legal_basis": spec["law"],
        "statutory_days": spec["statutory"],
        "promised_days": promised,
        "max_visits": spec["visits"],
        "visit_reason": spec["visit_reason"],
        "online_depth": depth,
        "online_flags": _online_flags(depth, spec["result_type"]),
        "is_secret": spec["secret"],
        "charges_fee": fee is not None,
        "fee_basis": fee[0] if fee else "",
        "fee_standard": fee[1] if fee else "",
        "fee_items": _fee_items(fee),
        "online_payment": bool(fee and fee[2]),
        "result_name": spec["result"],
        "result_type": spec["result_type"],
        "result_sample": "",
        "apply_ways": apply_ways,
        "delivery_ways": _delivery(spec),
        "location": spec["location"] or f"周至县政务服务中心{WINDOW_NAMES[window]}({window})",
        "windows": _windows(spec, window),
        "hours": _hours(spec, apply_ways),
        "consult_phone": PHONES[dept],
        "consult_address": f"周至县政务服务中心综合咨询窗口(B01);{DEPARTMENTS[dept][1]}",
        "complaint_channel": COMPLAINT,
        "review_channel": (
            f"{REVIEW_BODY.get(dept, '周至县人民政府')}(自知道该行政行为之日起六十日内申请行政复议)"
        ),
        "litigation_channel": LITIGATION,
        "joint_departments": spec["joint"],
        "intermediary_services": spec["intermediary"],
        "faq": _faq(spec),
        "topics": spec["topics"],
        "city_wide": spec["city_wide"],
        "cross_province": spec["cross_province"],
        "form_schema": demo_forms.FORMS.get(spec["name"], {}),
    }


def _online_flags(depth: int, result_type: str) -> list[int]:
    if depth == 4:
        return [1, 2, 3, 4, 5, 6, 7] if result_type == "license" else [1, 2, 3, 4, 5, 6]
    return [1, 2, 3] if depth == 3 else [1]


def _delivery(spec: dict) -> list[str]:
    if spec["delivery"]:
        return spec["delivery"]
    if spec["result_type"] == "license":
        return ["mail", "window"] if spec["depth"] < 4 else ["electronic", "mail", "window"]
    return ["electronic", "window"] if spec["depth"] == 4 else ["window", "mail"]


def _windows(spec: dict, window: str) -> list[str]:
    numbers = [window]
    if spec["city_wide"] or spec["cross_province"]:
        numbers.append("B03")
    if spec["points"] == "village":
        numbers.append("B02")
    if spec["result_type"] == "license" and spec["promised"] and "window" in _delivery(spec):
        numbers.append("C01")
    location = spec["location"]
    if spec["secret"] or (location and not location.startswith("周至县政务服务中心")):
        return []  # not taken in at the county center
    return [f"{COUNTY_CENTER}/{number}" for number in dict.fromkeys(numbers)]


def _hours(spec: dict, apply_ways: list[str]) -> str:
    hours = f"窗口:{org_demo.HOURS}"
    if "online" in apply_ways:
        hours += ";网上申请:全天24小时受理"
    if spec["points"]:
        hours += ";镇(街道)便民服务中心、村(社区)便民服务站工作时间同窗口"
    return hours


def _steps(spec: dict) -> list[dict]:
    promised = spec["promised"]
    split = {0: (0, 0, 0, 0), 1: (0, 1, 0, 0), 2: (0, 1, 1, 0), 3: (1, 1, 1, 0)}
    days = split.get(promised, (1, promised - 3, 1, 1))
    now = promised == 0
    licensing = spec["item_type"] == "01"
    result = spec["result"] or "办理结果"
    taken = "当场受理" if now else "予以受理并出具受理通知书"
    where = "窗口或网上收件"
    if spec["points"]:
        where = "县政务服务中心、镇(街道)便民服务中心收件"
    if spec["points"] == "village":
        where += ",村(社区)便民服务站可帮办代办"
    review = "对申请材料的真实性、完整性和合法性进行审查"
    if spec["inspect"]:
        review += ",需要现场核查的与申请人约定时间组织核查"
    if licensing:
        decide = (
            "作出准予许可或不予许可的决定;不予许可的,书面说明理由"
            "并告知申请行政复议或提起行政诉讼的权利"
        )
    else:
        decide = "作出办理决定;不予办理的,书面说明理由"
    delivery = "、".join(DELIVERY_NAMES[way] for way in _delivery(spec))
    return [
        {
            "name": "受理",
            "days": days[0],
            "description": (
                f"{where};材料齐全、符合法定形式的{taken},不齐全的一次性告知需补正的全部内容"
            ),
        },
        {"name": "审查", "days": days[1], "description": ("当场" if now else "") + review},
        {"name": "决定", "days": days[2], "description": ("当场" if now else "") + decide},
        {"name": "办结", "days": days[3], "description": f"制作{result}"},
        {"name": "送达", "days": 0, "description": f"通过{delivery}等方式将{result}送达申请人"},
    ]


def _faq(spec: dict) -> list[dict]:
    faq = list(spec["faq"])
    if not faq:
        if spec["depth"] == 4:
            faq.append(
                {
                    "q": "可以网上办理吗?",
                    "a": f"可以。登录陕西政务服务网(周至县站点)或“秦务员”App,搜索“{spec['name']}”,"
                    "实名认证后在线提交,全程网办,无需到现场。",
                }
            )
        elif spec["visits"]:
            faq.append(
                {
                    "q": "需要到现场办理吗?",
                    "a": f"需要到现场{spec['visits']}次:{spec['visit_reason']}。"
                    "可先在“秦务员”App 预约,减少排队等候。",
                }
            )
    if any(m["name"].startswith("授权委托书") for m in spec["materials"]):
        faq.append(dict(AGENT_FAQ))
    return faq


def _points(kind: str) -> list[dict]:
    if not kind:
        return []
    mode = "authorized" if kind == "town_auth" else "entrusted"
    points = [{"center": code, "mode": mode} for _name, code in org_demo.TOWNS]
    if kind == "village":
        points += [
            {"center": code, "mode": "assisted"}
            for code in _village_codes()
            if code not in UNCOVERED_VILLAGES
        ]
    return points


def _village_codes() -> list[str]:
    """The village stations org.demo creates (statistical codes), in its order."""
    codes = []
    for name, town in org_demo.TOWNS:
        first = 1 if name.endswith("街道") else 201
        codes += [f"{town}{first + n:03d}" for n in range(org_demo.VILLAGES_PER_TOWN)]
    return codes


def _fee_items(fee) -> list[dict]:
    """The fixed charges of a fee spec's fourth element, ``((code, name, yuan), …)``."""
    if not fee or len(fee) < 4:
        return []
    return [
        {"code": code, "name": name, "amount": amount, "basis": fee[0]}
        for code, name, amount in fee[3]
    ]
