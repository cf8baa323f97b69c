import pytest

from tongban.audit.models import AuditRecord
from tongban.cases import results
from tongban.cases.models import CaseEvent, DeliveryMethod, ResultType
from tongban.cases.models import Status as CaseStatus
from tongban.cases.tests.factories import approver_of, clerk_of
from tongban.errors import Conflict
from tongban.logistics import services
from tongban.logistics.models import PaidBy, Status, Waybill
from tongban.logistics.tests.factories import filed_case, posted_case

pytestmark = pytest.mark.django_db


def test_a_concluded_posted_case_gets_a_booked_waybill(courier):
    case = posted_case()
    waybill = services.ship_result(case)
    assert waybill.status == Status.BOOKED
    assert waybill.number.startswith("SX") and waybill.reference == f"{case.number}-D1"
    assert (waybill.cost_fen, waybill.paid_by) == (1000, PaidBy.COUNTY)
    sent = courier.waybills[waybill.number]
    assert sent["recipient"]["county"] == "周至县"
    assert sent["recipient"]["detail"] == "二曲街道文昌路88号"
    assert sent["recipient"]["phone"] == str(case.applicant.phone)
    assert sent["payer"] == "sender"  # the county's monthly account
    assert sent["callback_url"].endswith("/logistics/notify/sandbox/")
    actions = set(
        AuditRecord.objects.filter(object_id=str(waybill.pk)).values_list("action", flat=True)
    )
    assert {"logistics.waybill.create", "logistics.waybill.book"} <= actions


def test_shipping_twice_makes_one_waybill(courier):
    case = posted_case()
    first = services.ship_result(case)
    assert services.ship_result(case).pk == first.pk
    assert Waybill.objects.count() == 1 and len(courier.waybills) == 1


def test_a_result_collected_at_the_window_is_not_posted(courier):
    case = posted_case(delivery=DeliveryMethod.WINDOW)
    assert services.ship_result(case) is None
    assert not Waybill.objects.exists()


def test_the_applicant_pays_when_the_county_does_not(courier, settings):
    settings.LOGISTICS_COUNTY_PAYS = False
    waybill = services.ship_result(posted_case())
    assert waybill.paid_by == PaidBy.APPLICANT
    assert courier.waybills[waybill.number]["payer"] == "recipient"  # 到付


def test_a_courier_that_is_down_loses_nothing_and_the_retry_books(courier):
    courier.down()
    waybill = services.ship_result(posted_case())
    assert (waybill.status, waybill.number, waybill.problem) == (Status.CREATED, "", "")
    assert "503" in waybill.last_error
    assert services.retry_unbooked() == {"booked": 0, "waiting": 1}
    courier.recover()
    assert services.retry_unbooked() == {"booked": 1, "waiting": 0}
    waybill.refresh_from_db()
    assert waybill.status == Status.BOOKED and waybill.attempts == 3
    assert len(courier.waybills) == 1


def test_a_recipient_without_a_phone_waits_for_the_desk(courier):
    case = posted_case(with_phone=False)
    waybill = services.ship_result(case)
    assert waybill.status == Status.CREATED and "手机号码" in waybill.problem
    assert services.retry_unbooked() == {"booked": 0, "waiting": 0}
    assert not courier.waybills
    corrected = services.correct(
        waybill,
        by=clerk_of(case.item),
        name="王小明",
        phone="13912345678",
        address_line="周至县哑柏镇东街村3组",
    )
    assert corrected.status == Status.BOOKED and corrected.problem == ""
    assert courier.waybills[corrected.number]["recipient"]["detail"] == "哑柏镇东街村3组"


def test_conclusion_ships_the_result_after_the_commit(courier, django_capture_on_commit_callbacks):
    case = filed_case()
    from tongban.cases import services as cases

    approver = approver_of(case.item)
    case = cases.approve(cases.accept(case, by=clerk_of(case.item)), by=approver)
    with django_capture_on_commit_callbacks(execute=True):
        results.conclude_with_result(
            case, by=approver, result_type=ResultType.APPROVAL, delivery=DeliveryMethod.POST
        )
    assert Waybill.objects.get(case=case).status == Status.BOOKED


def test_refresh_pulls_missed_tracks_and_delivers_the_case(courier, settings):
    settings.LOGISTICS_PUBLIC_URL = f"http://127.0.0.1:{_closed_port()}"  # not 8000: a demo may run
    case = posted_case()
    waybill = services.ship_result(case)
    for step in ("picked_up", "in_transit", "delivered"):
        assert courier.advance(waybill.number, step) == [0]  # nobody listening: push lost
    assert services.refresh(waybill) == 3
    waybill.refresh_from_db()
    case.refresh_from_db()
    assert waybill.status == Status.DELIVERED and waybill.delivered_at is not None
    assert case.status == CaseStatus.DELIVERED
    verbs = list(CaseEvent.objects.filter(case=case).values_list("verb", flat=True))
    assert "dispatch" in verbs and "deliver" in verbs
    assert services.refresh(waybill) == 0  # final: nothing more to pull


def test_a_booked_waybill_can_be_cancelled_but_not_once_picked_up(courier):
    case = posted_case()
    clerk = clerk_of(case.item)
    first = services.ship_result(case)
    cancelled = services.cancel(first, by=clerk, reason="申请人改为窗口领取")
    assert cancelled.status == Status.CANCELLED
    assert courier.waybills[first.number]["status"] == "cancelled"
    second = services.resend(cancelled, by=clerk)
    assert second.reference == f"{case.number}-D2" and second.status == Status.BOOKED
    courier.advance(second.number, "picked_up")
    services.refresh(second)
    second.refresh_from_db()
    with pytest.raises(Conflict):
        services.cancel(second, by=clerk)


def test_a_returned_result_is_resent_to_the_same_recipient(courier):
    case = posted_case()
    clerk = clerk_of(case.item)
    first = services.ship_result(case)
    courier.advance(first.number, "picked_up")
    courier.advance(first.number, "returned")
    services.refresh(first)
    first.refresh_from_db()
    assert first.status == Status.RETURNED
    again = services.resend(first, by=clerk)
    assert again.status == Status.BOOKED
    assert str(again.recipient_address) == str(first.recipient_address)
    with pytest.raises(Conflict):
        services.resend(first, by=clerk)  # a newer one is on its way


def test_a_clerk_of_another_department_may_not_act(courier):
    waybill = services.ship_result(posted_case())
    outsider = clerk_of(posted_case(delivery=DeliveryMethod.WINDOW).item)
    from tongban.errors import NotFound

    with pytest.raises(NotFound):
        services.cancel(waybill, by=outsider)


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
