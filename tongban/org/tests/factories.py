"""Test data for the org app. Codes come from sequences with a level prefix, so they never clash."""

import factory
from factory.django import DjangoModelFactory

from tongban.identity.models import User
from tongban.org.models import Department, ServiceCenter, StaffMembership, Window
from tongban.org.validators import make_uscc

PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    kind = User.Kind.PERSON
    password = factory.django.Password(PASSWORD)


class StaffFactory(UserFactory):
    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = "工作人员"
    kind = User.Kind.STAFF
    is_staff = True


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"周至县测试局{n}")
    short_name = factory.Sequence(lambda n: f"测试局{n}")
    code = factory.Sequence(lambda n: f"dept-{n}")
    uscc = factory.Sequence(lambda n: make_uscc("1", "1", "610124", f"TF{n:06d}"))
    sort_order = factory.Sequence(int)


class CountyCenterFactory(DjangoModelFactory):
    class Meta:
        model = ServiceCenter

    name = factory.Sequence(lambda n: f"测试县政务服务中心{n}")
    level = ServiceCenter.Level.COUNTY
    statistical_code = factory.Sequence(lambda n: f"1{n:08d}")
    provincial_code = factory.Sequence(lambda n: f"1{n:011d}")
    division_name = "测试县"


class TownCenterFactory(CountyCenterFactory):
    name = factory.Sequence(lambda n: f"测试镇{n}便民服务中心")
    level = ServiceCenter.Level.TOWN
    parent = factory.SubFactory(CountyCenterFactory)
    statistical_code = factory.Sequence(lambda n: f"2{n:08d}")
    provincial_code = factory.Sequence(lambda n: f"2{n:011d}")
    division_name = factory.Sequence(lambda n: f"测试镇{n}")


class VillageCenterFactory(CountyCenterFactory):
    name = factory.Sequence(lambda n: f"测试村{n}便民服务站")
    level = ServiceCenter.Level.VILLAGE
    parent = factory.SubFactory(TownCenterFactory)
    statistical_code = factory.Sequence(lambda n: f"3{n:011d}")
    provincial_code = factory.Sequence(lambda n: f"3{n:011d}")
    division_name = factory.Sequence(lambda n: f"测试村{n}")


class WindowFactory(DjangoModelFactory):
    class Meta:
        model = Window

    center = factory.SubFactory(CountyCenterFactory)
    number = factory.Sequence(lambda n: f"W{n:03d}")
    name = "综合受理窗口"
    window_type = Window.Type.COMPREHENSIVE


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = StaffMembership

    user = factory.SubFactory(StaffFactory)
    department = factory.SubFactory(DepartmentFactory)
    role = StaffMembership.Role.CLERK


def staff_with_role(role: str, **kwargs) -> User:
    """A staff account holding ``role`` through an active membership."""
    return MembershipFactory(role=role, **kwargs).user
