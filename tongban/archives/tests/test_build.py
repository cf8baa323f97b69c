"""Building a concluded case's archive package: when, what is in it, hashes, signature."""

import base64
import datetime
import hashlib
import io
import json
import subprocess
import zipfile

import pytest
from cryptography.hazmat.primitives import hashes

from tongban.archives import packaging, retention, sealing, services
from tongban.archives.models import ArchivePackage, Retention
from tongban.archives.tests.factories import MATERIAL_BODY, concluded_case
from tongban.audit.models import AuditRecord
from tongban.cases import services as case_services
from tongban.cases.models import ResultType
from tongban.cases.tests.factories import applicant_person, clerk_of, file_case, form_item
from tongban.errors import Conflict

pytestmark = pytest.mark.django_db

SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def members(package) -> dict[str, bytes]:
    with package.package.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    return {name: archive.read(name) for name in archive.namelist()}


def test_a_case_is_archived_once_its_conclusion_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = concluded_case()
    package = ArchivePackage.objects.get(case=case)
    assert package.status == ArchivePackage.Status.OK
    assert AuditRecord.objects.filter(
        action="archives.package.build", object_id=str(package.pk)
    ).exists()


def test_building_again_returns_the_same_package(case):
    first = services.build_package(case)
    again = services.build_package(case)
    assert again.pk == first.pk
    assert ArchivePackage.objects.count() == 1


def test_a_case_still_running_is_not_archived():
    item = form_item()
    case = case_services.accept(file_case(item, applicant_person()), by=clerk_of(item))
    with pytest.raises(Conflict):
        services.build_package(case)
    assert not ArchivePackage.objects.exists()


def test_the_package_holds_the_case_its_history_materials_and_result(case):
    files = members(services.build_package(case))
    material = next(name for name in files if name.startswith("materials/"))
    assert files[material] == MATERIAL_BODY
    assert files["result/result.pdf"].startswith(b"%PDF")
    record = json.loads(files["case.json"])
    assert record["number"] == case.number
    assert record["result_type"] == ResultType.APPROVAL
    assert [e["verb"] for e in json.loads(files["events.json"])][-2:] == ["approve", "conclude"]
    actions = {r["action"] for r in json.loads(files["audit.json"])}
    assert {"cases.case.accept", "cases.case.approve", "cases.case.conclude"} <= actions
    assert {"records.json", "workflow.json", *packaging.CONTROL_FILES} <= set(files)


def test_the_manifest_lists_every_file_with_its_size_sha256_and_sm3(case):
    package = services.build_package(case)
    files = members(package)
    listed = {entry["path"]: entry for entry in package.manifest["files"]}
    assert set(listed) == set(files) - set(packaging.CONTROL_FILES)
    for path, entry in listed.items():
        sm3 = hashes.Hash(hashes.SM3())
        sm3.update(files[path])
        assert entry["size"] == len(files[path])
        assert entry["sha256"] == hashlib.sha256(files[path]).hexdigest()
        assert entry["sm3"] == sm3.finalize().hex()
    assert json.loads(files[packaging.MANIFEST]) == package.manifest
    stored = package.package.open("rb").read()
    assert package.sha256 == hashlib.sha256(stored).hexdigest()


def test_sm3_is_the_standard_one():
    assert sealing.digests(b"abc").sm3 == SM3_ABC


def test_the_manifest_signature_verifies_and_fails_for_other_bytes(case):
    package = services.build_package(case)
    files = members(package)
    manifest = files[packaging.MANIFEST]
    assert base64.b64decode(package.signature) == files[packaging.SIGNATURE]
    assert files[packaging.PUBLIC_KEY].decode() == package.signer_public_key
    assert sealing.verify(manifest, package.signature, package.signer_public_key)
    assert not sealing.verify(manifest + b" ", package.signature, package.signer_public_key)


def test_openssl_verifies_the_manifest_signature(case, tmp_path):
    files = members(services.build_package(case))
    for name in packaging.CONTROL_FILES:
        (tmp_path / name).write_bytes(files[name])
    command = [
        "openssl", "pkeyutl", "-verify", "-rawin", "-digest", "sm3",
        "-pkeyopt", "distid:1234567812345678", "-pubin",
        "-inkey", str(tmp_path / packaging.PUBLIC_KEY),
        "-sigfile", str(tmp_path / packaging.SIGNATURE),
        "-in", str(tmp_path / packaging.MANIFEST),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_applicant_and_personal_form_fields_are_masked(case):
    files = members(services.build_package(case))
    record = json.loads(files["case.json"])
    full = str(case.applicant_id_number)
    assert full.encode() not in b"".join(files.values())
    assert record["applicant"]["id_number"] == full[:6] + "*" * 8 + full[-4:]
    assert "1 号" not in record["form"]["address"]
    assert record["form"]["purpose"] == "开办超市"


@pytest.mark.parametrize(
    ("result_type", "code", "years"),
    [
        (ResultType.APPROVAL, Retention.PERMANENT, None),
        (ResultType.LICENSE, Retention.PERMANENT, None),
        (ResultType.DOCUMENT, Retention.YEARS_30, 30),
        (ResultType.REFUSAL, Retention.YEARS_10, 10),
    ],
)
def test_retention_follows_the_result_type(result_type, code, years):
    case = concluded_case(result_type, deny=result_type == ResultType.REFUSAL)
    package = services.build_package(case)
    assert package.retention == code
    concluded = retention.concluded_on(case)
    expected = datetime.date(concluded.year + years, 12, 31) if years else None
    assert package.keep_until == expected


def test_the_archive_number_names_fonds_year_retention_department_and_case(case, settings):
    settings.ARCHIVES_FONDS = "610124"
    package = services.build_package(case)
    year = retention.concluded_on(case).year
    assert package.number == f"610124-{year}-Y-{case.department.code}-{case.pk:06d}"


def test_a_license_case_without_its_license_yet_is_archived_without_it():
    """No license type is bound to the item, so none is issued; the backend cannot defer."""
    case = concluded_case(ResultType.LICENSE)
    from tongban.archives import tasks

    number = tasks.build_archive.enqueue(case.pk).return_value
    package = ArchivePackage.objects.get(case=case)
    assert package.number == number
    assert package.has_license is False
    assert package.manifest["license_included"] is False


def test_a_license_issued_on_conclusion_is_in_the_package(django_capture_on_commit_callbacks):
    from tongban.licenses.models import License
    from tongban.licenses.tests.factories import bound_type

    item = form_item()
    bound_type(item)
    with django_capture_on_commit_callbacks(execute=True):
        case = concluded_case(ResultType.LICENSE, item=item)
    issued = License.objects.get(case=case)
    package = ArchivePackage.objects.get(case=case)
    files = members(package)
    assert package.has_license and package.manifest["license_included"] is True
    assert files[f"license/{issued.identifier}.pdf"] == issued.pdf.open("rb").read()
    assert json.loads(files[f"license/{issued.identifier}.json"])["number"] == issued.number


def test_listing_packages_does_not_query_per_row(django_assert_max_num_queries):
    from tongban.org.models import StaffMembership
    from tongban.org.tests.factories import staff_with_role

    for _ in range(3):
        services.build_package(concluded_case())
    supervisor = staff_with_role(StaffMembership.Role.SUPERVISOR)
    services.search(supervisor)  # warm the role cache the way a request would
    with django_assert_max_num_queries(4):
        rows, _cursor = services.search(supervisor)
        assert [(p.case.number, p.case.guide.name, p.case.department.name) for p in rows]
