"""``manage.py grant_role USERNAME DEPARTMENT_CODE ROLE``: bootstrap the first administrators.

The account becomes a staff account (kind staff, is_staff, no superuser flag) if it is not one
yet, since only staff hold roles; both steps are audited as a system action.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tongban.audit import services as audit
from tongban.errors import TongbanError
from tongban.identity.models import User
from tongban.org import services
from tongban.org.models import Department, ServiceCenter, StaffMembership

SYSTEM_ACTOR = "manage.py grant_role"


class Command(BaseCommand):
    help = "授予工作人员角色 / Grant a staff role (e.g. grant_role admin approval system_admin)"

    def add_arguments(self, parser):
        parser.add_argument("username", help="账号 / username")
        parser.add_argument("department", help="部门代码 / department code, e.g. approval")
        parser.add_argument("role", choices=StaffMembership.Role.values, help="角色 / role")
        parser.add_argument(
            "--center", help="服务中心统计用区划代码 / center statistical code, e.g. 610124000"
        )

    def handle(self, *args, username, department, role, center=None, **options):
        user = _get(User, "账号", username=username)
        dept = _get(Department, "部门", code=department)
        place = _get(ServiceCenter, "服务中心", statistical_code=center) if center else None
        try:
            with transaction.atomic():
                _make_staff(user)
                membership = services.grant_role(
                    user, department=dept, role=role, center=place, by=SYSTEM_ACTOR
                )
        except TongbanError as exc:
            raise CommandError(f"{exc.message}: {exc.fields or ''}") from exc
        self.stdout.write(self.style.SUCCESS(f"已授予:{membership}"))


def _get(model, label: str, **lookup):
    try:
        return model.objects.get(**lookup)
    except model.DoesNotExist as exc:
        value = next(iter(lookup.values()))
        raise CommandError(f"{label}不存在 / no such {model.__name__}: {value}") from exc


def _make_staff(user: User) -> None:
    """Only staff accounts hold roles; a superuser flag (createsuperuser sets it) means nothing
    under the role backend, so it is cleared rather than left to mislead."""
    wanted = {"kind": User.Kind.STAFF, "is_staff": True, "is_superuser": False}
    if all(getattr(user, name) == value for name, value in wanted.items()):
        return
    before = audit.snapshot(user, wanted)
    for name, value in wanted.items():
        setattr(user, name, value)
    user.save(update_fields=list(wanted))
    changes = audit.diff(before, audit.snapshot(user, wanted))
    audit.record(SYSTEM_ACTOR, "identity.user.make_staff", user, changes=changes)
