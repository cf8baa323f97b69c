"""The shipped process templates (即办, standard, 并联审批, 告知承诺) for the demo county, and
the demo items bound to the templates their guides do not name by case type."""

from tongban.catalog.models import ServiceItem
from tongban.workflow import bindings
from tongban.workflow.definitions import TEMPLATES, load_processes
from tongban.workflow.models import ProcessBinding, ProcessDefinition

ACTOR = "load_demo"
# guide name → (template, review departments). Names from tongban/catalog/data/demo_*.py.
DEMO_BINDINGS = {
    "建筑工程施工许可证核发": ("parallel", ["housing", "natural-resources", "emergency"]),
    "建设工程规划许可证核发": ("parallel", ["natural-resources", "housing"]),
    "食品经营许可(新办)": ("commitment", []),
    "小餐饮经营许可": ("commitment", []),
    "公共场所卫生许可": ("commitment", []),
}


def is_loaded() -> bool:
    stored = set(ProcessDefinition.objects.values_list("key", flat=True))
    return set(TEMPLATES) <= stored and ProcessBinding.objects.exists()


def load() -> str:
    definitions = load_processes()
    names = "、".join(f"{d.name}(v{d.version})" for d in definitions)
    bound = bind_demo_items()
    return f"审批流程模板已就绪:{len(definitions)} 个 — {names};绑定演示事项 {bound} 个。"


def bind_demo_items() -> int:
    """Bind the demo items named above (those the catalog has); idempotent."""
    items = ServiceItem.objects.filter(current_guide__name__in=DEMO_BINDINGS).select_related(
        "current_guide"
    )
    count = 0
    for item in items:
        key, departments = DEMO_BINDINGS[item.current_guide.name]
        found = bindings.binding_for(item.implementation_code)
        if found and (found.definition_key, found.review_departments) == (key, departments):
            count += 1
            continue
        bindings.bind(item.implementation_code, key, by=ACTOR, review_departments=departments)
        count += 1
    return count
