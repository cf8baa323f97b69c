"""The demo county's 11 life events (一件事一次办), published, over the demo catalog's items.

Each event names its items by guide name (``tongban/catalog/data/demo_*.py``); the few a
bundle needs that the county catalog lacks (``NEW_ITEMS``) are written through the catalog's
own path (``documents.apply_document``: create_item, steps, materials, submit, publish) in
their department, with item numbers from 901 so the catalog's codes stay where they are, and
the keyword ``一件事演示数据``. Their forms use the catalog's field keys (same key, same
meaning) and their materials the catalog's names, so the combined form fills every item and
the combined material list asks a shared document once. ``load()`` creates or refreshes
everything: a second run changes nothing.
"""

from django.db import transaction

from tongban.audit import services as audit
from tongban.bundles.models import Bundle, BundleItem
from tongban.catalog.data.demo_common import (
    BUSINESS_LICENSE,
    ID_CARD,
    form,
    gov,
    item,
    mat,
)
from tongban.catalog.data.demo_formkit import MATTER, choice, entity, field, person, promise
from tongban.catalog.data.demo_formkit import form as schema
from tongban.catalog.models import ServiceItem
from tongban.core import clock

ACTOR = "load_demo"
DEMO_KEYWORD = "一件事演示数据"
FIRST_NUMBER = 901
SI_LAW = "《中华人民共和国社会保险法》"
FUND_LAW = "《住房公积金管理条例》"
ROAD_LAW = "《城市道路管理条例》;《中华人民共和国道路交通安全法》第三十二条"
UTILITY_LAW = "《优化营商环境条例》;《陕西省优化营商环境条例》(水电气暖报装“一件事”)"
YES_NO = [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}]
REGISTRATION_FORM = form("社会保险登记表")
SITE_PROOF = mat("报装地址房屋产权证明或租赁合同", shared="registry.person")
DEATH_PROOF = gov("死亡证明或户口注销证明", "医疗机构或公安机关", shared="registry.person")


def _employment(*extra):
    return schema(
        "参保(开户)登记表",
        person(),
        [
            field("employer", "text", "工作单位", required=True, group=MATTER),
            field("hire_date", "date", "入职(报到)日期", required=True, group=MATTER),
            *extra,
        ],
        promise(),
    )


def _retirement():
    return schema(
        "退休待遇申领表",
        person(),
        [
            field("employer", "text", "原工作单位", required=True, group=MATTER),
            field("retire_date", "date", "退休日期", required=True, group=MATTER),
        ],
        promise(),
    )


def _entity_form(title, *extra):
    return schema(title, entity(), list(extra), promise())


def _utility(title, kind):
    return schema(
        title,
        person(),
        [
            field("site_address", "address", "报装地址", required=True, group=MATTER),
            choice("site_use", "用途", [("home", "居民生活"), ("business", "生产经营")]),
            field(f"{kind}_load", "number", "申请容量(用量)", required=True, group=MATTER),
        ],
        promise(),
    )


def _road(title):
    return schema(
        title,
        entity(),
        [
            field("road", "text", "挖掘占用道路名称及路段", required=True, group=MATTER),
            field("purpose", "textarea", "挖掘占用原因", required=True, group=MATTER),
            field("start_date", "date", "开始日期", required=True, group=MATTER),
            field("end_date", "date", "结束日期", required=True, group=MATTER),
        ],
        promise(),
    )


# The items the bundles need that the county catalog does not have yet: (spec, form).
NEW_ITEMS = [
    (
        item(
            "medical-security",
            "用人单位职工基本医疗保险参保登记",
            "20",
            law=SI_LAW + ";《社会保险经办条例》",
            obj="enterprise",
            conditions="新设立的用人单位,应当自成立之日起30日内办理医疗保险参保登记;"
            "企业开办时同步办理。",
            materials=[BUSINESS_LICENSE, REGISTRATION_FORM],
            result="单位医疗保险参保登记结果",
            result_type="other",
            keywords=f"单位医保开户 医保登记 企业开办 {DEMO_KEYWORD}",
            topics=["business_start"],
            city_wide=True,
        ),
        _entity_form("医疗保险单位参保登记表"),
    ),
    (
        item(
            "hrss",
            "机关事业单位工作人员养老保险参保登记",
            "20",
            law=SI_LAW + ";《国务院关于机关事业单位工作人员养老保险制度改革的决定》",
            conditions="新录用(聘用)的机关事业单位工作人员,由本人申报、单位确认后办理参保登记;"
            "有视同缴费年限的须审核认定。",
            materials=[ID_CARD, REGISTRATION_FORM, mat("录用(聘用)审批表或报到证")],
            promised=5,
            statutory=20,
            result="养老保险参保登记结果",
            result_type="other",
            keywords=f"机关事业单位 入职 养老保险 参保 {DEMO_KEYWORD}",
            topics=["social_security"],
        ),
        _employment(),
    ),
    (
        item(
            "medical-security",
            "职工基本医疗保险参保登记",
            "20",
            law=SI_LAW,
            conditions="新入职的职工,自用工之日起30日内办理职工基本医疗保险参保登记。",
            materials=[ID_CARD, REGISTRATION_FORM, mat("录用(聘用)审批表或报到证")],
            result="职工医保参保登记结果",
            result_type="other",
            keywords=f"职工医保 入职 参保 {DEMO_KEYWORD}",
            topics=["social_security"],
            city_wide=True,
        ),
        _employment(),
    ),
    (
        item(
            "housing-fund",
            "住房公积金个人账户设立",
            "20",
            law=FUND_LAW,
            conditions="单位新录用的职工,自录用之日起30日内办理住房公积金个人账户设立。",
            materials=[ID_CARD, mat("录用(聘用)审批表或报到证")],
            result="住房公积金个人账户",
            result_type="other",
            keywords=f"公积金开户 入职 {DEMO_KEYWORD}",
            topics=["housing"],
            city_wide=True,
        ),
        _employment(),
    ),
    (
        item(
            "hrss",
            "机关事业单位工作人员基本养老金申领",
            "05",
            law=SI_LAW + ";《国务院关于机关事业单位工作人员养老保险制度改革的决定》",
            conditions="达到法定退休年龄、累计缴费(含视同缴费)满15年的机关事业单位工作人员。",
            materials=[
                ID_CARD,
                mat("退休审批表", source="government", source_note="组织人事部门"),
                mat("本人银行账户信息(社会保障卡金融账户或一卡通存折)"),
            ],
            promised=10,
            statutory=20,
            result="基本养老金待遇核定表",
            result_type="document",
            keywords=f"机关事业单位 退休 养老金 {DEMO_KEYWORD}",
            topics=["retirement"],
        ),
        _retirement(),
    ),
    (
        item(
            "medical-security",
            "职工医保退休人员待遇核定",
            "20",
            law=SI_LAW,
            conditions="办理退休、职工医保缴费年限达到规定的参保人员,核定退休人员医保待遇。",
            materials=[
                ID_CARD,
                mat("退休审批表", source="government", source_note="组织人事部门"),
            ],
            promised=5,
            statutory=15,
            result="退休人员医保待遇核定结果",
            result_type="other",
            keywords=f"退休 医保 待遇 {DEMO_KEYWORD}",
            topics=["retirement"],
            city_wide=True,
        ),
        _retirement(),
    ),
    (
        item(
            "housing-fund",
            "职工死亡(继承)提取住房公积金",
            "20",
            law=FUND_LAW + "第二十四条",
            conditions="缴存职工死亡的,其继承人、受遗赠人提取住房公积金账户余额。",
            materials=[
                DEATH_PROOF,
                mat("申领人与死者的亲属关系证明"),
                mat("申领人居民身份证及银行账户", shared="registry.person"),
            ],
            promised=3,
            statutory=3,
            result="提取金额转入继承人银行账户",
            result_type="other",
            keywords=f"身后事 公积金 继承提取 {DEMO_KEYWORD}",
            topics=["housing"],
        ),
        schema(
            "继承提取住房公积金申请表",
            person(),
            [
                field("deceased_name", "text", "死者姓名", required=True, group=MATTER),
                field(
                    "deceased_id_number", "id_number", "死者身份证号码", required=True, group=MATTER
                ),
            ],
            promise(),
        ),
    ),
    (
        item(
            "taxation",
            "税务注销(清税证明开具)",
            "20",
            law="《中华人民共和国税收征收管理法实施细则》第十五条",
            obj="enterprise",
            conditions="办理注销登记前,结清应纳税款、滞纳金、罚款,缴销发票;"
            "未领用发票、无欠税的纳税人即时出具清税证明。",
            materials=[BUSINESS_LICENSE, mat("清税申报表")],
            promised=3,
            statutory=20,
            result="清税证明",
            result_type="document",
            keywords=f"清税 税务注销 企业注销 {DEMO_KEYWORD}",
            topics=["business_close"],
        ),
        _entity_form("清税申报表"),
    ),
    (
        item(
            "hrss",
            "单位社会保险注销登记",
            "20",
            law=SI_LAW + ";《社会保险登记管理暂行办法》",
            obj="enterprise",
            conditions="用人单位终止的,自终止之日起30日内办理社会保险注销登记。",
            materials=[BUSINESS_LICENSE, mat("社会保险注销登记表")],
            result="社会保险注销登记结果",
            result_type="other",
            keywords=f"社保注销 企业注销 {DEMO_KEYWORD}",
            topics=["business_close"],
        ),
        _entity_form("社会保险注销登记表"),
    ),
    (
        item(
            "housing-fund",
            "住房公积金单位缴存注销",
            "20",
            law=FUND_LAW,
            obj="enterprise",
            conditions="单位撤销、解散或破产的,自发生之日起30日内办理住房公积金缴存注销登记。",
            materials=[BUSINESS_LICENSE, mat("住房公积金单位缴存注销登记表")],
            result="单位住房公积金账户注销",
            result_type="other",
            keywords=f"公积金注销 企业注销 {DEMO_KEYWORD}",
            topics=["business_close"],
        ),
        _entity_form("住房公积金单位缴存注销登记表"),
    ),
    (
        item(
            "public-security",
            "占用、挖掘道路交通安全审查",
            "01",
            law=ROAD_LAW,
            obj="both",
            conditions="因工程建设需要占用、挖掘道路的,施工前征得公安机关交通管理部门同意。",
            materials=[
                mat("施工方案、交通组织方案及安全防护措施"),
                mat("挖掘占用范围示意图"),
            ],
            promised=3,
            statutory=20,
            result="占道施工交通安全审查意见",
            result_type="document",
            keywords=f"占道施工 交警 挖掘道路 {DEMO_KEYWORD}",
            topics=["construction"],
        ),
        _road("占用、挖掘道路交通安全审查申请表"),
    ),
    (
        item(
            "water",
            "供水报装",
            "20",
            law=UTILITY_LAW + ";《城市供水条例》",
            obj="both",
            conditions="新建、改建建筑或经营场所需要接入公共供水管网的用户。",
            materials=[ID_CARD, SITE_PROOF, mat("用水(用电、用气、用热)报装申请表")],
            promised=3,
            result="供水接入",
            result_type="other",
            keywords=f"用水报装 接水 水电气暖 {DEMO_KEYWORD}",
        ),
        _utility("供水报装申请表", "water"),
    ),
    (
        item(
            "development-reform",
            "供电报装",
            "20",
            law=UTILITY_LAW + ";《电力供应与使用条例》",
            obj="both",
            conditions="新装、增容用电的用户;低压小微企业“三零”服务。",
            materials=[ID_CARD, SITE_PROOF, mat("用水(用电、用气、用热)报装申请表")],
            promised=3,
            result="供电接入",
            result_type="other",
            keywords=f"用电报装 接电 水电气暖 {DEMO_KEYWORD}",
        ),
        _utility("供电报装申请表", "power"),
    ),
    (
        item(
            "housing",
            "燃气报装",
            "20",
            law=UTILITY_LAW + ";《城镇燃气管理条例》",
            obj="both",
            conditions="具备安全用气条件、需要接入管道燃气的用户。",
            materials=[ID_CARD, SITE_PROOF, mat("用水(用电、用气、用热)报装申请表")],
            promised=5,
            inspect=True,
            result="燃气接入",
            result_type="other",
            keywords=f"燃气报装 天然气开户 水电气暖 {DEMO_KEYWORD}",
        ),
        _utility("燃气报装申请表", "gas"),
    ),
    (
        item(
            "housing",
            "供热报装",
            "20",
            law=UTILITY_LAW + ";《陕西省城镇供热条例》",
            obj="both",
            conditions="集中供热管网覆盖范围内、需要接入集中供热的用户。",
            materials=[ID_CARD, SITE_PROOF, mat("用水(用电、用气、用热)报装申请表")],
            promised=5,
            inspect=True,
            result="供热接入",
            result_type="other",
            keywords=f"供暖报装 暖气开户 水电气暖 {DEMO_KEYWORD}",
        ),
        _utility("供热报装申请表", "heat"),
    ),
]


def _q(key, text, options=None):
    return {"key": key, "text": text, "options": options or YES_NO}


def _when(question, *values):
    return {"question": question, "in": list(values) or ["yes"]}


# Each event: its items in order as (guide name, condition, [names it waits for]).
BUNDLES = [
    {
        "code": "chusheng",
        "name": "出生一件事",
        "description": "新生儿出生医学证明、户口登记、医保参保、社保卡和预防接种证一次办理。",
        "promised_days": 0,
        "questions": [
            _q("social_card", "是否同时为新生儿办理社会保障卡?"),
            _q("vaccination", "是否同时办理预防接种证?"),
        ],
        "items": [
            ("出生医学证明首次签发", None, []),
            ("新生儿出生户口登记", None, ["出生医学证明首次签发"]),
            ("城乡居民基本医疗保险参保登记", None, ["新生儿出生户口登记"]),
            ("社会保障卡申领", _when("social_card"), ["新生儿出生户口登记"]),
            ("预防接种证办理", _when("vaccination"), ["出生医学证明首次签发"]),
        ],
    },
    {
        "code": "shenhoushi",
        "name": "身后事一件事(终老)",
        "description": "户口注销、殡葬费用减免、丧葬补助金抚恤金和公积金继承提取一次办理。",
        "promised_days": 2,
        "questions": [
            _q("insured", "逝者生前是否参加企业职工基本养老保险?"),
            _q("fund", "逝者是否有住房公积金账户余额?"),
        ],
        "items": [
            ("死亡人员户口注销", None, []),
            ("基本殡葬服务费用减免", None, []),
            ("参保人员死亡丧葬补助金、抚恤金申领", _when("insured"), ["死亡人员户口注销"]),
            ("职工死亡(继承)提取住房公积金", _when("fund"), ["死亡人员户口注销"]),
        ],
    },
    {
        "code": "jiguan-ruzhi",
        "name": "机关事业单位入职一件事",
        "description": "新录用(聘用)人员养老、医保参保、公积金开户和社保卡一次办理。",
        "promised_days": 3,
        "questions": [_q("no_card", "是否还没有社会保障卡?")],
        "items": [
            ("机关事业单位工作人员养老保险参保登记", None, []),
            ("职工基本医疗保险参保登记", None, []),
            ("住房公积金个人账户设立", None, []),
            ("社会保障卡申领", _when("no_card"), []),
        ],
    },
    {
        "code": "jiguan-tuixiu",
        "name": "机关事业单位退休一件事",
        "description": "退休人员养老金申领、医保待遇核定、公积金提取和老年人优待证一次办理。",
        "promised_days": 5,
        "questions": [
            _q("fund", "是否提取住房公积金账户余额?"),
            _q("over60", "是否已年满60周岁?"),
        ],
        "items": [
            ("机关事业单位工作人员基本养老金申领", None, []),
            ("职工医保退休人员待遇核定", None, []),
            ("离退休提取住房公积金", _when("fund"), []),
            ("老年人优待证办理", _when("over60"), []),
        ],
    },
    {
        "code": "qiye-kaiban",
        "name": "企业开办一件事",
        "description": "设立登记、公章刻制、发票申领、社保医保登记和公积金开户一次办理。",
        "promised_days": 0,
        "questions": [_q("employs", "是否招用员工?")],
        "items": [
            ("企业设立登记", None, []),
            ("印章刻制备案", None, ["企业设立登记"]),
            ("发票领用", None, ["企业设立登记"]),
            ("参保单位社会保险登记", _when("employs"), []),
            ("用人单位职工基本医疗保险参保登记", _when("employs"), []),
            ("住房公积金单位缴存登记", _when("employs"), []),
        ],
    },
    {
        "code": "qiye-zhuxiao",
        "name": "企业注销一件事",
        "description": "清税、社保和公积金注销与企业注销登记一次办理。",
        "promised_days": 2,
        "questions": [
            _q("employs", "是否办理过社会保险登记(招用过员工)?"),
            _q("fund", "是否开立过住房公积金单位账户?"),
        ],
        "items": [
            ("税务注销(清税证明开具)", None, []),
            ("单位社会保险注销登记", _when("employs"), []),
            ("住房公积金单位缴存注销", _when("fund"), []),
            ("企业注销登记", None, ["税务注销(清税证明开具)"]),
        ],
    },
    {
        "code": "ershoufang",
        "name": "二手房交易一件事",
        "description": "税费申报、不动产转移登记、抵押登记和公积金提取一次办理。",
        "promised_days": 0,
        "questions": [
            _q("loan", "是否贷款购房(需办理抵押登记)?"),
            _q("fund", "是否提取住房公积金支付购房款?"),
        ],
        "items": [
            ("房产交易税费申报", None, []),
            ("不动产转移登记(二手房买卖)", None, ["房产交易税费申报"]),
            ("不动产抵押权登记", _when("loan"), ["不动产转移登记(二手房买卖)"]),
            ("购买自住住房提取住房公积金", _when("fund"), []),
        ],
    },
    {
        "code": "jiaofang-jiaozheng",
        "name": "交房即交证一件事",
        "description": "新建商品房交付时,契税申报、转移登记、抵押登记和公积金提取一次办理。",
        "promised_days": 1,
        "questions": [
            _q("loan", "是否贷款购房(需办理抵押登记)?"),
            _q("fund", "是否提取住房公积金支付购房款?"),
        ],
        "items": [
            ("房产交易税费申报", None, []),
            ("不动产转移登记(新建商品房)", None, ["房产交易税费申报"]),
            ("不动产抵押权登记", _when("loan"), ["不动产转移登记(新建商品房)"]),
            ("购买自住住房提取住房公积金", _when("fund"), []),
        ],
    },
    {
        "code": "wajue-zhandao",
        "name": "挖掘占道一件事",
        "description": "城市道路挖掘占用许可、交通安全审查和涉及的绿地、树木审批并联办理。",
        "promised_days": 3,
        "questions": [
            _q("green", "是否需要临时占用城市绿地?"),
            _q("trees", "是否需要砍伐、迁移城市树木?"),
        ],
        "items": [
            ("城市道路挖掘占道许可", None, []),
            ("占用、挖掘道路交通安全审查", None, []),
            ("临时占用城市绿地审批", _when("green"), []),
            ("砍伐、迁移城市树木审批", _when("trees"), []),
        ],
    },
    {
        "code": "shuidianqinuan",
        "name": "水电气暖报装一件事",
        "description": "供水、供电、燃气、供热报装和外线工程占道挖掘一次申请、并联办理。",
        "promised_days": 5,
        "questions": [
            _q("gas", "是否报装燃气?"),
            _q("heat", "是否报装集中供热?"),
            _q("dig", "外线接入是否需要挖掘城市道路?"),
        ],
        "items": [
            ("供水报装", None, []),
            ("供电报装", None, []),
            ("燃气报装", _when("gas"), []),
            ("供热报装", _when("heat"), []),
            ("城市道路挖掘占道许可", _when("dig"), []),
        ],
    },
    {
        "code": "shizheng-jieru",
        "name": "市政接入一件事",
        "description": "建设工程规划许可、绿化许可、占道挖掘许可并联审批。",
        "promised_days": 5,
        "questions": [_q("trees", "是否需要砍伐、迁移城市树木?")],
        "items": [
            ("建设工程规划许可证核发", None, []),
            ("临时占用城市绿地审批", None, []),
            ("城市道路挖掘占道许可", None, []),
            ("砍伐、迁移城市树木审批", _when("trees"), []),
        ],
    },
]


def is_loaded() -> bool:
    """Every demo event is published."""
    codes = [spec["code"] for spec in BUNDLES]
    published = Bundle.objects.filter(code__in=codes, status=Bundle.Status.PUBLISHED)
    return published.values("code").distinct().count() == len(codes)


@transaction.atomic
def load() -> str:
    """Create or refresh the missing items and the 11 events; the summary line."""
    items_created = _load_items()
    created = changed = 0
    for spec in BUNDLES:
        was_created, was_changed = _apply(spec)
        created += was_created
        changed += was_changed
    summary = (
        f"一件事一次办已就绪:一件事 {len(BUNDLES)} 个(均已发布),补充事项 {len(NEW_ITEMS)} 项;"
        f"本次新建事项 {items_created} 项、一件事 {created} 个,更新一件事 {changed} 个。"
    )
    audit.record(ACTOR, "bundles.demo.load", note=summary)
    return summary


def new_item_documents() -> list[dict]:
    """The missing items as catalog documents (numbered from 901 in their department)."""
    from tongban.catalog.demo import _document

    numbering = {}
    docs = []
    for spec, form_schema in NEW_ITEMS:
        numbering.setdefault(spec["dept"], {"next": FIRST_NUMBER, "families": {}})
        doc = _document(spec, numbering)
        doc["guide"]["form_schema"] = form_schema
        docs.append(doc)
    return docs


def _load_items() -> int:
    from tongban.catalog.documents import apply_document

    docs = new_item_documents()
    codes = [doc["implementation_code"] for doc in docs]
    existing = set(
        ServiceItem.objects.filter(implementation_code__in=codes).values_list(
            "implementation_code", flat=True
        )
    )
    for doc in docs:
        apply_document(doc, by=ACTOR)
    return len(set(codes) - existing)


def _items_by_name(names) -> dict[str, ServiceItem]:
    found = {}
    items = ServiceItem.objects.filter(current_guide__name__in=names, is_active=True)
    for entry in items.select_related("current_guide").order_by("implementation_code"):
        found.setdefault(entry.current_guide.name, entry)
    missing = set(names) - set(found)
    if missing:
        raise LookupError(f"演示目录缺少事项:{'、'.join(sorted(missing))}")
    return found


def _wanted(spec: dict, items: dict) -> list[tuple]:
    """What the bundle's items should be: (order, item pk, condition, prerequisite pks)."""
    return [
        (order, items[name].pk, condition or {}, sorted(items[dep].pk for dep in waits))
        for order, (name, condition, waits) in enumerate(spec["items"], start=1)
    ]


def _current(bundle: Bundle) -> list[tuple]:
    return [
        (
            entry.order,
            entry.item_id,
            entry.condition,
            sorted(d.item_id for d in entry.depends_on.all()),
        )
        for entry in bundle.items.prefetch_related("depends_on")
    ]


def _apply(spec: dict) -> tuple[bool, bool]:
    """Publish the event; a changed event gets a new version, the old one retired."""
    items = _items_by_name([name for name, _c, _w in spec["items"]])
    values = {key: spec[key] for key in ("name", "description", "promised_days", "questions")}
    wanted = _wanted(spec, items)
    current = (
        Bundle.objects.filter(code=spec["code"], status=Bundle.Status.PUBLISHED)
        .order_by("-version")
        .first()
    )
    if current is not None:
        same = all(getattr(current, key) == value for key, value in values.items())
        if same and _current(current) == wanted:
            return False, False
        current.status = Bundle.Status.RETIRED
        current.save(update_fields=["status"])
    version = (
        Bundle.objects.filter(code=spec["code"])
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
        or 0
    ) + 1
    bundle = Bundle.objects.create(
        code=spec["code"],
        version=version,
        status=Bundle.Status.PUBLISHED,
        published_at=clock.now(),
        **values,
    )
    by_item = {}
    for order, item_pk, condition, _waits in wanted:
        by_item[item_pk] = BundleItem.objects.create(
            bundle=bundle, item_id=item_pk, order=order, condition=condition
        )
    for _order, item_pk, _condition, waits in wanted:
        if waits:
            by_item[item_pk].depends_on.set([by_item[pk] for pk in waits])
    audit.record(ACTOR, "bundles.bundle.publish", bundle, changes={"version": version})
    return current is None, current is not None
