"""The shipped process templates (即办, standard, 并联审批, 告知承诺) for the demo county."""

from tongban.workflow.definitions import TEMPLATES, load_processes
from tongban.workflow.models import ProcessDefinition


def is_loaded() -> bool:
    stored = set(ProcessDefinition.objects.values_list("key", flat=True))
    return set(TEMPLATES) <= stored


def load() -> str:
    definitions = load_processes()
    names = "、".join(f"{d.name}(v{d.version})" for d in definitions)
    return f"审批流程模板已就绪:{len(definitions)} 个 — {names}。"
