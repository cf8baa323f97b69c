"""Application form definitions (申请表单定义): the fields an applicant fills, stored as data.

A guide version carries its form in ``Guide.form_schema``; the format is documented for
catalog managers in ``docs/catalog/forms.md``. In short::

    {"title": "…", "fields": [
        {"key": "applicant_name", "type": "text", "label": "申请人姓名", "required": true,
         "prefill": "registry.person.name", "validation": {"max_length": 50}},
        {"key": "kind", "type": "select", "label": "申请类型", "required": true,
         "options": [{"value": "new", "label": "首次申领"},
                     {"value": "lost", "label": "遗失补领"}]},
        {"key": "lost_note", "type": "textarea", "label": "遗失情况说明",
         "visible_if": {"field": "kind", "equals": "lost"}, "required": true}]}

Two pure functions, no database: ``validate_form_definition`` checks a definition before it is
saved or published; ``validate_submission`` checks what an applicant submitted against it, and
``clean_submission`` returns the submitted values in their stored form (ID numbers upper case,
numbers as numbers, hidden fields dropped). Every message is "中文 / English".
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from stdnum import numdb
from stdnum.cn import ric

from tongban.core import clock
from tongban.errors import InvalidInput
from tongban.org.validators import normalize_uscc, validate_uscc

FIELD_TYPES = {
    "text": "单行文本",
    "textarea": "多行文本",
    "number": "数字",
    "date": "日期",
    "select": "单选",
    "multiselect": "多选",
    "checkbox": "勾选框",
    "id_number": "居民身份证号码",
    "uscc": "统一社会信用代码",
    "phone": "联系电话",
    "email": "电子邮箱",
    "address": "地址",
}
CHOICE_TYPES = frozenset({"select", "multiselect"})
# Validation keys each type accepts; the built-in checks of id_number, uscc, phone and email
# need none.
VALIDATION_KEYS = {
    "text": {"min_length", "max_length", "pattern"},
    "textarea": {"min_length", "max_length", "pattern"},
    "address": {"min_length", "max_length", "pattern"},
    "number": {"min", "max", "integer"},
    "date": {"min", "max"},
    "select": set(),
    "multiselect": {"min_items", "max_items"},
    "checkbox": set(),
    "id_number": set(),
    "uscc": set(),
    "phone": set(),
    "email": set(),
}
SCHEMA_KEYS = frozenset({"title", "description", "fields"})
FIELD_KEYS = frozenset(
    {
        "key",
        "type",
        "label",
        "required",
        "help",
        "group",
        "options",
        "validation",
        "visible_if",
        "required_if",
        "prefill",
    }
)
CONDITION_KEYS = ("visible_if", "required_if")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
# Where a value can be filled in from: the population or entity registry, or a field of an
# e-license by its license type code (GB/T 36903; the defining authority's USCC + a sequence).
PREFILL_PATTERN = re.compile(
    r"^(registry\.(person|entity)\.[a-z][a-z0-9_]*"
    r"|license\.[0-9A-HJ-NPQRTUWXY]{4,40}\.[a-z][a-z0-9_]*)$"
)
MAX_LABEL = 100
MAX_HELP = 500
MAX_TEXT = 10_000
MOBILE = re.compile(r"^(?:\+?86[- ]?)?1[3-9]\d{9}$")
LANDLINE = re.compile(r"^(?:\(0\d{2,3}\)|0\d{2,3}-?)[2-9]\d{6,7}(?:-\d{1,6})?$")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class InvalidFormDefinition(ValueError):
    """A submission was checked against a definition that is itself wrong (a caller's bug:
    published guides always carry a valid one)."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{path}: {', '.join(m)}" for path, m in errors.items()))


# --- the definition ---------------------------------------------------------------------


def validate_form_definition(schema) -> dict[str, list[str]]:
    """Errors of a form definition by path (``fields[2].options``); empty when it is valid.

    An empty dict (no form) is valid.
    """
    errors: dict[str, list[str]] = {}

    def add(path: str, message: str) -> None:
        errors.setdefault(path, []).append(message)

    if not isinstance(schema, dict):
        add("", "表单定义应为 JSON 对象 / the form definition must be an object")
        return errors
    for name in sorted(set(schema) - SCHEMA_KEYS):
        add(name, f"未知的表单属性“{name}” / unknown property")
    for name in ("title", "description"):
        if name in schema and not isinstance(schema[name], str):
            add(name, "应为文本 / must be text")
    fields = schema.get("fields", [])
    if not isinstance(fields, list):
        add("fields", "字段列表应为数组 / fields must be a list")
        return errors

    by_key: dict[str, dict] = {}
    for index, field in enumerate(fields):
        path = f"fields[{index}]"
        if not isinstance(field, dict):
            add(path, "字段定义应为 JSON 对象 / a field must be an object")
            continue
        key = field.get("key")
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            add(
                f"{path}.key",
                "字段代码应以小写字母开头,只含小写字母、数字和下划线,不超过50个字符"
                " / key: a lower-case letter, then letters, digits or _ (at most 50)",
            )
        elif key in by_key:
            add(f"{path}.key", f"字段代码“{key}”重复 / duplicate key")
        else:
            by_key[key] = field
        _check_field(field, path, add)

    for index, field in enumerate(fields):
        if isinstance(field, dict):
            _check_conditions(field, f"fields[{index}]", by_key, add)
    _check_visibility_cycles(fields, by_key, add)
    return errors


def _check_field(field: dict, path: str, add) -> None:
    for name in sorted(set(field) - FIELD_KEYS):
        add(f"{path}.{name}", f"未知的字段属性“{name}” / unknown property")
    field_type = field.get("type")
    if field_type not in FIELD_TYPES:
        allowed = "、".join(FIELD_TYPES)
        add(
            f"{path}.type",
            f"字段类型“{field_type}”无效,可选:{allowed} / unknown type, allowed: {allowed}",
        )
    label = field.get("label")
    if not isinstance(label, str) or not label.strip():
        add(f"{path}.label", "请填写字段名称(中文) / the label is required")
    elif len(label) > MAX_LABEL:
        add(f"{path}.label", f"字段名称不超过{MAX_LABEL}个字符 / label too long")
    if "required" in field and not isinstance(field["required"], bool):
        add(f"{path}.required", "应为 true 或 false / must be true or false")
    if field.get("required") is True and "required_if" in field:
        add(
            f"{path}.required_if",
            "已设为必填,不能再设置条件必填 / required and required_if exclude each other",
        )
    for name, limit in (("help", MAX_HELP), ("group", MAX_LABEL)):
        if name in field and (not isinstance(field[name], str) or len(field[name]) > limit):
            add(f"{path}.{name}", f"应为不超过{limit}个字符的文本 / text of at most {limit}")
    if "prefill" in field:
        prefill = field["prefill"]
        if not isinstance(prefill, str) or not PREFILL_PATTERN.match(prefill):
            add(
                f"{path}.prefill",
                "预填来源格式应为 registry.person.<字段>、registry.entity.<字段>"
                "或 license.<证照类型代码>.<字段> / prefill must be registry.person.<field>,"
                " registry.entity.<field> or license.<type code>.<field>",
            )
    if field_type in FIELD_TYPES:
        _check_options(field, field_type, path, add)
        _check_validation(field, field_type, path, add)


def _check_options(field: dict, field_type: str, path: str, add) -> None:
    options = field.get("options")
    if field_type not in CHOICE_TYPES:
        if options is not None:
            add(
                f"{path}.options",
                "只有单选、多选字段可以设置选项 / only select fields have options",
            )
        return
    if not isinstance(options, list) or not options:
        add(f"{path}.options", "单选、多选字段至少要有一个选项 / options are required")
        return
    seen = set()
    for index, option in enumerate(options):
        where = f"{path}.options[{index}]"
        if not isinstance(option, dict) or set(option) - {"value", "label"}:
            add(where, "选项应为 {value, label} / an option is {value, label}")
            continue
        value, label = option.get("value"), option.get("label")
        if not isinstance(value, str) or not value.strip():
            add(f"{where}.value", "请填写选项值 / the value is required")
        elif value in seen:
            add(f"{where}.value", f"选项值“{value}”重复 / duplicate value")
        else:
            seen.add(value)
        if not isinstance(label, str) or not label.strip():
            add(f"{where}.label", "请填写选项名称 / the label is required")


def _check_validation(field: dict, field_type: str, path: str, add) -> None:
    if "validation" not in field:
        return
    rules = field["validation"]
    where = f"{path}.validation"
    if not isinstance(rules, dict):
        add(where, "校验规则应为 JSON 对象 / validation must be an object")
        return
    allowed = VALIDATION_KEYS[field_type]
    for name in sorted(set(rules) - allowed):
        add(
            f"{where}.{name}",
            f"“{FIELD_TYPES[field_type]}”字段不支持校验规则“{name}” / not allowed for {field_type}",
        )
    bounds = {}
    for low, high in (("min_length", "max_length"), ("min_items", "max_items")):
        for name in (low, high):
            if name in rules and name in allowed:
                value = rules[name]
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    add(f"{where}.{name}", "应为非负整数 / must be a whole number ≥ 0")
                else:
                    bounds[name] = value
        if low in bounds and high in bounds and bounds[low] > bounds[high]:
            add(f"{where}.{low}", f"{low} 不能大于 {high} / {low} exceeds {high}")
    if "pattern" in rules and "pattern" in allowed:
        pattern = rules["pattern"]
        try:
            re.compile(pattern)
        except (re.error, TypeError):
            add(f"{where}.pattern", "正则表达式无效 / not a valid regular expression")
    if field_type == "number":
        _check_range(rules, where, add, _as_number_bound, "应为数字 / must be a number")
        if "integer" in rules and not isinstance(rules["integer"], bool):
            add(f"{where}.integer", "应为 true 或 false / must be true or false")
    if field_type == "date":
        _check_range(rules, where, add, _as_date, "应为日期 YYYY-MM-DD / must be a date")


def _check_range(rules: dict, where: str, add, parse, message: str) -> None:
    parsed = {}
    for name in ("min", "max"):
        if name in rules:
            value = parse(rules[name])
            if value is None:
                add(f"{where}.{name}", message)
            else:
                parsed[name] = value
    if len(parsed) == 2 and parsed["min"] > parsed["max"]:
        add(f"{where}.min", "最小值不能大于最大值 / min exceeds max")


def _as_number_bound(value):
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return Decimal(str(value))


def _check_conditions(field: dict, path: str, by_key: dict, add) -> None:
    for name in CONDITION_KEYS:
        if name not in field:
            continue
        condition = field[name]
        where = f"{path}.{name}"
        shape = "条件应为 {field, equals} 或 {field, in} / a condition is {field, equals|in}"
        if not isinstance(condition, dict) or set(condition) - {"field", "equals", "in"}:
            add(where, shape)
            continue
        if ("equals" in condition) == ("in" in condition):
            add(where, shape)
            continue
        other = condition.get("field")
        if other == field.get("key"):
            add(f"{where}.field", "条件不能引用字段本身 / a field cannot depend on itself")
            continue
        if not isinstance(other, str) or other not in by_key:
            add(f"{where}.field", f"条件引用了不存在的字段“{other}” / unknown field")
            continue
        operator = "equals" if "equals" in condition else "in"
        values = [condition["equals"]] if operator == "equals" else condition["in"]
        if not isinstance(values, list) or not values:
            add(f"{where}.in", "in 应为非空数组 / in must be a non-empty list")
            continue
        _check_condition_values(by_key[other], values, f"{where}.{operator}", add)


def _check_condition_values(target: dict, values: list, where: str, add) -> None:
    target_type = target.get("type")
    if target_type in CHOICE_TYPES:
        known = {o.get("value") for o in target.get("options") or [] if isinstance(o, dict)}
        unknown = [v for v in values if v not in known]
        if unknown:
            shown = "、".join(str(v) for v in unknown)
            add(
                where,
                f"条件取值 {shown} 不是字段“{target['key']}”的选项 / not an option of that field",
            )
    elif target_type == "checkbox":
        if any(not isinstance(v, bool) for v in values):
            add(where, "勾选框的条件取值应为 true 或 false / must be true or false")
    elif any(v is None or isinstance(v, dict | list) for v in values):
        add(where, "条件取值应为文本或数字 / must be text or a number")


def _check_visibility_cycles(fields: list, by_key: dict, add) -> None:
    """visible_if chains must end: a field is shown only when the field it names is shown."""
    parent = {
        key: field["visible_if"]["field"]
        for key, field in by_key.items()
        if isinstance(field.get("visible_if"), dict)
        and isinstance(field["visible_if"].get("field"), str)
        and field["visible_if"].get("field") in by_key
        and field["visible_if"].get("field") != key
    }
    index = {id(field): i for i, field in enumerate(fields)}
    reported = set()
    for start in parent:
        seen = []
        key = start
        while key in parent and key not in seen:
            seen.append(key)
            key = parent[key]
        if key in seen:
            cycle = seen[seen.index(key) :]
            if not reported & set(cycle):
                reported.update(cycle)
                first = min(cycle, key=lambda k: index[id(by_key[k])])
                add(
                    f"fields[{index[id(by_key[first])]}].visible_if",
                    "显示条件循环引用:" + " → ".join([*cycle, cycle[0]]) + " / circular visible_if",
                )


# --- a submission -----------------------------------------------------------------------


def validate_submission(schema: dict, data) -> dict[str, list[str]]:
    """Errors of submitted values by field key; empty when the submission is acceptable.

    Rules: unknown keys are rejected; a field hidden by ``visible_if`` must be left empty and is
    never required; a visible field is required when ``required`` is true or its
    ``required_if`` holds; a required checkbox must be ticked.
    """
    return _clean(schema, data)[1]


def clean_submission(schema: dict, data) -> dict:
    """The submission in its stored form, or ``InvalidInput`` with the field errors.

    Visible fields only, each in its normal form: ID numbers and credit codes upper case
    without spaces, numbers as ``int``/``float``, dates as ISO text, empty values as ``None``.
    """
    cleaned, errors = _clean(schema, data)
    if errors:
        raise InvalidInput(fields=errors)
    return cleaned


def _clean(schema: dict, data) -> tuple[dict, dict[str, list[str]]]:
    definition_errors = validate_form_definition(schema)
    if definition_errors:
        raise InvalidFormDefinition(definition_errors)
    if not isinstance(data, dict):
        return {}, {"": ["提交的内容应为 JSON 对象 / the submission must be an object"]}
    fields = {field["key"]: field for field in schema.get("fields", [])}
    errors: dict[str, list[str]] = {}
    for key in data:
        if key not in fields:
            errors[str(key)] = ["表单中没有此项 / unknown field"]

    values: dict = {}
    for key, field in fields.items():
        value, message = _clean_value(field, data.get(key))
        values[key] = value
        if message:
            errors[key] = [message]

    cleaned = {}
    for key, field in fields.items():
        if key in errors:
            continue
        value = values[key]
        if not _visible(field, fields, values):
            if not _is_empty(value):
                errors[key] = [
                    "根据您已填写的内容,此项无需填写,请清空 / this field does not apply here"
                ]
            continue
        if _is_empty(value):
            if _required(field, fields, values):
                errors[key] = [_required_message(field)]
            cleaned[key] = None
        else:
            cleaned[key] = value
    return cleaned, errors


def _visible(field: dict, fields: dict, values: dict, depth: int = 0) -> bool:
    condition = field.get("visible_if")
    if condition is None:
        return True
    other = fields[condition["field"]]
    if depth > len(fields) or not _visible(other, fields, values, depth + 1):
        return False
    return _holds(condition, other, values.get(other["key"]))


def _required(field: dict, fields: dict, values: dict) -> bool:
    if field.get("required") is True:
        return True
    condition = field.get("required_if")
    if condition is None:
        return False
    other = fields[condition["field"]]
    return _visible(other, fields, values) and _holds(condition, other, values.get(other["key"]))


def _holds(condition: dict, other: dict, value) -> bool:
    wanted = [condition["equals"]] if "equals" in condition else condition["in"]
    if other["type"] == "checkbox":
        return bool(value) in wanted
    if _is_empty(value):
        return False
    if other["type"] == "multiselect":
        return any(v in value for v in wanted)
    return any(_same(value, w) for w in wanted)


def _same(value, wanted) -> bool:
    if isinstance(value, int | float) and not isinstance(wanted, bool):
        try:
            return Decimal(str(value)) == Decimal(str(wanted))
        except InvalidOperation:
            return False
    return value == wanted


def _is_empty(value) -> bool:
    return value is None or value is False or value == "" or value == []


def _required_message(field: dict) -> str:
    if field["type"] == "checkbox":
        return f"请勾选“{field['label']}” / must be ticked"
    if field["type"] in CHOICE_TYPES:
        return f"请选择{field['label']} / required"
    return f"请填写{field['label']} / required"


def _clean_value(field: dict, value) -> tuple[object, str | None]:
    """The normal form of one submitted value and the message when it is wrong."""
    if value is None:
        return None, None
    field_type = field["type"]
    if field_type == "checkbox":
        if not isinstance(value, bool):
            return None, "应为勾选(true)或不勾选(false) / must be true or false"
        return value, None
    if field_type == "multiselect":
        return _clean_multiselect(field, value)
    if field_type == "number":
        return _clean_number(field, value)
    if not isinstance(value, str):
        return None, "应为文本 / must be text"
    value = value.strip()
    if value == "":
        return "", None
    cleaner = {
        "date": _clean_date,
        "select": _clean_select,
        "id_number": _clean_id_number,
        "uscc": _clean_uscc,
        "phone": _clean_phone,
        "email": _clean_email,
    }.get(field_type, _clean_text)
    return cleaner(field, value)


def _clean_text(field: dict, value: str):
    rules = field.get("validation", {})
    limit = rules.get("max_length", MAX_TEXT)
    if len(value) > limit:
        return None, f"不能超过{limit}个字符,当前{len(value)}个 / at most {limit} characters"
    if len(value) < rules.get("min_length", 0):
        low = rules["min_length"]
        return None, f"至少{low}个字符,当前{len(value)}个 / at least {low} characters"
    if "pattern" in rules and not re.fullmatch(rules["pattern"], value):
        return None, "格式不正确 / wrong format"
    return value, None


def _clean_number(field: dict, value):
    rules = field.get("validation", {})
    if isinstance(value, bool):
        return None, "应为数字 / must be a number"
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return "", None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None, "应为数字 / must be a number"
    if not number.is_finite():
        return None, "应为数字 / must be a number"
    if rules.get("integer") and number != number.to_integral_value():
        return None, "应为整数 / must be a whole number"
    if "min" in rules and number < Decimal(str(rules["min"])):
        return None, f"不能小于{rules['min']} / must be at least {rules['min']}"
    if "max" in rules and number > Decimal(str(rules["max"])):
        return None, f"不能大于{rules['max']} / must be at most {rules['max']}"
    if number == number.to_integral_value():
        return int(number), None
    return float(number), None


def _as_date(value) -> datetime.date | None:
    if not isinstance(value, str) or not DATE_PATTERN.match(value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _clean_date(field: dict, value: str):
    day = _as_date(value)
    if day is None:
        return None, "日期格式应为 YYYY-MM-DD,例如 2026-01-31 / must be a date YYYY-MM-DD"
    rules = field.get("validation", {})
    if "min" in rules and day < _as_date(rules["min"]):
        return None, f"不能早于{rules['min']} / must not be before {rules['min']}"
    if "max" in rules and day > _as_date(rules["max"]):
        return None, f"不能晚于{rules['max']} / must not be after {rules['max']}"
    return day.isoformat(), None


def _option_values(field: dict) -> list[str]:
    return [option["value"] for option in field["options"]]


def _clean_select(field: dict, value: str):
    if value not in _option_values(field):
        return None, "请从给定的选项中选择 / not one of the options"
    return value, None


def _clean_multiselect(field: dict, value):
    if not isinstance(value, list) or any(not isinstance(v, str) for v in value):
        return None, "应为选项值的数组 / must be a list of option values"
    if len(set(value)) != len(value):
        return None, "选项重复 / an option is chosen twice"
    if any(v not in _option_values(field) for v in value):
        return None, "请从给定的选项中选择 / not one of the options"
    rules = field.get("validation", {})
    if value and len(value) < rules.get("min_items", 0):
        return None, f"至少选择{rules['min_items']}项 / choose at least {rules['min_items']}"
    if len(value) > rules.get("max_items", len(value)):
        return None, f"最多选择{rules['max_items']}项 / choose at most {rules['max_items']}"
    order = _option_values(field)
    return sorted(value, key=order.index), None


def _clean_id_number(field: dict, value: str):
    message = id_number_error(value)
    if message:
        return None, message
    return ric.compact(value), None


def id_number_error(value: str) -> str | None:
    """Why ``value`` is not a 居民身份证号码 (GB 11643-1999), or ``None``.

    stdnum's ``validate`` also demands that the address code was in use in the birth year,
    which turns away real numbers (codes are given at registration, and abolished codes stay
    on cards: python-stdnum issue #442, and the standard's own example 440524188001010014), so
    the place is checked only down to the province.
    """
    number = ric.compact(value)
    if len(number) != 18:
        return f"身份证号码应为18位,当前为{len(number)}位 / must be 18 characters"
    if not number[:17].isdigit() or number[17] not in "0123456789X":
        return "身份证号码前17位应为数字,末位为数字或X / 17 digits and a digit or X"
    if number[17] != ric.calc_check_digit(number):
        return "身份证号码校验位错误,请核对 / the check character is wrong"
    try:
        born = ric.get_birth_date(number)
    except ValueError:
        born = None
    if born is None or born > clock.today():
        return "身份证号码中的出生日期无效 / the birth date in it is not valid"
    if not _known_province(number[:2]):
        return "身份证号码前两位不是有效的省级行政区划代码 / unknown province code"
    return None


def _known_province(code: str) -> bool:
    return any(props.get("province") for _, props in numdb.get("cn/loc").info(code + "0000"))


def _clean_uscc(field: dict, value: str):
    try:
        validate_uscc(value)
    except ValidationError as error:
        return None, str(error.messages[0])
    return normalize_uscc(value), None


def _clean_phone(field: dict, value: str):
    compact = re.sub(r"[\s]", "", value)
    if MOBILE.match(compact) or LANDLINE.match(compact):
        return compact, None
    return None, (
        "请填写11位手机号码或带区号的固定电话,例如 13912345678、029-87654321"
        " / a mainland mobile or landline number"
    )


def _clean_email(field: dict, value: str):
    try:
        validate_email(value)
    except ValidationError:
        return None, "电子邮箱格式不正确 / not a valid e-mail address"
    return value, None
