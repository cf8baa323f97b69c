"""Test helpers of the finance side (refunds, reconciliation): an in-process fake channel
registered as ``finance_fake`` and paid orders on cases.

Not a conftest pytest loads by itself (``tests/conftest.py`` is the orders side's): test
modules bind the fixtures they use as module attributes::

    from tongban.payments.tests import conftest_finance as fin

    channel = fin.channel
"""

import datetime
import itertools

import pytest

from tongban.cases.models import Case
from tongban.cases.tests.factories import applicant_person, file_case, form_item
from tongban.core import clock
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import staff_with_role
from tongban.payments.models import PaymentOrder
from tongban.payments.providers.base import (
    PaymentState,
    PermanentError,
    Provider,
    RefundAnswer,
    RetryableError,
    StatementLine,
)
from tongban.payments.providers.registry import register

Role = StaffMembership.Role
FAKE = "finance_fake"
_numbers = itertools.count(1)


class FakeState:
    """What the fake channel knows and how it behaves; reset for every test."""

    def reset(self) -> None:
        self.refund_mode = "refunded"  # "processing", "down", "refuse"
        self.refund_calls: list[tuple[str, str, int]] = []
        self.lines: list[StatementLine] = []
        self.states: dict[str, PaymentState] = {}
        self.statement_down = False
        self.text_suffix = ""


STATE = FakeState()
STATE.reset()


@register(FAKE)
class FakeChannel(Provider):
    def refund(self, number, refund_number, amount, reason) -> RefundAnswer:
        STATE.refund_calls.append((number, refund_number, amount))
        if STATE.refund_mode == "down":
            raise RetryableError("fake channel down")
        if STATE.refund_mode == "refuse":
            raise PermanentError("退款被拒绝")
        return RefundAnswer(refund_number, f"FR{refund_number[-8:]}", STATE.refund_mode)

    def statement(self, date):
        if STATE.statement_down:
            raise RetryableError("fake channel down")
        lines = [line for line in STATE.lines if _local_day(line.at) == date]
        text = "\n".join(f"{x.kind},{x.number},{x.refund_number},{x.amount}" for x in lines)
        return text + STATE.text_suffix, lines

    def query(self, number) -> PaymentState:
        if number not in STATE.states:
            raise PermanentError("no such order")
        return STATE.states[number]


def _local_day(at: datetime.datetime) -> datetime.date:
    return at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).date()


@pytest.fixture
def channel(settings):
    """The fake channel, configured and reset."""
    settings.PAYMENTS_PROVIDERS = {**settings.PAYMENTS_PROVIDERS, FAKE: {"type": FAKE}}
    STATE.reset()
    return STATE


@pytest.fixture
def item():
    return form_item()


@pytest.fixture
def payer():
    return applicant_person(phone="13800138000")


@pytest.fixture
def paid_order(item, payer, channel):
    return make_order(item, payer)


def make_order(
    item,
    payer,
    *,
    amount: int = 5000,
    status: str = PaymentOrder.Status.PAID,
    paid_at: datetime.datetime | None = None,
    case: Case | None = None,
) -> PaymentOrder:
    """An order of ``amount`` fen on a new case of ``item`` (copied from one filed case)."""
    case = case or another_case(item, payer)
    serial = next(_numbers)
    paid = status in (PaymentOrder.Status.PAID, PaymentOrder.Status.REFUNDED)
    return PaymentOrder.objects.create(
        number=f"JFTEST{serial:010d}",
        case=case,
        department=case.department,
        payer=payer,
        payer_name="王小明",
        amount=amount,
        provider=FAKE,
        channel_order_id=f"FK{serial:010d}",
        status=status,
        paid_amount=amount if paid else None,
        paid_at=(paid_at or clock.now()) if paid else None,
    )


def another_case(item, payer) -> Case:
    """A case of ``item``: filed once per item object, then copied (cheap) under a new
    number."""
    template = getattr(item, "_finance_case", None)
    if template is None:
        template = file_case(item, payer)
        item._finance_case = template
        return template
    copy = Case.objects.get(pk=template.pk)
    copy.pk = None
    copy.number = f"{template.number[:20]}C{next(_numbers):08d}"
    copy.idempotency_key = ""
    copy.save()
    return copy


def line(order: PaymentOrder, *, amount: int | None = None, at=None) -> StatementLine:
    """The statement line of a paid order (its own amount unless told)."""
    return StatementLine(
        order.number,
        order.channel_order_id,
        "payment",
        order.paid_amount if amount is None else amount,
        at or order.paid_at,
    )


def refund_line(refund, *, amount: int | None = None, at=None) -> StatementLine:
    return StatementLine(
        refund.order.number,
        refund.order.channel_order_id,
        "refund",
        refund.amount if amount is None else amount,
        at or refund.completed_at or clock.now(),
        refund.number,
    )


@pytest.fixture
def clerk(item):
    return staff_with_role(Role.CLERK, department=item.department)


@pytest.fixture
def finance():
    return staff_with_role(Role.FINANCE)


@pytest.fixture
def other_finance():
    return staff_with_role(Role.FINANCE)
