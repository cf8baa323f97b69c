"""Binding a service item (its implementation code) to a process definition key.

An item without a binding runs the template its guide's case type names (``cases.flow``);
a binding names another template (parallel approval with its review departments, 告知承诺)
or an uploaded process. The latest version of the key runs.
"""

from django.db import transaction

from tongban.audit import services as audit
from tongban.errors import InvalidInput
from tongban.org.models import Department
from tongban.workflow.definitions import TEMPLATES, template
from tongban.workflow.models import ProcessBinding, ProcessDefinition


def binding_for(item_code: str) -> ProcessBinding | None:
    return ProcessBinding.objects.filter(item_code=item_code).first()


def bind(item_code: str, key: str, *, by, review_departments=()) -> ProcessBinding:
    """Bind (or rebind) an item to the process ``key``; audited."""
    codes = list(review_departments)
    if key in TEMPLATES:
        template(key)  # a shipped template is loaded on first use
    if not ProcessDefinition.objects.filter(key=key).exists():
        raise InvalidInput(fields={"definition_key": [f"流程「{key}」不存在 / unknown process"]})
    known = set(Department.objects.filter(code__in=codes).values_list("code", flat=True))
    missing = [code for code in codes if code not in known]
    if missing:
        raise InvalidInput(fields={"review_departments": [f"部门代码不存在:{missing} / unknown"]})
    with transaction.atomic():
        binding, _created = ProcessBinding.objects.update_or_create(
            item_code=item_code, defaults={"definition_key": key, "review_departments": codes}
        )
        audit.record(
            by,
            "workflow.binding.bind",
            binding,
            changes={"definition_key": [None, key], "review_departments": [None, codes]},
        )
    return binding


def latest(key: str) -> ProcessDefinition | None:
    return ProcessDefinition.objects.filter(key=key).order_by("-version").first()
