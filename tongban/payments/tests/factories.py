"""Test data for payments: an item billing two fee items (50.50 元), and a case of it
brought to its 缴费 step (accepted, reviewed and approved), its order opened.

    case, clerk = case_at_payment()
    order = services.order_for(case)        # created, 5050 fen, payer = case.applicant
"""

from tongban.cases import flow
from tongban.cases import services as cases
from tongban.cases.tests.factories import (
    applicant_person,
    approver_of,
    clerk_of,
    file_case,
    form_item,
)

FEES = [
    {"code": "ZZ-GB-01", "name": "证书工本费", "amount": "40.00", "basis": "陕价费发〔2020〕1号"},
    {"code": "ZZ-GB-02", "name": "邮寄费", "amount": "10.50", "basis": "陕价费发〔2020〕1号"},
]
AMOUNT = 5050


def fee_item(**overrides):
    """A published item whose guide bills ``FEES`` (runs ``standard_fee``)."""
    overrides.setdefault("charges_fee", True)
    overrides.setdefault("fee_basis", "陕价费发〔2020〕1号")
    overrides.setdefault("fee_standard", "证书工本费 40 元,邮寄费 10.50 元")
    overrides.setdefault("online_payment", True)
    overrides.setdefault("fee_items", FEES)
    return form_item(**overrides)


def only_task(case):
    tasks = list(flow.tasks_for(case))
    assert len(tasks) == 1, tasks
    return tasks[0]


def case_at_payment(item=None, applicant=None):
    """A case of ``item`` waiting at 缴费: ``(case, clerk)``."""
    item = item or fee_item()
    case = file_case(item, applicant or applicant_person())
    clerk = clerk_of(item)
    case = cases.accept(case, by=clerk)
    approver = approver_of(item)
    case = flow.decide(case, only_task(case), by=approver, decision="approve")
    case = flow.decide(case, only_task(case), by=approver, decision="approve")
    return case, clerk
