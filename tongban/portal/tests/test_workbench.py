"""The staff workbench: inbox, case detail, actions, the material viewer, window intake."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from tongban.cases import flow, services
from tongban.cases.models import Case, Channel, Status
from tongban.cases.tests.factories import (
    applicant_person,
    approver_of,
    clerk_of,
    file_case,
    form_item,
    pdf,
)
from tongban.identity.tests.helpers import verified_login
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import (
    CountyCenterFactory,
    DepartmentFactory,
    WindowFactory,
    staff_with_role,
)

Role = StaffMembership.Role
ZHOUZHI = datetime.timezone(datetime.timedelta(hours=8))
pytestmark = pytest.mark.django_db


def at(day: int, month: int = 3):
    return time_machine.travel(datetime.datetime(2026, month, day, 10, tzinfo=ZHOUZHI), tick=False)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def item():
    return form_item()


def url(name, *args):
    return reverse(f"portal:{name}", args=args)


def act(client, case, action, **data):
    return client.post(url("workbench_act", case.number, action), data)


def test_a_person_is_sent_to_sign_in(client, item):
    client.force_login(applicant_person())
    response = client.get(url("workbench"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_inbox_shows_colours_in_text(client, item):
    approver = approver_of(item)
    with at(2):
        case = services.accept(file_case(item, applicant_person()), by=clerk_of(item))
    with at(12):
        verified_login(client, approver)
        page = client.get(url("workbench")).content.decode()
    assert case.number in page and "临近到期" in page and "审查" in page
    with at(20):
        verified_login(client, approver)
        page = client.get(url("workbench"), {"colour": "red"}).content.decode()
        assert case.number in page and "已超期" in page
        page = client.get(url("workbench"), {"colour": "green"}).content.decode()
        assert case.number not in page


def test_filters_search_and_department_tab(client, item):
    clerk = clerk_of(item)
    applicant = applicant_person()
    first = file_case(item, applicant)
    second = services.accept(file_case(item, applicant), by=clerk)
    verified_login(client, clerk)
    page = client.get(url("workbench"), {"tab": "department", "status": "submitted"})
    assert first.number in page.content.decode()
    assert second.number not in page.content.decode()
    page = client.get(url("workbench"), {"q": second.number}).content.decode()
    assert second.number in page and first.number not in page
    name = first.applicant_name
    for query in (name, name[:2]):
        page = client.get(url("workbench"), {"q": query}).content.decode()
        assert first.number in page and second.number in page
    page = client.get(url("workbench"), {"q": name[:1]}).content.decode()
    assert first.number not in page  # one character is not a search


def test_detail_shows_form_materials_history_and_tasks(client, item):
    clerk = clerk_of(item)
    case = services.accept(file_case(item, applicant_person()), by=clerk)
    verified_login(client, approver_of(item))
    page = client.get(url("workbench_case", case.number)).content.decode()
    assert "测试申请" in page and "数据共享自动填写" in page
    assert "申请书" in page and "审查" in page and "已受理" in page
    material = case.materials.exclude(file="").get()
    response = client.get(url("workbench_material", case.number, material.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_another_departments_clerk_gets_404(client, item):
    case = file_case(item, applicant_person())
    verified_login(client, staff_with_role(Role.CLERK, department=DepartmentFactory()))
    assert client.get(url("workbench_case", case.number)).status_code == 404
    material = case.materials.exclude(file="").get()
    assert client.get(url("workbench_material", case.number, material.pk)).status_code == 404
    assert act(client, case, "accept").status_code == 404
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_pre_review_actions(client, item):
    clerk = clerk_of(item)
    verified_login(client, clerk)
    refused = file_case(item, applicant_person())
    act(client, refused, "refuse", reason="不属于本部门职责")
    refused.refresh_from_db()
    assert refused.status == Status.REFUSED and "不予受理" in refused.refusal_notice
    asked = file_case(item, applicant_person())
    specs = list(item.current_guide.materials.all())
    data = {"materials": [s.pk for s in specs]}
    data.update({f"reason_{s.pk}": "不清晰" for s in specs})
    act(client, asked, "supplement", **data)
    asked.refresh_from_db()
    assert asked.status == Status.SUPPLEMENT_REQUESTED
    assert len(asked.supplement.items) == len(specs)
    accepted = file_case(item, applicant_person())
    act(client, accepted, "accept")
    accepted.refresh_from_db()
    assert accepted.status == Status.ACCEPTED and accepted.process_instance_id


def test_decisions_clock_and_delivery_through_the_pages(client, item):
    clerk, approver = clerk_of(item), approver_of(item)
    case = services.accept(file_case(item, applicant_person()), by=clerk)
    verified_login(client, approver)

    def task():
        return flow.tasks_for(case).get().pk

    act(client, case, "suspend", kind="inspection", reason="现场勘验")
    case.refresh_from_db()
    assert case.status == Status.SUSPENDED
    act(client, case, "resume")
    act(client, case, "extend", days=5, reason="情况复杂")
    case.refresh_from_db()
    assert (case.status, case.extension_days) == (Status.ACCEPTED, 5)
    act(client, case, "decide", task=task(), decision="approve")
    act(client, case, "send_back", task=task(), to="Activity_review", reason="重新审查")
    assert flow.tasks_for(case).get().name == "Activity_review"
    act(client, case, "decide", task=task(), decision="approve")
    response = act(client, case, "decide", task=task(), decision="deny")
    page = client.get(response["Location"]).content.decode()
    assert "请填写不予许可的理由" in page
    act(client, case, "decide", task=task(), decision="approve", reasons="符合条件")
    case.refresh_from_db()
    assert case.status == Status.APPROVED
    client.logout()
    verified_login(client, clerk)
    act(client, case, "decide", task=task(), reasons="核发许可证")
    act(client, case, "deliver", note="窗口领取")
    case.refresh_from_db()
    assert case.status == Status.DELIVERED


def test_window_intake_with_assistance(client, item):
    center = CountyCenterFactory()
    window = WindowFactory(center=center)
    clerk = staff_with_role(Role.CLERK, department=item.department, center=center, window=window)
    applicant = applicant_person()
    verified_login(client, clerk)
    found = client.get(
        url("workbench_intake"),
        {"id_number": applicant.id_number, "item": item.implementation_code},
    ).content.decode()
    assert "已由人口库自动填写" in found
    assert f"身份证号码:{applicant.masked_id_number}" in found
    spec = item.current_guide.materials.get(name="申请书")
    response = client.post(
        url("workbench_intake"),
        {
            "id_number": applicant.id_number,
            "item": item.implementation_code,
            "form_purpose": "窗口申请",
            f"material_{spec.pk}": pdf(),
            "assisted": "1",
            "assist_note": "老年人,代为填表",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(applicant=applicant)
    assert (case.channel, case.window, case.filed_by) == (Channel.COUNTY_WINDOW, window, clerk)
    assert case.assisted_by == clerk and case.assist_note == "老年人,代为填表"


def test_window_intake_unknown_person(client, item):
    center = CountyCenterFactory()
    clerk = staff_with_role(
        Role.CLERK, department=item.department, center=center, window=WindowFactory(center=center)
    )
    verified_login(client, clerk)
    page = client.get(url("workbench_intake"), {"id_number": "110101199003070000"})
    assert "未找到该身份证号码的平台账号" in page.content.decode()


def test_window_intake_opens_an_account_for_a_walk_in_at_level_three(client, item):
    from tongban.identity.models import Level, User
    from tongban.registry.tests.factories import PersonFactory

    center = CountyCenterFactory()
    clerk = staff_with_role(
        Role.CLERK, department=item.department, center=center, window=WindowFactory(center=center)
    )
    person = PersonFactory()
    verified_login(client, clerk)
    data = {"register": "1", "id_number": person.id_number, "item": item.implementation_code}
    wrong = client.post(url("workbench_intake"), {**data, "name": "别人", "phone": "13911112222"})
    assert wrong.status_code == 200 and not User.objects.filter(kind="person").exists()
    opened = client.post(
        url("workbench_intake"), {**data, "name": person.name, "phone": "13911112222"}
    )
    assert opened.status_code == 302 and str(person.id_number) in opened["Location"]
    user = User.objects.get(kind="person")
    assert user.real_name_level == Level.L3 and str(user.phone) == "13911112222"
    assert user.verifications.get().verified_by == clerk
    page = client.get(opened["Location"]).content.decode()
    assert "已由人口库自动填写" in page


def test_inbox_queries_are_bounded(client, item, django_assert_max_num_queries):
    clerk = clerk_of(item)
    for _ in range(15):
        services.accept(file_case(item, applicant_person()), by=clerk)
    approver = approver_of(item)
    with django_assert_max_num_queries(4):
        rows, _ = flow.inbox(approver)
    assert len(rows) == 15
    verified_login(client, approver)
    with django_assert_max_num_queries(16):
        assert client.get(url("workbench")).status_code == 200


def test_department_tab_queries_are_bounded(client, item, django_assert_max_num_queries):
    clerk = clerk_of(item)
    for _ in range(12):
        services.accept(file_case(item, applicant_person()), by=clerk)
    verified_login(client, clerk)
    with django_assert_max_num_queries(18):
        page = client.get(url("workbench"), {"tab": "department"})
    assert page.content.decode().count("colour-green") == 12


def test_parallel_reviewer_of_another_department_reaches_the_case(client, item):
    from tongban.workflow import bindings

    reviewing = DepartmentFactory(code="wb-review")
    bindings.bind(item.implementation_code, "parallel", by="test", review_departments=["wb-review"])
    case = services.accept(file_case(item, applicant_person()), by=clerk_of(item))
    reviewer = staff_with_role(Role.APPROVER, department=reviewing)
    verified_login(client, reviewer)
    assert case.number in client.get(url("workbench")).content.decode()
    assert "联合审查" in client.get(url("workbench_case", case.number)).content.decode()
    task = flow.tasks_for(case).get()
    act(client, case, "decide", task=task.pk, decision="approve", reasons="同意")
    case.refresh_from_db()
    assert case.status == Status.IN_REVIEW
    assert client.get(url("workbench_case", case.number)).status_code == 404


def test_window_intake_offers_the_applicants_license_instead_of_the_paper(client, item):
    from tongban.licenses.models import LicenseAccess
    from tongban.licenses.tests.factories import LicenseFactory, LicenseTypeFactory

    center = CountyCenterFactory()
    clerk = staff_with_role(
        Role.CLERK, department=item.department, center=center, window=WindowFactory(center=center)
    )
    applicant = applicant_person()
    spec = item.current_guide.materials.get(name="申请书")
    license = LicenseFactory(holder_user=applicant, license_type=LicenseTypeFactory())
    spec.license_type_code = license.license_type.code
    spec.save(update_fields=["license_type_code"])
    verified_login(client, clerk)
    query = {"id_number": applicant.id_number, "item": item.implementation_code}
    page = client.get(url("workbench_intake"), query).content.decode()
    assert f'name="use_license_{spec.pk}"' in page and license.number in page
    data = {**query, "form_purpose": "窗口申请", f"use_license_{spec.pk}": "1"}
    assert client.post(url("workbench_intake"), data).status_code == 302
    material = Case.objects.get(applicant=applicant).materials.get(spec=spec)
    assert (material.source, material.reference_id) == ("license", license.identifier)
    assert LicenseAccess.objects.filter(kind="use", license=license).exists()
