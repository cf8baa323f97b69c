"""Pages: the whole journey of a result by post over real HTTP, the delivery panel on the
applicant's case page and the workbench, the tracking page, the clerk's mail desk."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from tongban.cases import services as cases
from tongban.cases.models import DeliveryMethod, ResultType
from tongban.cases.models import Status as CaseStatus
from tongban.cases.results import conclude_with_result
from tongban.cases.tests.factories import approver_of, clerk_of
from tongban.identity.tests.helpers import verified_login
from tongban.logistics import services
from tongban.logistics.models import CourierCallback, Status, Waybill
from tongban.logistics.tests.factories import filed_case, posted_case


@pytest.mark.django_db(transaction=True)
def test_a_result_by_post_is_tracked_and_delivered_through_http(
    client, courier, live_server, settings, notice_templates
):
    settings.LOGISTICS_PUBLIC_URL = live_server.url
    case = filed_case()
    approver = approver_of(case.item)
    case = cases.approve(cases.accept(case, by=clerk_of(case.item)), by=approver)
    # The conclusion commits; its receiver books the waybill with the sandbox courier.
    conclude_with_result(
        case, by=approver, result_type=ResultType.APPROVAL, delivery=DeliveryMethod.POST
    )
    waybill = Waybill.objects.get(case=case)
    assert waybill.status == Status.BOOKED and waybill.number in courier.waybills

    # The courier pushes each step, signed, to the platform's callback over HTTP.
    assert courier.advance(waybill.number, "picked_up") == [200]
    courier.repeat()
    assert courier.advance(waybill.number, "in_transit") == [200, 200]  # sent twice
    courier.reorder()
    assert courier.advance(waybill.number, "out_for_delivery") == []  # held back
    assert courier.advance(waybill.number, "delivered") == [200, 200]  # 签收, then the late one

    client.force_login(case.applicant)
    page = client.get(reverse("portal:my_case", kwargs={"number": case.number})).content.decode()
    assert waybill.number in page
    for description in ("快递员已揽收", "西安转运中心", "快件已签收"):
        assert description in page
    assert page.index("快件已签收") < page.index("快递员已揽收")  # newest first
    assert "县财政承担" in page and "10.00" in page

    case.refresh_from_db()
    waybill.refresh_from_db()
    assert case.status == CaseStatus.DELIVERED
    assert waybill.status == Status.DELIVERED and waybill.last_sequence == 4
    assert list(CourierCallback.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "applied",
        "applied",
        "duplicate",
        "applied",
        "stale",
    ]


pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_the_panel_on_the_workbench_costs_two_queries(courier, django_assert_num_queries):
    case = posted_case()
    waybill = services.ship_result(case)
    courier.advance(waybill.number, "picked_up")
    services.refresh(waybill)
    clerk = clerk_of(case.item)
    request = RequestFactory().get("/")
    request.user = clerk
    clerk.get_all_permissions()  # the page has asked already (cases.view)
    template = Template('{% load logistics %}{% delivery_panel case "staff" %}')
    with django_assert_num_queries(2):
        html = template.render(Context({"case": case, "request": request}))
    assert waybill.number in html and "快递员已揽收" in html


@pytestmark_db
def test_the_staff_panel_offers_to_resend_a_returned_result(client, courier):
    case = posted_case()
    waybill = services.ship_result(case)
    for step in ("picked_up", "returned"):
        courier.advance(waybill.number, step)
    services.refresh(waybill)
    clerk = clerk_of(case.item)
    verified_login(client, clerk)
    page = client.get(reverse("portal:workbench_case", kwargs={"number": case.number}))
    action = reverse("logistics:desk_act", args=[waybill.reference, "resend"])
    assert action in page.content.decode()
    answer = client.post(action, {"next": f"/workbench/cases/{case.number}/"})
    assert answer.status_code == 302
    assert case.waybills.filter(status=Status.BOOKED).count() == 1


@pytestmark_db
def test_the_applicant_panel_offers_a_collection_while_materials_are_wanted(client, courier):
    case = filed_case(delivery=DeliveryMethod.WINDOW)
    client.force_login(case.applicant)
    page = client.get(reverse("portal:my_case", kwargs={"number": case.number})).content.decode()
    assert reverse("logistics:collect", kwargs={"number": case.number}) in page


@pytestmark_db
def test_the_tracking_page_is_the_applicants_own(client, courier):
    case = posted_case()
    waybill = services.ship_result(case)
    url = reverse("logistics:track", kwargs={"number": waybill.number})
    client.force_login(case.applicant)
    page = client.get(url)
    assert page.status_code == 200 and waybill.number in page.content.decode()
    client.force_login(posted_case().applicant)
    assert client.get(url).status_code == 404


@pytestmark_db
def test_the_mail_desk_lists_and_filters_the_departments_waybills(client, courier):
    case = posted_case()
    waybill = services.ship_result(case)
    other = services.ship_result(posted_case())
    verified_login(client, clerk_of(case.item))
    page = client.get(reverse("logistics:desk")).content.decode()
    assert waybill.number in page and other.number not in page
    empty = client.get(reverse("logistics:desk"), {"status": "delivered"}).content.decode()
    assert waybill.number not in empty and "暂无运单" in empty


@pytestmark_db
def test_the_desk_corrects_an_address_and_books(client, courier):
    case = posted_case(with_phone=False)
    waybill = services.ship_result(case)
    verified_login(client, clerk_of(case.item))
    page = client.get(reverse("logistics:desk")).content.decode()
    assert "修改并下单" in page
    answer = client.post(
        reverse("logistics:desk_act", args=[waybill.reference, "correct"]),
        {"name": "王小明", "phone": "13912345678", "address": "周至县哑柏镇东街村3组"},
        follow=True,
    )
    assert "已下单" in answer.content.decode()
    waybill.refresh_from_db()
    assert waybill.status == Status.BOOKED


@pytestmark_db
def test_the_desk_refuses_a_bad_correction_with_its_reasons(client, courier):
    case = posted_case(with_phone=False)
    waybill = services.ship_result(case)
    verified_login(client, clerk_of(case.item))
    answer = client.post(
        reverse("logistics:desk_act", args=[waybill.reference, "correct"]),
        {"name": "王小明", "phone": "123", "address": "周至县哑柏镇东街村3组"},
        follow=True,
    )
    assert "手机号码应为以1开头的11位数字" in answer.content.decode()
    waybill.refresh_from_db()
    assert waybill.status == Status.CREATED


@pytestmark_db
def test_an_approver_reads_the_desk_but_may_not_act(client, courier):
    case = posted_case()
    waybill = services.ship_result(case)
    verified_login(client, approver_of(case.item))
    assert waybill.number in client.get(reverse("logistics:desk")).content.decode()
    answer = client.post(reverse("logistics:desk_act", args=[waybill.reference, "cancel"]))
    assert answer.status_code == 403
    waybill.refresh_from_db()
    assert waybill.status == Status.BOOKED
