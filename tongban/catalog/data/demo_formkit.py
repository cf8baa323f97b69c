"""Helpers that build application form definitions (申请表单定义) for the demo catalog.

The format is ``tongban.catalog.formdefs`` (docs/catalog/forms.md). Fields that the population
or entity registry or an e-license can fill in carry ``prefill``; the registry field names are
provisional until the registry app publishes its own. The forms themselves are in
``demo_forms_people`` and ``demo_forms_business``; ``demo_forms.FORMS`` joins them by name.
"""

from tongban.catalog.data.demo_common import LICENSE_CODES
from tongban.org.demo import TOWNS

APPLICANT = "申请人信息"
AGENT_GROUP = "代理人信息"
ENTITY_GROUP = "申请单位信息"
MATTER = "申请事项"


def field(key, kind, label, *, required=False, group=APPLICANT, **extra):
    spec = {"key": key, "type": kind, "label": label, "group": group}
    if required:
        spec["required"] = True
    spec.update(extra)
    return spec


def choice(key, label, options, *, multiple=False, group=MATTER, required=True, **extra):
    return field(
        key,
        "multiselect" if multiple else "select",
        label,
        required=required,
        group=group,
        options=[{"value": value, "label": text} for value, text in options],
        **extra,
    )


def licensed(name, label, *, group=MATTER, **extra):
    """A license-number field filled in from the applicant's e-license of that type."""
    code = LICENSE_CODES[name]
    return field(
        f"{_key(name)}_number",
        "text",
        label,
        group=group,
        prefill=f"license.{code}.number",
        **extra,
    )


def _key(name):
    return {
        "食品经营许可证": "food_license",
        "不动产权证书": "property_cert",
        "建设工程规划许可证": "planning_permit",
        "建设用地规划许可证": "land_permit",
        "中华人民共和国残疾人证": "disability_cert",
        "出生医学证明": "birth_cert",
        "居民身份证": "id_card",
    }[name]


def person(prefix="", group=APPLICANT, *, address=True):
    fields = [
        field(
            f"{prefix}name",
            "text",
            "姓名",
            required=True,
            group=group,
            prefill="registry.person.name",
            validation={"min_length": 2, "max_length": 30},
        ),
        field(
            f"{prefix}id_number",
            "id_number",
            "居民身份证号码",
            required=True,
            group=group,
            prefill="registry.person.id_number",
        ),
        field(
            f"{prefix}phone",
            "phone",
            "联系电话",
            required=True,
            group=group,
            prefill="registry.person.mobile",
        ),
    ]
    if address:
        fields.append(
            field(
                f"{prefix}address",
                "address",
                "现居住地址",
                required=True,
                group=group,
                prefill="registry.person.address",
                validation={"max_length": 200},
            )
        )
    return fields


def entity():
    return [
        field(
            "entity_name",
            "text",
            "单位名称",
            required=True,
            group=ENTITY_GROUP,
            prefill="registry.entity.name",
            validation={"max_length": 100},
        ),
        field(
            "uscc",
            "uscc",
            "统一社会信用代码",
            required=True,
            group=ENTITY_GROUP,
            prefill="registry.entity.uscc",
        ),
        field(
            "legal_representative",
            "text",
            "法定代表人(负责人)",
            required=True,
            group=ENTITY_GROUP,
            prefill="registry.entity.legal_representative",
        ),
        field("contact_name", "text", "联系人", required=True, group=ENTITY_GROUP),
        field("contact_phone", "phone", "联系电话", required=True, group=ENTITY_GROUP),
    ]


def agent():
    """Whether someone applies on the applicant's behalf, and who."""
    shown = {"field": "by_agent", "equals": True}
    return [
        field("by_agent", "checkbox", "委托他人代为申请", group=AGENT_GROUP),
        field(
            "agent_name",
            "text",
            "代理人姓名",
            group=AGENT_GROUP,
            visible_if=shown,
            required_if=shown,
            validation={"max_length": 30},
        ),
        field(
            "agent_id_number",
            "id_number",
            "代理人身份证号码",
            group=AGENT_GROUP,
            visible_if=shown,
            required_if=shown,
        ),
        field(
            "agent_phone",
            "phone",
            "代理人联系电话",
            group=AGENT_GROUP,
            visible_if=shown,
            required_if=shown,
        ),
    ]


def promise(text="本人承诺所填内容和提交的材料真实、合法、有效,如有虚假愿承担法律责任"):
    return [field("promise", "checkbox", text, required=True, group="承诺")]


def delivery():
    mail = {"field": "delivery", "equals": "mail"}
    return [
        choice(
            "delivery", "结果领取方式", [("window", "窗口领取"), ("mail", "免费邮寄")], group="送达"
        ),
        field(
            "mail_address",
            "address",
            "邮寄地址",
            group="送达",
            visible_if=mail,
            required_if=mail,
            validation={"max_length": 200},
        ),
    ]


def town(label="户籍所在镇(街道)"):
    return choice("town", label, [(code, name) for name, code in TOWNS], group=APPLICANT)


def bank(group="待遇发放账户"):
    return [
        choice(
            "account_kind",
            "发放账户",
            [("social_card", "社会保障卡金融账户"), ("bank", "其他银行账户")],
            group=group,
        ),
        field(
            "bank_name",
            "text",
            "开户银行",
            group=group,
            visible_if={"field": "account_kind", "equals": "bank"},
            required_if={"field": "account_kind", "equals": "bank"},
        ),
        field(
            "bank_account",
            "text",
            "银行账号",
            group=group,
            visible_if={"field": "account_kind", "equals": "bank"},
            required_if={"field": "account_kind", "equals": "bank"},
            validation={"pattern": r"\d{12,19}"},
        ),
    ]


def form(title, *fields, description=""):
    schema = {"title": title, "fields": [f for group in fields for f in group]}
    if description:
        schema["description"] = description
    return schema
