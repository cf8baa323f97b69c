"""Application form definitions and submissions (catalog.formdefs): pure functions, no database."""

import copy

import pytest

from tongban.catalog.formdefs import (
    FIELD_TYPES,
    InvalidFormDefinition,
    clean_submission,
    validate_form_definition,
    validate_submission,
)
from tongban.errors import InvalidInput

VALID_ID = "61012419900101123X"
VALID_USCC = "91610124MA0000015H"
LETTER_USCC = "N2610124AB0000011R"  # letters in positions 1–2: allowed by GB 32100

# A business-license style form using every type, prefill and both kinds of condition.
FORM = {
    "title": "个体工商户设立登记申请表",
    "fields": [
        {
            "key": "applicant_name",
            "type": "text",
            "label": "经营者姓名",
            "required": True,
            "prefill": "registry.person.name",
            "validation": {"min_length": 2, "max_length": 20},
        },
        {
            "key": "id_number",
            "type": "id_number",
            "label": "身份证号码",
            "required": True,
            "prefill": "registry.person.id_number",
        },
        {"key": "phone", "type": "phone", "label": "联系电话", "required": True},
        {"key": "email", "type": "email", "label": "电子邮箱"},
        {
            "key": "applicant_kind",
            "type": "select",
            "label": "申请人类型",
            "required": True,
            "options": [
                {"value": "person", "label": "个人"},
                {"value": "entity", "label": "单位"},
            ],
        },
        {
            "key": "uscc",
            "type": "uscc",
            "label": "统一社会信用代码",
            "prefill": "registry.entity.uscc",
            "visible_if": {"field": "applicant_kind", "equals": "entity"},
            "required": True,
        },
        {
            "key": "capital",
            "type": "number",
            "label": "资金数额(万元)",
            "validation": {"min": 0, "max": 10000},
        },
        {
            "key": "staff",
            "type": "number",
            "label": "从业人数",
            "validation": {"min": 1, "integer": True},
        },
        {
            "key": "start_date",
            "type": "date",
            "label": "开业日期",
            "validation": {"min": "2020-01-01", "max": "2030-12-31"},
        },
        {
            "key": "scopes",
            "type": "multiselect",
            "label": "经营范围",
            "required": True,
            "options": [
                {"value": "food", "label": "食品销售"},
                {"value": "catering", "label": "餐饮服务"},
                {"value": "retail", "label": "日用百货"},
            ],
            "validation": {"max_items": 2},
        },
        {
            "key": "food_license",
            "type": "text",
            "label": "食品经营许可证编号",
            "prefill": "license.11100000000013338W032.number",
            "required_if": {"field": "scopes", "in": ["food", "catering"]},
            "validation": {"pattern": "JY\\d{14}"},
        },
        {"key": "address", "type": "address", "label": "经营场所", "required": True},
        {"key": "note", "type": "textarea", "label": "备注", "help": "其他需要说明的情况"},
        {"key": "promise", "type": "checkbox", "label": "本人承诺所填内容真实", "required": True},
    ],
}

GOOD = {
    "applicant_name": "王小明",
    "id_number": VALID_ID,
    "phone": "13912345678",
    "applicant_kind": "person",
    "scopes": ["retail"],
    "address": "周至县二曲街道文化路1号",
    "promise": True,
}


def form(**changes):
    """FORM with one field replaced or extended: ``form(capital={"validation": {...}})``."""
    schema = copy.deepcopy(FORM)
    for field in schema["fields"]:
        field.update(changes.get(field["key"], {}))
    return schema


def submit(**values):
    data = {**GOOD, **values}
    return validate_submission(FORM, {k: v for k, v in data.items() if v is not ...})


def one_field(field: dict) -> dict:
    return {"fields": [{"key": "f", "label": "字段", **field}]}


# --- definitions ------------------------------------------------------------------------


def test_the_example_form_is_valid():
    assert validate_form_definition(FORM) == {}


def test_an_empty_definition_means_no_form_and_is_valid():
    assert validate_form_definition({}) == {}
    assert validate_form_definition({"fields": []}) == {}


@pytest.mark.parametrize("field_type", sorted(FIELD_TYPES))
def test_every_type_is_accepted(field_type):
    field = {"type": field_type}
    if field_type in ("select", "multiselect"):
        field["options"] = [{"value": "a", "label": "甲"}]
    assert validate_form_definition(one_field(field)) == {}


@pytest.mark.parametrize(
    ("schema", "path", "fragment"),
    [
        ([], "", "JSON 对象"),
        ({"fields": {}}, "fields", "数组"),
        ({"fields": [], "colour": "red"}, "colour", "未知的表单属性"),
        ({"title": 3}, "title", "应为文本"),
        ({"fields": ["text"]}, "fields[0]", "JSON 对象"),
        (one_field({"type": "string"}), "fields[0].type", "字段类型“string”无效"),
        (one_field({"type": None}), "fields[0].type", "无效"),
        ({"fields": [{"key": "f", "type": "text"}]}, "fields[0].label", "字段名称"),
        (one_field({"type": "text", "label": " "}), "fields[0].label", "字段名称"),
        (one_field({"type": "text", "label": "长" * 101}), "fields[0].label", "不超过100"),
        ({"fields": [{"type": "text", "label": "甲"}]}, "fields[0].key", "字段代码"),
        (one_field({"type": "text", "key": "Name"}), "fields[0].key", "小写字母"),
        (one_field({"type": "text", "key": "1a"}), "fields[0].key", "小写字母"),
        (one_field({"type": "text", "key": "a-b"}), "fields[0].key", "小写字母"),
        (one_field({"type": "text", "required": "yes"}), "fields[0].required", "true 或 false"),
        (one_field({"type": "text", "colour": "red"}), "fields[0].colour", "未知的字段属性"),
        (one_field({"type": "text", "help": 5}), "fields[0].help", "文本"),
        (one_field({"type": "select"}), "fields[0].options", "至少要有一个选项"),
        (one_field({"type": "multiselect", "options": []}), "fields[0].options", "至少"),
        (
            one_field({"type": "text", "options": [{"value": "a", "label": "甲"}]}),
            "fields[0].options",
            "只有单选、多选字段",
        ),
        (one_field({"type": "select", "options": ["a"]}), "fields[0].options[0]", "value"),
        (
            one_field({"type": "select", "options": [{"value": "", "label": "甲"}]}),
            "fields[0].options[0].value",
            "选项值",
        ),
        (
            one_field({"type": "select", "options": [{"value": "a"}]}),
            "fields[0].options[0].label",
            "选项名称",
        ),
        (
            one_field(
                {
                    "type": "select",
                    "options": [{"value": "a", "label": "甲"}, {"value": "a", "label": "乙"}],
                }
            ),
            "fields[0].options[1].value",
            "重复",
        ),
        (one_field({"type": "text", "validation": []}), "fields[0].validation", "JSON 对象"),
        (
            one_field({"type": "text", "validation": {"min": 1}}),
            "fields[0].validation.min",
            "不支持校验规则“min”",
        ),
        (
            one_field({"type": "number", "validation": {"pattern": "x"}}),
            "fields[0].validation.pattern",
            "不支持",
        ),
        (
            one_field({"type": "id_number", "validation": {"max_length": 18}}),
            "fields[0].validation.max_length",
            "不支持",
        ),
        (
            one_field({"type": "text", "validation": {"max_length": -1}}),
            "fields[0].validation.max_length",
            "非负整数",
        ),
        (
            one_field({"type": "text", "validation": {"max_length": True}}),
            "fields[0].validation.max_length",
            "非负整数",
        ),
        (
            one_field({"type": "text", "validation": {"min_length": 5, "max_length": 2}}),
            "fields[0].validation.min_length",
            "不能大于",
        ),
        (
            one_field({"type": "text", "validation": {"pattern": "(a"}}),
            "fields[0].validation.pattern",
            "正则表达式无效",
        ),
        (
            one_field({"type": "number", "validation": {"min": "1"}}),
            "fields[0].validation.min",
            "应为数字",
        ),
        (
            one_field({"type": "number", "validation": {"min": 5, "max": 1}}),
            "fields[0].validation.min",
            "最小值不能大于最大值",
        ),
        (
            one_field({"type": "number", "validation": {"integer": 1}}),
            "fields[0].validation.integer",
            "true 或 false",
        ),
        (
            one_field({"type": "date", "validation": {"max": "2026-02-30"}}),
            "fields[0].validation.max",
            "日期",
        ),
        (
            one_field({"type": "date", "validation": {"min": "2027-01-01", "max": "2026-01-01"}}),
            "fields[0].validation.min",
            "最小值不能大于最大值",
        ),
        (
            one_field(
                {
                    "type": "multiselect",
                    "options": [{"value": "a", "label": "甲"}],
                    "validation": {"min_items": 3, "max_items": 1},
                }
            ),
            "fields[0].validation.min_items",
            "不能大于",
        ),
    ],
)
def test_a_wrong_definition_is_reported_at_its_path(schema, path, fragment):
    errors = validate_form_definition(schema)
    assert path in errors, errors
    assert any(fragment in message for message in errors[path]), errors[path]


def test_duplicate_keys_are_reported_on_the_second_field():
    schema = {
        "fields": [
            {"key": "name", "type": "text", "label": "姓名"},
            {"key": "name", "type": "text", "label": "名称"},
        ]
    }
    assert validate_form_definition(schema) == {
        "fields[1].key": ["字段代码“name”重复 / duplicate key"]
    }


def test_every_error_of_a_definition_is_reported_at_once():
    schema = {
        "fields": [
            {"key": "a", "type": "bogus", "label": "甲"},
            {"key": "b", "type": "select", "label": ""},
        ]
    }
    assert set(validate_form_definition(schema)) == {
        "fields[0].type",
        "fields[1].label",
        "fields[1].options",
    }


def test_messages_are_chinese_then_english():
    errors = validate_form_definition(one_field({"type": "bogus"}))
    (message,) = errors["fields[0].type"]
    assert message.startswith("字段类型“bogus”无效") and " / unknown type" in message


@pytest.mark.parametrize(
    "prefill",
    [
        "registry.person.name",
        "registry.person.id_number",
        "registry.entity.uscc",
        "registry.entity.legal_representative",
        "license.11100000000013338W032.number",
        "license.11100000000013338W032.holder_name",
    ],
)
def test_prefill_sources_in_the_documented_forms_are_accepted(prefill):
    assert validate_form_definition(one_field({"type": "text", "prefill": prefill})) == {}


@pytest.mark.parametrize(
    "prefill",
    [
        "",
        "registry.person",
        "registry.company.name",
        "registry.person.Name",
        "registry.person.name.first",
        "license..number",
        "license.11100000000013338W032",
        "license.111000000000133380032.",
        "license.11100000000013338O032.number",  # O is not in the code alphabet
        "person.name",
        "Registry.person.name",
        3,
    ],
)
def test_prefill_with_bad_syntax_is_refused(prefill):
    errors = validate_form_definition(one_field({"type": "text", "prefill": prefill}))
    assert list(errors) == ["fields[0].prefill"]
    assert "registry.person.<字段>" in errors["fields[0].prefill"][0]


def _two(condition_name, condition, first=None):
    first = first or {
        "key": "kind",
        "type": "select",
        "label": "类型",
        "options": [{"value": "a", "label": "甲"}, {"value": "b", "label": "乙"}],
    }
    return {
        "fields": [
            first,
            {"key": "detail", "type": "text", "label": "说明", condition_name: condition},
        ]
    }


@pytest.mark.parametrize("condition_name", ["visible_if", "required_if"])
@pytest.mark.parametrize(
    ("condition", "path", "fragment"),
    [
        ({"field": "nowhere", "equals": "a"}, ".field", "不存在的字段“nowhere”"),
        ({"field": "detail", "equals": "a"}, ".field", "字段本身"),
        ({"field": "kind"}, "", "{field, equals}"),
        ({"field": "kind", "equals": "a", "in": ["a"]}, "", "{field, equals}"),
        ({"field": "kind", "equals": "a", "not": "b"}, "", "{field, equals}"),
        ("kind == a", "", "{field, equals}"),
        ({"field": "kind", "in": []}, ".in", "非空数组"),
        ({"field": "kind", "in": "a"}, ".in", "非空数组"),
        ({"field": "kind", "equals": "c"}, ".equals", "不是字段“kind”的选项"),
        ({"field": "kind", "in": ["a", "z"]}, ".in", "z 不是字段“kind”的选项"),
    ],
)
def test_a_wrong_condition_is_reported(condition_name, condition, path, fragment):
    errors = validate_form_definition(_two(condition_name, condition))
    where = f"fields[1].{condition_name}{path}"
    assert where in errors, errors
    assert any(fragment in message for message in errors[where])


def test_a_condition_on_a_checkbox_takes_true_or_false():
    checkbox = {"key": "kind", "type": "checkbox", "label": "已婚"}
    assert (
        validate_form_definition(_two("visible_if", {"field": "kind", "equals": True}, checkbox))
        == {}
    )
    errors = validate_form_definition(
        _two("visible_if", {"field": "kind", "equals": "yes"}, checkbox)
    )
    assert "true 或 false" in errors["fields[1].visible_if.equals"][0]


def test_a_condition_may_name_a_later_field():
    schema = {
        "fields": [
            {
                "key": "detail",
                "type": "text",
                "label": "说明",
                "visible_if": {"field": "n", "equals": 2},
            },
            {"key": "n", "type": "number", "label": "数量"},
        ]
    }
    assert validate_form_definition(schema) == {}


def test_circular_visibility_is_refused():
    schema = {
        "fields": [
            {
                "key": "a",
                "type": "text",
                "label": "甲",
                "visible_if": {"field": "c", "equals": "x"},
            },
            {
                "key": "b",
                "type": "text",
                "label": "乙",
                "visible_if": {"field": "a", "equals": "x"},
            },
            {
                "key": "c",
                "type": "text",
                "label": "丙",
                "visible_if": {"field": "b", "equals": "x"},
            },
        ]
    }
    errors = validate_form_definition(schema)
    assert list(errors) == ["fields[0].visible_if"]
    assert "显示条件循环引用" in errors["fields[0].visible_if"][0]


def test_required_and_required_if_exclude_each_other():
    schema = _two("required_if", {"field": "kind", "equals": "a"})
    assert validate_form_definition(schema) == {}
    schema["fields"][1]["required"] = True
    assert "fields[1].required_if" in validate_form_definition(schema)


# --- submissions ------------------------------------------------------------------------


def test_a_complete_submission_has_no_errors():
    assert submit() == {}


def test_a_submission_is_checked_field_by_field():
    errors = submit(applicant_name="王", phone="123", scopes=["food", "nope"], promise=False)
    assert errors == {
        "applicant_name": ["至少2个字符,当前1个 / at least 2 characters"],
        "phone": [
            "请填写11位手机号码或带区号的固定电话,例如 13912345678、029-87654321"
            " / a mainland mobile or landline number"
        ],
        "scopes": ["请从给定的选项中选择 / not one of the options"],
        "promise": ["请勾选“本人承诺所填内容真实” / must be ticked"],
    }


@pytest.mark.parametrize(
    "missing", ["applicant_name", "id_number", "phone", "applicant_kind", "scopes", "address"]
)
def test_a_missing_required_field_is_named(missing):
    errors = submit(**{missing: ...})
    assert list(errors) == [missing]
    assert errors[missing][0].startswith(("请填写", "请选择"))


@pytest.mark.parametrize("empty", [None, "", "   ", []])
def test_empty_values_count_as_missing(empty):
    errors = submit(address=empty) if empty != [] else submit(scopes=empty)
    assert len(errors) == 1


def test_unknown_submitted_keys_are_rejected():
    assert submit(shoe_size=42) == {"shoe_size": ["表单中没有此项 / unknown field"]}


def test_a_submission_to_a_form_without_fields_accepts_nothing():
    assert validate_submission({}, {}) == {}
    assert validate_submission({}, {"x": 1}) == {"x": ["表单中没有此项 / unknown field"]}


def test_a_submission_that_is_not_an_object_is_refused():
    assert list(validate_submission(FORM, ["王小明"])) == [""]


def test_a_wrong_definition_is_a_programming_error_not_a_user_error():
    with pytest.raises(InvalidFormDefinition):
        validate_submission(one_field({"type": "bogus"}), {})


@pytest.mark.parametrize(
    "number",
    [
        VALID_ID,
        VALID_ID.lower(),
        "11010519491231002X",  # GB 11643 example
        "440524188001010014",  # GB 11643 example; its address code predates stdnum's table
        " 11010519491231002x ",
    ],
)
def test_valid_id_numbers_are_accepted(number):
    assert submit(id_number=number) == {}


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("61012419900101123", "应为18位,当前为17位"),
        ("6101241990010112345", "当前为19位"),
        ("61012419900101123Y", "前17位应为数字"),
        ("6101241990010112AX", "前17位应为数字"),
        ("610124199001011230", "校验位错误"),
        ("610124199002301239", "出生日期无效"),  # 30 February
        ("61012420991231123X", "出生日期无效"),  # in the future
        ("990124199001011235", "省级行政区划代码"),
    ],
)
def test_wrong_id_numbers_say_why(number, fragment):
    errors = submit(id_number=number)
    assert list(errors) == ["id_number"]
    assert fragment in errors["id_number"][0]


@pytest.mark.parametrize(
    "code", [VALID_USCC, VALID_USCC.lower(), LETTER_USCC, "91610124MA0000015H "]
)
def test_credit_codes_the_standard_allows_are_accepted(code):
    assert submit(applicant_kind="entity", uscc=code) == {}


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91610124MA0000015", "应为18位"),
        ("91610124MA000001OH", "不允许的字符"),
        ("9161A124MA0000015H", "第3至8位"),
        ("91610124MA0000015J", "校验位错误"),
    ],
)
def test_wrong_credit_codes_say_why(code, fragment):
    errors = submit(applicant_kind="entity", uscc=code)
    assert list(errors) == ["uscc"]
    assert fragment in errors["uscc"][0]


@pytest.mark.parametrize(
    "phone",
    [
        "13912345678",
        "19912345678",
        "+8613912345678",
        "+86 139 1234 5678",
        "029-87654321",
        "02987654321",
        "(029)87654321",
        "0917-3212345",
        "029-87654321-801",
    ],
)
def test_mainland_mobile_and_landline_numbers_are_accepted(phone):
    assert submit(phone=phone) == {}


@pytest.mark.parametrize(
    "phone",
    [
        "12912345678",
        "1391234567",
        "139123456789",
        "87654321",
        "029-1234567",
        "phone",
        "+1 555 0100",
    ],
)
def test_other_phone_numbers_are_refused(phone):
    assert list(submit(phone=phone)) == ["phone"]


@pytest.mark.parametrize(
    ("email", "ok"), [("a@example.cn", True), ("a@", False), ("a b@c.cn", False)]
)
def test_email_addresses_are_checked(email, ok):
    assert (submit(email=email) == {}) is ok


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (12.5, None),
        ("12.5", None),
        (0, None),
        (10000, None),
        (-1, "不能小于0 / must be at least 0"),
        (10001, "不能大于10000 / must be at most 10000"),
        ("many", "应为数字 / must be a number"),
        ("NaN", "应为数字 / must be a number"),
        (True, "应为数字 / must be a number"),
    ],
)
def test_numbers_are_checked_against_their_range(value, message):
    errors = submit(capital=value)
    assert errors == ({} if message is None else {"capital": [message]})


def test_integer_numbers_refuse_fractions():
    assert submit(staff=3) == {}
    assert submit(staff="3") == {}
    assert submit(staff=2.5) == {"staff": ["应为整数 / must be a whole number"]}
    assert submit(staff=0) == {"staff": ["不能小于1 / must be at least 1"]}


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("2026-01-31", None),
        ("2026-02-30", "YYYY-MM-DD"),
        ("2026/01/31", "YYYY-MM-DD"),
        ("2019-12-31", "不能早于2020-01-01"),
        ("2031-01-01", "不能晚于2030-12-31"),
        (20260131, "应为文本"),
    ],
)
def test_dates_are_iso_and_within_their_range(value, fragment):
    errors = submit(start_date=value)
    if fragment is None:
        assert errors == {}
    else:
        assert fragment in errors["start_date"][0]


def test_select_takes_one_option_value():
    assert submit(applicant_kind="company") == {
        "applicant_kind": ["请从给定的选项中选择 / not one of the options"]
    }
    assert list(submit(applicant_kind=["person"])) == ["applicant_kind"]


def test_multiselect_takes_distinct_option_values_within_its_limits():
    assert submit(scopes=["retail", "retail"]) == {
        "scopes": ["选项重复 / an option is chosen twice"]
    }
    assert submit(scopes="retail") == {
        "scopes": ["应为选项值的数组 / must be a list of option values"]
    }
    assert submit(scopes=["retail", "food", "catering"], food_license="JY12345678901234") == {
        "scopes": ["最多选择2项 / choose at most 2"]
    }


def test_checkbox_takes_true_or_false():
    assert submit(promise="yes") == {
        "promise": ["应为勾选(true)或不勾选(false) / must be true or false"]
    }


def test_text_pattern_and_length_are_checked():
    assert submit(scopes=["food"], food_license="JY12345678901234") == {}
    assert submit(scopes=["food"], food_license="JY123") == {
        "food_license": ["格式不正确 / wrong format"]
    }
    assert submit(applicant_name="王" * 21) == {
        "applicant_name": ["不能超过20个字符,当前21个 / at most 20 characters"]
    }
    assert submit(applicant_name=["王小明"]) == {"applicant_name": ["应为文本 / must be text"]}


def test_a_field_hidden_by_its_condition_is_not_required():
    assert submit(applicant_kind="person", uscc=...) == {}


def test_a_visible_conditional_field_is_required():
    assert submit(applicant_kind="entity") == {"uscc": ["请填写统一社会信用代码 / required"]}


def test_a_hidden_field_must_be_left_empty():
    errors = submit(applicant_kind="person", uscc=VALID_USCC)
    assert list(errors) == ["uscc"]
    assert "无需填写" in errors["uscc"][0]
    assert submit(applicant_kind="person", uscc="") == {}


def test_required_if_on_a_multiselect_holds_when_any_value_is_chosen():
    assert submit(scopes=["retail"]) == {}
    assert submit(scopes=["retail", "catering"]) == {
        "food_license": ["请填写食品经营许可证编号 / required"]
    }


def test_a_field_under_a_hidden_field_is_hidden_too():
    schema = {
        "fields": [
            {"key": "married", "type": "checkbox", "label": "已婚"},
            {
                "key": "spouse_kind",
                "type": "select",
                "label": "配偶国籍",
                "options": [{"value": "cn", "label": "中国"}, {"value": "other", "label": "其他"}],
                "visible_if": {"field": "married", "equals": True},
            },
            {
                "key": "passport",
                "type": "text",
                "label": "配偶护照号",
                "required": True,
                "visible_if": {"field": "spouse_kind", "equals": "other"},
            },
        ]
    }
    assert validate_submission(schema, {"married": True, "spouse_kind": "other"}) == {
        "passport": ["请填写配偶护照号 / required"]
    }
    # Not married: spouse_kind is hidden, so passport is hidden even though spouse_kind says other.
    assert validate_submission(schema, {"married": False}) == {}


def test_number_conditions_compare_by_value():
    schema = {
        "fields": [
            {"key": "n", "type": "number", "label": "子女数"},
            {
                "key": "why",
                "type": "text",
                "label": "说明",
                "required_if": {"field": "n", "in": [3, 4]},
            },
        ]
    }
    assert validate_submission(schema, {"n": "3"}) == {"why": ["请填写说明 / required"]}
    assert validate_submission(schema, {"n": 2}) == {}


def test_clean_submission_returns_the_stored_form():
    cleaned = clean_submission(
        FORM,
        {
            **GOOD,
            "id_number": VALID_ID.lower(),
            "applicant_kind": "entity",
            "uscc": " 91610124ma0000015h",
            "staff": "3",
            "capital": "12.5",
            "phone": "+86 139 1234 5678",
            "scopes": ["retail", "food"],
            "food_license": "JY12345678901234",
            "note": "",
        },
    )
    assert cleaned["id_number"] == VALID_ID
    assert cleaned["uscc"] == VALID_USCC
    assert cleaned["staff"] == 3 and cleaned["capital"] == 12.5
    assert cleaned["phone"] == "+8613912345678"
    assert cleaned["scopes"] == ["food", "retail"]  # option order
    assert cleaned["note"] is None and cleaned["email"] is None


def test_clean_submission_drops_hidden_fields_and_raises_with_the_field_errors():
    assert "uscc" not in clean_submission(FORM, GOOD)
    with pytest.raises(InvalidInput) as caught:
        clean_submission(FORM, {**GOOD, "phone": "1"})
    assert list(caught.value.fields) == ["phone"]
