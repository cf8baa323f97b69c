"""Test data for reviews: a concluded case of a department (the conclusion written directly,
the cases tests cover how it is reached), a window with its clerk, rectification staff.

    case = concluded(department=dept)          # filed online by an L2 person, concluded now
    review = services.rate(case.applicant, case=case, level=1, channel="web")
"""

from tongban.cases.models import Case, Status
from tongban.cases.tests.factories import applicant_person, file_case, form_item
from tongban.core import clock
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import (
    DepartmentFactory,
    TownCenterFactory,
    WindowFactory,
    staff_with_role,
)

Role = StaffMembership.Role


def concluded(*, department=None, phone: str = "", **fields) -> Case:
    item = form_item(department=department or DepartmentFactory())
    case = file_case(item, applicant_person(phone=phone))
    Case.objects.filter(pk=case.pk).update(
        status=Status.CONCLUDED, concluded_at=clock.now(), **fields
    )
    case.refresh_from_db()
    return case


def town_window(department=None):
    """A comprehensive window (no department of its own) of a town center with a clerk of
    ``department`` sitting at it: (window, clerk)."""
    department = department or DepartmentFactory()
    window = WindowFactory(center=TownCenterFactory())
    clerk = staff_with_role(Role.CLERK, department=department, center=window.center, window=window)
    return window, clerk


def handler(department, role: str = Role.CLERK):
    return staff_with_role(role, department=department)


def supervisor():
    return staff_with_role(Role.SUPERVISOR, department=DepartmentFactory())
