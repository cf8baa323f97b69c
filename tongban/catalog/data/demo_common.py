"""Shared pieces of the demo catalog: e-license types, common materials, channels, helpers.

The domain modules (``demo_market``, ``demo_security``, ``demo_social``, ``demo_civil``,
``demo_health``, ``demo_construction``, ``demo_environment``, ``demo_rural``) each hold a list
``ITEMS`` of item specs made with ``item()``; ``tongban.catalog.demo`` turns every spec into a
catalog document. ``demo_forms`` holds the application forms of the most common items.

``tongban/catalog/data`` has no ``__init__.py`` on purpose: it also holds the search
dictionary (``gov_terms.txt``), and these modules import as a namespace package.

Item codes follow the order of the specs within a department: append new items at the end of
a department's list, never in the middle, so the codes already issued stay where they are.
"""

# E-license types the demo materials name (GB/T 36901: the defining authority's USCC and a
# 3-digit sequence). The authority codes are placeholders in the standard's shape, not the
# ministries' real codes: replace them with the provincial license catalog's when it comes.
LICENSE_TYPES = {
    "11100000000013338W001": ("居民身份证", "公安部"),
    "11100000000013338W002": ("居民户口簿", "公安部"),
    "11100000000013338W011": ("机动车驾驶证", "公安部"),
    "11100000000012345A001": ("营业执照", "国家市场监督管理总局"),
    "11100000000012345A014": ("食品经营许可证", "国家市场监督管理总局"),
    "11100000000013101B001": ("结婚证", "民政部"),
    "11100000000013101B002": ("离婚证", "民政部"),
    "11100000000014120C001": ("中华人民共和国残疾人证", "中国残疾人联合会"),
    "11100000000013201D001": ("社会保障卡", "人力资源和社会保障部"),
    "11100000000013202E001": ("出生医学证明", "国家卫生健康委员会"),
    "11100000000013202E011": ("医师执业证书", "国家卫生健康委员会"),
    "11100000000013331F001": ("不动产权证书", "自然资源部"),
    "11100000000013331F002": ("不动产登记证明", "自然资源部"),
    "11100000000013331F011": ("建设用地规划许可证", "自然资源部"),
    "11100000000013331F012": ("建设工程规划许可证", "自然资源部"),
    "11100000000013340G001": ("建筑工程施工许可证", "住房和城乡建设部"),
    "11100000000013217H001": ("教师资格证书", "教育部"),
    "11100000000013117K001": ("道路运输经营许可证", "交通运输部"),
}
LICENSE_CODES = {name: code for code, (name, _issuer) in LICENSE_TYPES.items()}

# Shared data (数据共享) that can stand in for a material: the population and entity registries.
PERSON = "registry.person"
ENTITY = "registry.entity"


def mat(
    name,
    *,
    source="applicant",
    source_note="",
    copies=1,
    medium="both",
    req="required",
    cond="",
    note="",
    lic="",
    shared="",
):
    """One material (申请材料) in the contract's shape; ``lic`` names a LICENSE_TYPES entry."""
    return {
        "name": name,
        "source": source,
        "source_note": source_note,
        "copies": copies,
        "medium": medium,
        "requirement": req,
        "condition": cond,
        "blank_form": "",
        "sample": "",
        "license_type_code": LICENSE_CODES[lic] if lic else "",
        "shared_data_item": shared,
        "notes": note,
    }


def form(name, note="在线填写或现场领取空白表格填写,签字(盖章)确认"):
    """An application form or table the applicant fills in."""
    return mat(name, medium="both", note=note)


def gov(name, issuer, *, lic="", shared="", req="required", cond="", note=""):
    """A document issued by a government body (两个免于提交: exempt when shared)."""
    return mat(
        name,
        source="government",
        source_note=issuer,
        lic=lic,
        shared=shared,
        req=req,
        cond=cond,
        note=note,
    )


ID_CARD = gov(
    "居民身份证",
    "公安机关",
    lic="居民身份证",
    shared=PERSON,
    note="核验原件;已关联电子证照或可通过人口库核验的免于提交",
)
HOUSEHOLD_BOOK = gov("居民户口簿", "公安机关", lic="居民户口簿", shared=PERSON)
BUSINESS_LICENSE = gov(
    "营业执照",
    "市场监督管理部门",
    lic="营业执照",
    shared=ENTITY,
    note="可通过电子营业执照或法人库核验的免于提交",
)
LEGAL_REP_ID = gov("法定代表人(负责人)居民身份证", "公安机关", lic="居民身份证", shared=PERSON)
AGENT = mat(
    "授权委托书及受托人居民身份证",
    req="conditional",
    cond="委托他人代为办理的",
    note="委托书应载明委托事项、权限和期限,由委托人签字或盖章",
)
SOCIAL_CARD = gov("社会保障卡", "人力资源和社会保障部门", lic="社会保障卡", shared=PERSON)
BANK_CARD = mat(
    "本人银行账户信息(社会保障卡金融账户或一卡通存折)",
    note="用于待遇发放;已开通社会保障卡金融功能的可直接使用",
)
PHOTO = mat(
    "近期免冠彩色证件照片",
    copies=2,
    medium="paper",
    note="白色背景,2寸;支持在线上传电子照片",
)
COMMITMENT = form("告知承诺书", "对申请材料真实性和符合条件作出书面承诺")
DISABILITY_CERT = gov("中华人民共和国残疾人证", "残疾人联合会", lic="中华人民共和国残疾人证")
MARRIAGE_CERT = gov("结婚证", "民政部门", lic="结婚证", req="conditional", cond="已婚申请人")
PROPERTY_CERT = gov("不动产权证书", "不动产登记机构", lic="不动产权证书")
SITE_PLAN = mat("建设项目总平面图", note="加盖设计单位出图章,电子图纸为 PDF 或 DWG 格式")
LAND_DOC = gov(
    "建设项目用地批准文件(国有土地使用权出让合同或划拨决定书)",
    "自然资源主管部门",
    shared=ENTITY,
)

# Who answers and where (consultation phones by department; 029 is Xi'an's area code).
PHONES = {
    "approval": "029-87151201",
    "public-security": "029-87151110",
    "hrss": "029-87152356",
    "market": "029-87153315",
    "medical-security": "029-87153620",
    "civil-affairs": "029-87152219",
    "justice": "029-87154148",
    "natural-resources": "029-87154537",
    "housing": "029-87152668",
    "transport": "029-87153072",
    "health": "029-87152983",
    "disabled-persons": "029-87155206",
    "housing-fund": "029-87156630",
    "development-reform": "029-87151826",
    "ecology": "029-87153469",
    "urban-management": "029-87154319",
    "emergency": "029-87152704",
    "water": "029-87153852",
    "meteorology": "029-87155121",
    "finance": "029-87151675",
    "taxation": "029-87156366",
    "education": "029-87152437",
    "agriculture": "029-87153167",
    "culture-tourism": "029-87154702",
    "veterans": "029-87156011",
    "forestry": "029-87154425",
}


def item(
    dept,
    name,
    item_type,
    *,
    law,
    conditions,
    materials,
    obj="person",
    statutory=None,
    promised=0,
    visits=0,
    visit_reason="",
    depth=4,
    result="",
    result_type="",
    keywords="",
    topics=(),
    fee=None,
    joint=(),
    intermediary="",
    faq=(),
    points="",
    city_wide=False,
    cross_province=False,
    secret=False,
    apply_ways=None,
    delivery=None,
    inspect=False,
    window="",
    location="",
    family="",
):
    """An item spec: what a county catalog says of one item, the rest is filled in by demo.py.

    ``promised`` 0 means 即办. ``fee`` is ``(basis, standard, online_payment[, charges])``.
    ``points``: ``""`` none, ``"town"`` town centers (委托受理), ``"town_auth"`` town
    centers (授权办理), ``"village"`` town centers plus village stations (帮办代办).
    ``family`` groups sub-items under one base item (e.g. the kinds of 不动产登记). ``faq`` is
    ``((q, a), …)``.
    """
    return {
        "dept": dept,
        "name": name,
        "item_type": item_type,
        "law": law,
        "conditions": conditions,
        "materials": materials,
        "obj": obj,
        "statutory": statutory,
        "promised": promised,
        "visits": visits,
        "visit_reason": visit_reason,
        "depth": depth,
        "result": result,
        "result_type": result_type,
        "keywords": keywords,
        "topics": list(topics),
        "fee": fee,
        "joint": list(joint),
        "intermediary": intermediary,
        "faq": [{"q": q, "a": a} for q, a in faq],
        "points": points,
        "city_wide": city_wide,
        "cross_province": cross_province,
        "secret": secret,
        "apply_ways": apply_ways,
        "delivery": delivery,
        "inspect": inspect,
        "window": window,
        "location": location,
        "family": family,
    }
