"""Test data for cases: applicants known to the population base, an item with a form and
two required materials, staff at the right department and center, and filed cases.

    item = form_item()                      # published, department and county window ready
    applicant = applicant_person()          # L2, in the population base
    case = file_case(item, applicant)       # through services.submit (web channel)
"""

import itertools

from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.cases import services
from tongban.cases.models import Channel
from tongban.catalog.tests.factories import published_item
from tongban.identity.models import Level, User
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import (
    CountyCenterFactory,
    DepartmentFactory,
    UserFactory,
    WindowFactory,
    staff_with_role,
)
from tongban.registry.tests.factories import PersonFactory, person_id_number

Role = StaffMembership.Role
_people = itertools.count(1)

FORM = {
    "title": "申请表",
    "fields": [
        {
            "key": "applicant_name",
            "type": "text",
            "label": "申请人姓名",
            "required": True,
            "prefill": "registry.person.name",
        },
        {
            "key": "id_number",
            "type": "id_number",
            "label": "身份证号码",
            "required": True,
            "prefill": "registry.person.id_number",
        },
        {
            "key": "address",
            "type": "address",
            "label": "住址",
            "required": True,
            "prefill": "registry.person.address",
        },
        {"key": "purpose", "type": "text", "label": "申请事由", "required": True},
    ],
}


def form_item(**overrides):
    """A published item (10 promised / 20 statutory days) with ``FORM`` and the catalog's
    default materials: 申请人身份证明 (shared from the population base) and 申请书 (upload)."""
    overrides.setdefault("form_schema", FORM)
    return published_item(**overrides)


def applicant_person(*, level: int = Level.L2, in_registry: bool = True, phone: str = "") -> User:
    """A person account whose ID number the population base knows (unless told not to)."""
    number = person_id_number(900_000 + next(_people))
    if in_registry:
        PersonFactory(id_number=number, name="王小明")
    user = UserFactory(real_name_level=level, id_number=number, phone=phone)
    user.last_name, user.first_name = "王", "小明"
    user.save(update_fields=["last_name", "first_name"])
    return user


def pdf(name: str = "申请书.pdf", body: bytes = b"%PDF-1.4\n% test\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def application_form(item) -> list[dict]:
    """The materials a complete application uploads (申请书; the ID proof is shared)."""
    spec = item.current_guide.materials.get(name="申请书")
    return [{"spec": spec.pk, "file": pdf()}]


def file_case(item, applicant, **kwargs):
    """A case filed online by ``applicant`` with a complete form and materials."""
    kwargs.setdefault("form_data", {"purpose": "测试申请"})
    kwargs.setdefault("materials", application_form(item))
    kwargs.setdefault("channel", Channel.WEB)
    if "guide" not in kwargs:
        kwargs.setdefault("item_code", item.implementation_code)
    return services.submit(user=applicant, **kwargs)


def clerk_of(item, **kwargs) -> User:
    """A clerk of the item's department (no center)."""
    return staff_with_role(Role.CLERK, department=item.department, **kwargs)


def approver_of(item) -> User:
    return staff_with_role(Role.APPROVER, department=item.department)


def window_clerk():
    """A clerk of another department (the approval bureau) at a county window: returns
    (clerk, window)."""
    center = CountyCenterFactory()
    window = WindowFactory(center=center)
    clerk = staff_with_role(
        Role.CLERK, department=DepartmentFactory(), center=center, window=window
    )
    return clerk, window
