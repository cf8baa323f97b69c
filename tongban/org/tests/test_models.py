import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tongban.org.models import ServiceCenter, StaffMembership, Window
from tongban.org.tests.factories import (
    CountyCenterFactory,
    DepartmentFactory,
    MembershipFactory,
    StaffFactory,
    TownCenterFactory,
    UserFactory,
    VillageCenterFactory,
    WindowFactory,
)

pytestmark = pytest.mark.django_db


def field_errors(instance) -> dict:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


def test_uscc_is_stored_compact_and_upper_case():
    department = DepartmentFactory.build(uscc=" 91350100 m000100y43")
    department.full_clean()
    assert department.uscc == "91350100M000100Y43"


def test_a_wrong_uscc_is_reported_on_its_field():
    errors = field_errors(DepartmentFactory.build(uscc="91350100M000100Y44"))
    assert "校验位错误" in errors["uscc"][0]


def test_two_departments_cannot_share_a_uscc():
    first = DepartmentFactory()
    assert "uscc" in field_errors(DepartmentFactory.build(uscc=first.uscc))


def test_a_department_cannot_sit_below_itself():
    top = DepartmentFactory()
    below = DepartmentFactory(parent=top)
    top.parent = below
    assert "parent" in field_errors(top)


def test_a_town_center_needs_both_codes():
    town = TownCenterFactory.build(parent=CountyCenterFactory(), provincial_code=None)
    assert "provincial_code" in field_errors(town)


def test_the_database_refuses_a_town_center_without_codes():
    county = CountyCenterFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceCenter.objects.create(
            name="无编码镇",
            level=ServiceCenter.Level.TOWN,
            parent=county,
            statistical_code="610124199",
        )


def test_the_database_accepts_a_village_without_a_provincial_code():
    village = VillageCenterFactory(provincial_code=None)
    assert village.pk


def test_a_village_code_has_twelve_digits():
    village = VillageCenterFactory.build(parent=TownCenterFactory(), statistical_code="610124101")
    assert "12位" in field_errors(village)["statistical_code"][0]


def test_codes_must_be_digits():
    town = TownCenterFactory.build(parent=CountyCenterFactory(), provincial_code="61012400200A")
    assert "provincial_code" in field_errors(town)


def test_a_village_hangs_below_a_town():
    village = VillageCenterFactory.build(parent=CountyCenterFactory())
    assert "parent" in field_errors(village)


def test_a_county_center_has_no_parent():
    county = CountyCenterFactory.build(parent=CountyCenterFactory())
    assert "parent" in field_errors(county)


def test_a_comprehensive_window_serves_every_department():
    window = WindowFactory.build(center=CountyCenterFactory(), department=DepartmentFactory())
    assert "department" in field_errors(window)


def test_the_database_refuses_a_comprehensive_window_with_a_department():
    with pytest.raises(IntegrityError), transaction.atomic():
        WindowFactory(department=DepartmentFactory())


def test_a_consultation_window_may_belong_to_a_department():
    window = WindowFactory.build(
        center=CountyCenterFactory(),
        department=DepartmentFactory(),
        window_type=Window.Type.CONSULTATION,
    )
    window.full_clean()


def test_window_numbers_are_unique_per_center():
    window = WindowFactory(number="A01")
    WindowFactory(number="A01")  # another center
    with pytest.raises(IntegrityError), transaction.atomic():
        WindowFactory(center=window.center, number="A01")


def test_only_staff_accounts_hold_roles():
    membership = MembershipFactory.build(user=UserFactory(), department=DepartmentFactory())
    assert "工作人员" in field_errors(membership)["user"][0]


def test_a_window_implies_its_center():
    window = WindowFactory()
    membership = MembershipFactory.build(
        user=StaffFactory(), department=DepartmentFactory(), window=window
    )
    membership.full_clean()
    assert membership.center == window.center


def test_a_window_of_another_center_is_refused():
    membership = MembershipFactory.build(
        user=StaffFactory(),
        department=DepartmentFactory(),
        center=CountyCenterFactory(),
        window=WindowFactory(),
    )
    assert "window" in field_errors(membership)


def test_a_membership_ends_after_it_starts():
    membership = MembershipFactory.build(
        user=StaffFactory(),
        department=DepartmentFactory(),
        valid_from=datetime.date(2026, 3, 1),
        valid_to=datetime.date(2026, 2, 1),
    )
    assert "valid_to" in field_errors(membership)


def test_one_role_per_department_per_account():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(user=membership.user, department=membership.department)


@time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC), tick=False)
def test_active_memberships_are_those_in_force_today():
    current = MembershipFactory(valid_from=datetime.date(2026, 3, 2))
    MembershipFactory(valid_to=datetime.date(2026, 3, 1))
    MembershipFactory(valid_from=datetime.date(2026, 3, 3))
    MembershipFactory(is_active=False)
    MembershipFactory(department=DepartmentFactory(is_active=False))

    assert list(StaffMembership.objects.active()) == [current]


def test_names_read_well_in_lists():
    membership = MembershipFactory(user__username="wang", department__short_name="人社局")
    assert str(membership) == "wang · 人社局 · 窗口人员"
    assert str(WindowFactory(number="A01", name="综合受理一号窗口")) == "A01 综合受理一号窗口"
