"""How a case concluded at the end of its workflow ends: its result and delivery way.

Kept apart from ``results`` (the result document) so that ``services`` and ``flow`` both
conclude through it without importing each other.
"""

from tongban.cases.models import Case, DeliveryMethod, ResultType, Status
from tongban.core import clock

# The result of an approved case, by the result type of the guide it was filed under.
APPROVED_RESULTS = {
    "license": ResultType.LICENSE,
    "document": ResultType.DOCUMENT,
    "approval": ResultType.APPROVAL,
}


def outcome_of(case: Case) -> str:
    """What a case concluded by its workflow gives: for an approved case what its guide
    promises (a license, a document; an approval decision otherwise), for a denied one the
    refusal decision."""
    if case.status == Status.DENIED:
        return ResultType.REFUSAL
    return APPROVED_RESULTS.get(case.guide.result_type, ResultType.APPROVAL)


def apply_outcome(locked: Case) -> dict:
    """The conclusion at the end of a workflow: result from ``outcome_of``, delivered the way
    the applicant chose when applying (the 出件 window when they chose nothing)."""
    locked.concluded_at = clock.now()
    locked.result_type = outcome_of(locked)
    locked.delivery_method = locked.delivery_method or DeliveryMethod.WINDOW
    return {"result_type": [None, locked.result_type], "delivery_method": locked.delivery_method}
