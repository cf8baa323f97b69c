import io

import pytest
from django.core.management import call_command

from tongban.audit import services as audit
from tongban.audit.models import AuditRecord
from tongban.core.checks import _demo_account_errors
from tongban.identity.models import User
from tongban.identity.services import remove_demo_accounts

pytestmark = pytest.mark.django_db


def test_remove_demo_accounts_deletes_demo_accounts_that_never_acted():
    User.objects.create_user("demo_clerk", is_demo=True)
    User.objects.create_user("real_clerk")

    out = io.StringIO()
    call_command("remove_demo_accounts", stdout=out)

    assert list(User.objects.values_list("username", flat=True)) == ["real_clerk"]
    assert "已删除演示账号 1 个" in out.getvalue() and "- demo_clerk" in out.getvalue()
    record = AuditRecord.objects.get(action="identity.user.delete")
    assert record.object_repr == "demo_clerk"


def test_a_demo_account_named_by_audit_records_is_retired_not_deleted():
    actor = User.objects.create_user("sysadmin", password="Tongban@2026", is_demo=True)
    audit.record(actor, "org.department.update", actor)

    result = remove_demo_accounts()

    actor.refresh_from_db()
    assert result == {"deleted": [], "retired": ["sysadmin"]}
    assert not actor.is_active
    assert not actor.has_usable_password()
    assert AuditRecord.objects.filter(action="identity.user.retire").count() == 1
    assert _demo_account_errors() == []


def test_full_names_are_in_chinese_order():
    user = User(username="wangli", last_name="王", first_name="丽")

    assert user.get_full_name() == "王丽"
