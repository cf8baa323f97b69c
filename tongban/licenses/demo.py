"""The demo license catalog (证照目录): the license types the demo county issues, as data,
bound to the demo catalog's items whose result is that license.

Type codes are the demo catalog's (``catalog/data/demo_common.LICENSE_TYPES``: placeholders
in the standard's shape) where it names the license, so materials that an e-license can
satisfy find these types; the others are placeholders alike. Surface fields come from the
application form (``form.<key>``, the keys of ``catalog/data/demo_forms_*.py``) and the holder.
``load()`` creates or refreshes them: a second run changes nothing.
"""

from django.db import transaction

from tongban.audit import services as audit
from tongban.catalog.models import ServiceItem
from tongban.licenses.models import HolderType, LicenseType

ACTOR = "load_demo"
SAMR = "国家市场监督管理总局"
HOLDER_NAME = {"key": "holder", "label": "名称", "source": "holder.name"}
HOLDER_CODE = {"key": "holder_code", "label": "统一社会信用代码", "source": "holder.code"}

TYPES = [
    {
        "code": "11100000000012345A014",
        "name": "食品经营许可证",
        "authority_name": SAMR,
        "holder_type": HolderType.ENTERPRISE,
        "validity_years": 5,
        "layout": {"number_prefix": "JY"},
        "fields": [
            {"key": "operator", "label": "经营者名称", "source": "holder.name"},
            HOLDER_CODE,
            {
                "key": "legal_rep",
                "label": "法定代表人(负责人)",
                "source": "form.legal_representative",
            },
            {"key": "premises", "label": "经营场所", "source": "form.premises"},
            {"key": "main_format", "label": "主体业态", "source": "form.main_format"},
            {"key": "items", "label": "经营项目", "source": "form.items"},
        ],
        "items": ["食品经营许可(新办)", "食品经营许可(变更、延续、补办)"],
    },
    {
        "code": "11100000000012345A001",
        "name": "营业执照",
        "authority_name": SAMR,
        "holder_type": HolderType.ENTERPRISE,
        "validity_years": None,
        "layout": {"number_prefix": "YZ"},
        "fields": [HOLDER_NAME, HOLDER_CODE],
        "items": [],
    },
    {
        "code": "11100000000012345A002",
        "name": "个体工商户营业执照",
        "authority_name": SAMR,
        "holder_type": HolderType.PERSON,
        "validity_years": None,
        "layout": {"number_prefix": "GT", "title": "营业执照(个体工商户)"},
        "fields": [
            {"key": "shop_name", "label": "名称", "source": "form.shop_name"},
            {"key": "operator", "label": "经营者", "source": "holder.name"},
            {"key": "form_of_operation", "label": "组成形式", "source": "form.form_of_operation"},
            {"key": "premises", "label": "经营场所", "source": "form.premises"},
            {"key": "scopes", "label": "经营范围", "source": "form.scopes"},
        ],
        "items": ["个体工商户设立登记"],
    },
    {
        "code": "11100000000013340G001",
        "name": "建筑工程施工许可证",
        "authority_name": "住房和城乡建设部",
        "holder_type": HolderType.ENTERPRISE,
        "validity_years": None,
        "layout": {"number_prefix": "SG"},
        "fields": [
            {"key": "builder", "label": "建设单位", "source": "holder.name"},
            {"key": "project_name", "label": "工程名称", "source": "form.project_name"},
            {"key": "contract_price", "label": "合同价格(万元)", "source": "form.contract_price"},
            {"key": "floor_area", "label": "建设规模(平方米)", "source": "form.floor_area"},
            {"key": "start_date", "label": "计划开工日期", "source": "form.start_date"},
        ],
        "items": ["建筑工程施工许可证核发"],
    },
    {
        "code": "11100000000013331F012",
        "name": "建设工程规划许可证",
        "authority_name": "自然资源部",
        "holder_type": HolderType.ENTERPRISE,
        "validity_years": None,
        "layout": {"number_prefix": "GH"},
        "fields": [
            {"key": "builder", "label": "建设单位(个人)", "source": "holder.name"},
            {"key": "project_name", "label": "建设项目名称", "source": "form.project_name"},
            {"key": "location", "label": "建设位置", "source": "form.location"},
            {"key": "floor_area", "label": "建设规模(平方米)", "source": "form.floor_area"},
        ],
        "items": ["建设工程规划许可证核发"],
    },
    {
        "code": "11100000000013202E021",
        "name": "公共场所卫生许可证",
        "authority_name": "国家卫生健康委员会",
        "holder_type": HolderType.ENTERPRISE,
        "validity_years": 4,
        "layout": {"number_prefix": "WS"},
        "fields": [
            {"key": "unit", "label": "单位名称", "source": "holder.name"},
            {"key": "code", "label": "证件号码", "source": "holder.code"},
        ],
        "items": ["公共场所卫生许可"],
    },
    {
        "code": "11610000000012345A101",
        "name": "小餐饮经营许可证",
        "authority_name": "陕西省市场监督管理局",
        "holder_type": HolderType.ENTERPRISE,
        "validity_years": 3,
        "layout": {"number_prefix": "XC"},
        "fields": [
            {"key": "operator", "label": "经营者", "source": "holder.name"},
            {"key": "code", "label": "证件号码", "source": "holder.code"},
        ],
        "items": ["小餐饮经营许可"],
    },
]


def is_loaded() -> bool:
    """Every demo type is there."""
    codes = [spec["code"] for spec in TYPES]
    return LicenseType.objects.filter(code__in=codes).count() == len(codes)


@transaction.atomic
def load() -> str:
    """Create or refresh the demo types and their items; the summary line."""
    created = changed = bound = 0
    for spec in TYPES:
        was_created, was_changed, items = _apply(spec)
        created += was_created
        changed += was_changed
        bound += items
    summary = (
        f"证照目录已就绪:证照类型 {len(TYPES)} 类,出证事项 {bound} 个;"
        f"本次新建 {created} 类、更新 {changed} 类。"
    )
    audit.record(ACTOR, "licenses.demo.load", note=summary)
    return summary


def _apply(spec: dict) -> tuple[bool, bool, int]:
    values = {key: value for key, value in spec.items() if key not in ("code", "items")}
    values["authority_code"] = spec["code"][:18]
    found = LicenseType.objects.filter(code=spec["code"]).first()
    license_type = found or LicenseType(code=spec["code"])
    differs = found is None or any(getattr(found, k) != v for k, v in values.items())
    for key, value in values.items():
        setattr(license_type, key, value)
    if differs:
        license_type.full_clean(exclude=["items"])
        license_type.save()
    items = ServiceItem.objects.filter(current_guide__name__in=spec["items"])
    wanted = set(items.values_list("pk", flat=True))
    if set(license_type.items.values_list("pk", flat=True)) != wanted:
        license_type.items.set(wanted)
        differs = True
    return found is None, differs and found is not None, len(wanted)
