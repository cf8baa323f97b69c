import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.urls import reverse

from tongban.audit import services
from tongban.audit.admin import AuditedModelAdmin
from tongban.audit.models import AuditRecord
from tongban.audit.tests.factories import RecordFactory, UserFactory, staff_with_role
from tongban.identity.tests.helpers import verified_login

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def supervisor_client(client):
    verified_login(client, staff_with_role("supervisor", username="supervisor1"))
    return client


@pytest.fixture
def entry():
    return RecordFactory(object_repr="周至县民政局", changes={"name": ["民政局", "周至县民政局"]})


def change_url(record):
    return reverse("admin:audit_auditrecord_change", args=[record.pk])


def test_a_supervisor_sees_the_audit_list(supervisor_client, entry):
    response = supervisor_client.get(reverse("admin:audit_auditrecord_changelist"))

    assert response.status_code == 200
    assert "周至县民政局" in response.text
    assert entry.action in response.text


def test_the_list_filters_by_action(supervisor_client, entry):
    RecordFactory(action="case.accept", object_repr="另一个对象")

    response = supervisor_client.get(
        reverse("admin:audit_auditrecord_changelist"), {"action": "case.accept"}
    )

    assert "另一个对象" in response.text
    assert "周至县民政局" not in response.text


def test_the_list_costs_the_same_queries_for_more_records(
    supervisor_client, django_assert_max_num_queries
):
    RecordFactory.create_batch(3)
    url = reverse("admin:audit_auditrecord_changelist")
    supervisor_client.get(url)
    with django_assert_max_num_queries(30) as few:
        supervisor_client.get(url)
    RecordFactory.create_batch(10)

    with django_assert_max_num_queries(len(few.captured_queries)):
        supervisor_client.get(url)


def test_the_record_page_shows_the_changes_and_no_save_button(supervisor_client, entry):
    response = supervisor_client.get(change_url(entry))

    assert response.status_code == 200
    assert "<td>民政局</td><td>周至县民政局</td>" in response.text
    assert 'name="_save"' not in response.text
    assert "deletelink" not in response.text


def test_posting_to_the_record_page_is_refused(supervisor_client, entry):
    response = supervisor_client.post(change_url(entry), {"note": "篡改", "action": "x.y"})

    assert response.status_code == 403
    assert AuditRecord.objects.get(pk=entry.pk).note == ""


def test_deleting_through_the_admin_is_refused(supervisor_client, entry):
    url = reverse("admin:audit_auditrecord_delete", args=[entry.pk])

    assert supervisor_client.post(url, {"post": "yes"}).status_code == 403
    assert AuditRecord.objects.filter(pk=entry.pk).exists()


def test_adding_through_the_admin_is_refused(supervisor_client):
    assert supervisor_client.get(reverse("admin:audit_auditrecord_add")).status_code == 403


def test_a_system_admin_cannot_change_records_either(client, entry):
    verified_login(client, staff_with_role("system_admin"))

    assert client.get(change_url(entry)).status_code == 200
    assert client.post(change_url(entry), {"note": "篡改"}).status_code == 403


def test_a_role_without_audit_view_is_refused(client, entry):
    verified_login(client, staff_with_role("clerk"))

    assert client.get(reverse("admin:audit_auditrecord_changelist")).status_code == 403


def test_an_account_without_a_role_is_sent_to_the_login_page(client, entry):
    verified_login(client, UserFactory(is_superuser=True))

    response = client.get(reverse("admin:audit_auditrecord_changelist"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


class AuditedUserAdmin(AuditedModelAdmin):
    """A stand-in for other apps' admins: no app model besides User can be relied on here."""


@pytest.fixture
def user_admin():
    return AuditedUserAdmin(User, admin.site)


@pytest.fixture
def admin_request():
    request = RequestFactory().post("/admin/", REMOTE_ADDR="10.0.0.8")
    request.user = UserFactory(username="operator")
    return request


def last_record():
    return AuditRecord.objects.order_by("-id").first()


def test_adding_through_an_audited_admin_records_a_create(user_admin, admin_request):
    new = User(username="newclerk", kind="staff")
    new.set_password("s3cret-Passw0rd")

    user_admin.save_model(admin_request, new, form=None, change=False)

    entry = last_record()
    assert entry.action == "identity.user.create"
    assert entry.actor == admin_request.user
    assert (entry.object_id, entry.object_repr) == (str(new.pk), "newclerk")
    assert entry.changes["username"] == [None, "newclerk"]
    assert entry.changes["password"] == [None, "***"]
    assert "s3cret" not in str(entry.changes)
    assert entry.ip == "10.0.0.8"


def test_changing_records_old_values_read_from_the_database(user_admin, admin_request):
    subject = UserFactory(username="before", first_name="甲", email="a@example.cn")
    edited = User.objects.get(pk=subject.pk)
    edited.username, edited.first_name = "after", "乙"

    user_admin.save_model(admin_request, edited, form=None, change=True)

    entry = last_record()
    assert entry.action == "identity.user.update"
    assert entry.changes == {"first_name": ["甲", "乙"], "username": ["before", "after"]}


def test_deleting_records_the_last_values(user_admin, admin_request):
    subject = UserFactory(username="leaving")
    pk = subject.pk

    user_admin.delete_model(admin_request, subject)

    entry = last_record()
    assert (entry.action, entry.object_id) == ("identity.user.delete", str(pk))
    assert entry.changes["username"] == ["leaving", None]
    assert not User.objects.filter(pk=pk).exists()


def test_a_bulk_delete_records_each_object(user_admin, admin_request):
    doomed = UserFactory.create_batch(3)

    user_admin.delete_queryset(admin_request, User.objects.filter(pk__in=[u.pk for u in doomed]))

    deleted = AuditRecord.objects.filter(action="identity.user.delete")
    assert sorted(deleted.values_list("object_id", flat=True)) == sorted(str(u.pk) for u in doomed)
    assert not User.objects.filter(pk__in=[u.pk for u in doomed]).exists()


def test_a_delete_that_fails_leaves_no_record(user_admin, admin_request):
    actor = UserFactory()
    RecordFactory(actor=actor)
    before = AuditRecord.objects.count()

    with pytest.raises(ProtectedError):
        user_admin.delete_model(admin_request, actor)

    assert AuditRecord.objects.count() == before
    assert services.verify().ok


def test_the_list_marks_an_actor_whose_account_was_deactivated(supervisor_client):
    actor = UserFactory(username="retired")
    RecordFactory(actor=actor)
    actor.is_active = False
    actor.save()

    response = supervisor_client.get(reverse("admin:audit_auditrecord_changelist"))

    assert "retired(张三)(账号已停用)" in response.text
