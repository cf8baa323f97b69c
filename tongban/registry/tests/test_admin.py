import pytest
from django.urls import reverse

from tongban.audit.models import AuditRecord
from tongban.identity.tests.helpers import verified_login
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import DepartmentFactory, StaffFactory
from tongban.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def staff(client, role):
    user = StaffFactory()
    StaffMembership.objects.create(user=user, department=DepartmentFactory(), role=role)
    verified_login(client, user)
    return user


def test_person_list_shows_masked_values_and_finds_by_exact_id_number(client):
    staff(client, "data_officer")
    person, other = PersonFactory(name="王小明"), PersonFactory()
    url = reverse("admin:registry_person_changelist")
    page = client.get(url).content.decode()
    assert "王*明" in page and person.id_number[:6] + "********" + person.id_number[-4:] in page
    assert person.id_number not in page and person.phone not in page
    found = client.get(url, {"q": person.id_number.lower()}).content.decode()
    assert "1 条结果" in found and other.id_number[-4:] + "</td>" not in found
    change = client.get(reverse("admin:registry_person_change", args=[person.pk]))
    assert change.status_code == 200 and "说明用途后查看" in change.content.decode()
    assert person.id_number not in change.content.decode()


def test_reveal_page_shows_the_value_after_a_purpose_and_audits(client):
    user = staff(client, "clerk")
    person = PersonFactory()
    url = reverse("admin:registry_person_reveal", args=[person.pk])
    page = client.get(url).content.decode()
    assert person.phone not in page
    page = client.post(url, {"field": "phone", "purpose": "受理社保卡申领核对"}).content.decode()
    assert person.phone in page
    record = AuditRecord.objects.get(action="pii.reveal")
    assert record.actor == user and "受理社保卡申领核对" in record.note


def test_supervisor_gets_no_reveal_form(client):
    staff(client, "supervisor")
    person = PersonFactory()
    url = reverse("admin:registry_person_reveal", args=[person.pk])
    page = client.get(url).content.decode()
    assert "无权查看完整个人信息" in page
    client.post(url, {"field": "phone", "purpose": "看看"})
    assert not AuditRecord.objects.filter(action="pii.reveal").exists()
