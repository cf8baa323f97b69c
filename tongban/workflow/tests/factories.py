"""Test data for the workflow app: departments with staff in each role, and walking tasks."""

from dataclasses import dataclass

from tongban.org.models import Department, StaffMembership
from tongban.org.tests.factories import DepartmentFactory, staff_with_role
from tongban.workflow import services

Role = StaffMembership.Role


@dataclass
class Office:
    """A department with one clerk and one approver."""

    department: Department
    clerk: object
    approver: object

    def staff(self, role: str):
        return self.clerk if role == Role.CLERK else self.approver


def office(**kwargs) -> Office:
    department = DepartmentFactory(**kwargs)
    return Office(
        department=department,
        clerk=staff_with_role(Role.CLERK, department=department),
        approver=staff_with_role(Role.APPROVER, department=department),
    )


def do(instance, name: str, offices: list[Office], **data):
    """Complete the one ready task ``name`` of these offices as the right staff member."""
    by_department = {o.department.pk: o for o in offices}
    (task,) = [
        t
        for t in services.ready_tasks(instance)
        if t.name == name and t.department_id in by_department
    ]
    person = by_department[task.department_id].staff(task.role)
    return services.complete(task, by=person, data=data)
