"""The demo ledger: the county's 2022 action plan (25 tasks) from the seed text.

Run after the org demo (its departments are the units the tasks name). ``load()`` creates
or refreshes the tasks: a second run changes nothing.
"""

from tongban.metrics import ledger
from tongban.metrics import plan as plans
from tongban.metrics.models import LedgerTask

ACTOR = "load_demo"


def is_loaded() -> bool:
    """Every task of the seed plan is in the ledger."""
    expected = len(plans.parse(plans.read_seed()))
    return LedgerTask.objects.filter(plan=plans.SEED_PLAN).count() == expected


def load() -> str:
    """Load the seed plan into the ledger; the summary line."""
    counts = ledger.load_plan(by=ACTOR)
    return (
        f"台账:新增 {counts['created']} 项任务,更新 {counts['updated']} 项,"
        f"未变 {counts['unchanged']} 项"
    )
