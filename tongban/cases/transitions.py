"""The case state machine: which verb moves a case from which statuses to which.

    verb                from                                          to
    submit              draft                                         submitted
    accept              submitted                                     accepted
    refuse              submitted                                     refused
    request_supplement  submitted                                     supplement_requested
    resubmit            supplement_requested                          submitted
    start_review        accepted                                      in_review
    suspend             accepted, in_review                           suspended
    resume              suspended                                     (the status it left)
    extend              accepted, in_review, suspended                (unchanged)
    approve / deny      accepted, in_review                           approved / denied
    conclude            approved, denied                              concluded
    deliver             concluded                                     delivered
    withdraw            submitted, supplement_requested, accepted,    withdrawn
                        in_review

Anything else raises ``IllegalTransition`` (409, Chinese message first).
"""

from tongban.cases.models import Status
from tongban.errors import Conflict

SAME = None  # the verb keeps the status (extend) or returns to a stored one (resume)

TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "submit": (frozenset({Status.DRAFT}), Status.SUBMITTED),
    "accept": (frozenset({Status.SUBMITTED}), Status.ACCEPTED),
    "refuse": (frozenset({Status.SUBMITTED}), Status.REFUSED),
    "request_supplement": (frozenset({Status.SUBMITTED}), Status.SUPPLEMENT_REQUESTED),
    "resubmit": (frozenset({Status.SUPPLEMENT_REQUESTED}), Status.SUBMITTED),
    "start_review": (frozenset({Status.ACCEPTED}), Status.IN_REVIEW),
    "suspend": (frozenset({Status.ACCEPTED, Status.IN_REVIEW}), Status.SUSPENDED),
    "resume": (frozenset({Status.SUSPENDED}), SAME),
    "extend": (frozenset({Status.ACCEPTED, Status.IN_REVIEW, Status.SUSPENDED}), SAME),
    "approve": (frozenset({Status.ACCEPTED, Status.IN_REVIEW}), Status.APPROVED),
    "deny": (frozenset({Status.ACCEPTED, Status.IN_REVIEW}), Status.DENIED),
    "conclude": (frozenset({Status.APPROVED, Status.DENIED}), Status.CONCLUDED),
    "deliver": (frozenset({Status.CONCLUDED}), Status.DELIVERED),
    "withdraw": (
        frozenset(
            {Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED, Status.ACCEPTED, Status.IN_REVIEW}
        ),
        Status.WITHDRAWN,
    ),
}

VERB_NAMES = {
    "submit": ("提交", "submit"),
    "accept": ("受理", "accept"),
    "refuse": ("不予受理", "refuse"),
    "request_supplement": ("一次性告知补正", "request supplements"),
    "resubmit": ("补正后重新提交", "resubmit"),
    "start_review": ("开始审查", "start the review"),
    "suspend": ("挂起", "suspend"),
    "resume": ("恢复", "resume"),
    "extend": ("延长时限", "extend the time limit"),
    "approve": ("准予许可", "approve"),
    "deny": ("不予许可", "deny"),
    "conclude": ("办结", "conclude"),
    "deliver": ("送达", "deliver"),
    "withdraw": ("撤回", "withdraw"),
}
# Events that keep the status, recorded by other apps through ``services.record_event``.
EVENT_NAMES = {
    "pay": ("缴费", "pay"),
    "refund": ("退费", "refund"),
    "dispatch": ("寄出", "dispatch"),
    "collect": ("上门收件", "collect materials"),
}


class IllegalTransition(Conflict):
    code = "illegal_transition"

    def __init__(self, status: str, verb: str):
        self.case_status, self.verb = status, verb
        zh, en = VERB_NAMES[verb]
        label = Status(status).label if status in Status.values else status
        super().__init__(
            f"办件当前状态为“{label}”,不能{zh}",
            f"A case in status '{status}' cannot {en}",
        )


def target(status: str, verb: str) -> str | None:
    """The status ``verb`` leads to from ``status`` (``SAME`` for extend/resume), or raise."""
    allowed, to = TRANSITIONS[verb]
    if status not in allowed:
        raise IllegalTransition(status, verb)
    return to


def allowed_verbs(status: str) -> list[str]:
    """The verbs a case in ``status`` accepts (for the workbench's buttons)."""
    return [verb for verb, (sources, _to) in TRANSITIONS.items() if status in sources]
