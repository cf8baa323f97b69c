"""Test data for the audit app. Records come only from ``services.record``, as in the code."""

import factory
from django.contrib.auth import get_user_model

from tongban.audit import services
from tongban.audit.models import AuditRecord


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "张三"
    kind = "staff"
    is_staff = True
    password = factory.django.Password("correct-horse-battery")


class RecordFactory(factory.Factory):
    """Records of one object share a chain: pass the same ``object_id`` to chain them."""

    class Meta:
        model = AuditRecord

    actor = factory.SubFactory(UserFactory)
    action = "test.thing.update"
    object_type = "test.thing"
    object_id = factory.Sequence(str)
    object_repr = factory.LazyAttribute(lambda entry: f"测试对象 {entry.object_id}")
    changes = factory.LazyFunction(lambda: {"name": ["旧名称", "新名称"]})
    note = ""

    @classmethod
    def _create(cls, model_class, actor, action, **kwargs):
        return services.record(actor, action, **kwargs)


def chain(length: int, object_id: str = "chained") -> list[AuditRecord]:
    """``length`` records of one object, so one chain in seq order."""
    return RecordFactory.create_batch(length, object_id=object_id)


def department(code: str = "approval"):
    from tongban.org.models import Department
    from tongban.org.validators import make_uscc

    found, _created = Department.objects.get_or_create(
        code=code,
        defaults={
            "name": "周至县行政审批服务局",
            "short_name": "行政审批局",
            "uscc": make_uscc("1", "1", "610124", "TB000001"),
        },
    )
    return found


def staff_with_role(role: str, username: str | None = None):
    """A staff account holding ``role`` in a department, granted through the org app."""
    from tongban.org import services as org

    user = UserFactory(**({"username": username} if username else {}))
    org.grant_role(user, department=department(), role=role)
    return user
