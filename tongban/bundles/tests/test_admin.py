"""一件事 in the admin: the catalog administrator builds a draft with its items, publishes
it and starts a new version through the actions; published versions are read-only; other
roles are refused. Filings are read by the departments handling them and supervisors."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongban.audit.models import AuditRecord
from tongban.bundles import publishing, services
from tongban.bundles.models import Bundle, BundleCase
from tongban.bundles.tests.test_publishing import catalog_admin, draft
from tongban.cases.tests.factories import applicant_person, form_item
from tongban.identity.tests.helpers import verified_login
from tongban.org.tests.factories import DepartmentFactory, staff_with_role

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:bundles_bundle_changelist"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def signed_in(client, user):
    verified_login(client, user)
    return client


def filed(bundle=None) -> BundleCase:
    bundle = bundle or publishing.publish(draft(), by=catalog_admin())
    upload = SimpleUploadedFile("申请书.pdf", b"%PDF-1.4\n%\n", content_type="application/pdf")
    return services.submit(
        bundle,
        user=applicant_person(),
        answers={"employs": "yes"},
        form_data={"purpose": "开办企业"},
        materials={"申请书": upload},
    )


def test_pages_render_for_the_catalog_administrator(client):
    bundle = draft()
    signed_in(client, catalog_admin())
    index = client.get(reverse("admin:index")).text
    assert reverse(CHANGELIST) in index
    assert reverse("admin:bundles_bundlecase_changelist") not in index
    listing = client.get(reverse(CHANGELIST))
    assert listing.status_code == 200 and "企业开办" in listing.text
    assert "发布" in listing.text and "新建版本" in listing.text
    assert client.get(reverse("admin:bundles_bundle_add")).status_code == 200
    page = client.get(reverse("admin:bundles_bundle_change", args=[bundle.pk]))
    assert page.status_code == 200
    assert 'name="items-0-order"' in page.text  # the items inline, editable
    assert "发布检查" in page.text and "通过,可以发布" in page.text


def test_a_draft_lacking_something_shows_what(client):
    bundle = draft(items=1)
    signed_in(client, catalog_admin())
    page = client.get(reverse("admin:bundles_bundle_change", args=[bundle.pk]))
    assert "至少包含两个事项" in page.text


def test_a_published_version_is_read_only(client):
    admin = catalog_admin()
    bundle = publishing.publish(draft(), by=admin)
    signed_in(client, admin)
    page = client.get(reverse("admin:bundles_bundle_change", args=[bundle.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.text and 'name="items-0-order"' not in page.text
    posted = client.post(reverse("admin:bundles_bundle_change", args=[bundle.pk]), {"name": "改名"})
    assert posted.status_code == 403
    bundle.refresh_from_db()
    assert bundle.name == "企业开办"
    assert client.get(reverse("admin:bundles_bundle_delete", args=[bundle.pk])).status_code == 403


@pytest.mark.parametrize("role", ["clerk", "approver", "dept_admin", "supervisor"])
def test_other_roles_are_refused(client, role):
    bundle = draft()
    signed_in(client, staff_with_role(role))
    assert client.get(reverse(CHANGELIST)).status_code == 403
    assert client.get(reverse("admin:bundles_bundle_add")).status_code == 403
    page = client.get(reverse("admin:bundles_bundle_change", args=[bundle.pk]))
    assert page.status_code in (302, 403)
    posted = client.post(
        reverse(CHANGELIST), {"action": "publish_selected", "_selected_action": [bundle.pk]}
    )
    assert posted.status_code == 403
    bundle.refresh_from_db()
    assert bundle.status == Bundle.Status.DRAFT


def test_adding_a_draft_with_its_items(client):
    first, second = form_item(), form_item()
    signed_in(client, catalog_admin())
    data = {
        "code": "chusheng",
        "name": "出生一件事",
        "description": "",
        "promised_days": "5",
        "questions": "[]",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-item": first.pk,
        "items-0-order": "1",
        "items-0-condition": "{}",
        "items-1-item": second.pk,
        "items-1-order": "2",
        "items-1-condition": "{}",
    }
    response = client.post(reverse("admin:bundles_bundle_add"), data)
    assert response.status_code == 302, response.context["errors"]
    bundle = Bundle.objects.get(code="chusheng")
    assert bundle.status == Bundle.Status.DRAFT and bundle.items.count() == 2
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"bundles.bundle.create", "bundles.bundle.items"} <= actions
    again = client.post(reverse("admin:bundles_bundle_add"), {**data, "items-TOTAL_FORMS": "0"})
    assert again.status_code == 200 and "新建版本" in again.text  # the code is taken


def test_the_actions_publish_and_start_a_new_version(client):
    bundle = draft()
    signed_in(client, catalog_admin())
    client.post(
        reverse(CHANGELIST), {"action": "publish_selected", "_selected_action": [bundle.pk]}
    )
    bundle.refresh_from_db()
    assert bundle.status == Bundle.Status.PUBLISHED
    client.post(
        reverse(CHANGELIST), {"action": "new_version_selected", "_selected_action": [bundle.pk]}
    )
    copy = Bundle.objects.get(code=bundle.code, version=2)
    assert copy.status == Bundle.Status.DRAFT and copy.items.count() == 3


def test_a_failing_action_says_why_and_changes_nothing(client):
    bundle = draft(items=1)
    signed_in(client, catalog_admin())
    response = client.post(
        reverse(CHANGELIST),
        {"action": "publish_selected", "_selected_action": [bundle.pk]},
        follow=True,
    )
    assert "至少包含两个事项" in response.text
    bundle.refresh_from_db()
    assert bundle.status == Bundle.Status.DRAFT


# --- filings ------------------------------------------------------------------------------


def test_a_filing_is_seen_by_its_departments_and_supervisors_only(client):
    filing = filed()
    child = filing.children.select_related("case", "bundle_item__item").first()
    url = reverse("admin:bundles_bundlecase_change", args=[filing.pk])
    listing = reverse("admin:bundles_bundlecase_changelist")
    clerk = staff_with_role("clerk", department=child.bundle_item.item.department)
    signed_in(client, clerk)
    assert filing.number in client.get(listing).text
    page = client.get(url)
    assert page.status_code == 200
    assert child.case.number in page.text and "等待前置事项" in page.text
    assert "王*明" in page.text and "王小明" not in page.text
    signed_in(client, staff_with_role("supervisor"))
    assert filing.number in client.get(listing).text
    signed_in(client, staff_with_role("clerk", department=DepartmentFactory()))
    assert filing.number not in client.get(listing).text
    assert client.get(url).status_code == 302  # "no such object": back to the index


@pytest.mark.parametrize("role", ["catalog_admin", "dept_admin", "system_admin"])
def test_filings_are_out_of_other_roles_reach(client, role):
    filed()
    signed_in(client, staff_with_role(role))
    assert client.get(reverse("admin:bundles_bundlecase_changelist")).status_code == 403


def test_the_filing_list_costs_the_same_for_more_filings(client):
    signed_in(client, staff_with_role("supervisor"))
    listing = reverse("admin:bundles_bundlecase_changelist")
    bundle = filed().bundle
    client.get(listing)
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(listing).status_code == 200
        counts.append(len(captured))
        filed(bundle)
        filed(bundle)
    assert BundleCase.objects.count() == 5 and counts[0] == counts[1]
