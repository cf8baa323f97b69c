"""A full disk while storing uploads: a clear error, and nothing half-written.

``FullDisk`` is the real file-system storage whose disk holds ``room`` bytes more: the
write that crosses it fails with ENOSPC in the middle of the file, after the first part has
reached the disk (as on a real full disk). Whatever fails, no case, no material row, no
audit record, no message and no file (whole or fragment) may remain.
"""

import base64
import errno
from pathlib import Path

import pytest
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.audit.models import AuditRecord
from tongban.cases import intake, storing
from tongban.cases.models import Case, CaseEvent, Material
from tongban.cases.tests.factories import applicant_person, file_case, form_item
from tongban.notify.models import Message

pytestmark = pytest.mark.django_db
PIECE = 1024


class FullDisk(FileSystemStorage):
    """``room`` bytes left for all writes together; ``error`` what the disk answers then."""

    room = 0
    error = errno.ENOSPC

    def _save(self, name, content):
        return super()._save(name, _Metered(content))


class _Metered(File):
    def __init__(self, content):
        super().__init__(content.file, content.name)
        self.content = content

    def chunks(self, chunk_size=None):
        for chunk in self.content.chunks(PIECE):
            if len(chunk) > FullDisk.room:
                yield chunk[: FullDisk.room]  # this much reaches the disk before the error
                FullDisk.room = 0
                raise OSError(FullDisk.error, "No space left on device")
            FullDisk.room -= len(chunk)
            yield chunk


@pytest.fixture
def disk(settings, media):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.FullDisk", "OPTIONS": {"location": str(media)}},
    }
    FullDisk.room, FullDisk.error = 0, errno.ENOSPC
    return FullDisk


def pdf(name: str, size: int) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n" + b"0" * (size - 9)
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def materials(item, second: int = 50 * PIECE) -> list[dict]:
    """申请书 (4 KB) and a 补充材料 of ``second`` bytes: the second crosses a small room."""
    spec = item.current_guide.materials.get(name="申请书")
    return [
        {"spec": spec.pk, "file": pdf("申请书.pdf", 4 * PIECE)},
        {"name": "补充材料", "file": pdf("补充材料.pdf", second)},
    ]


def files_in(media: Path) -> list[Path]:
    return [path for path in Path(media).rglob("*") if path.is_file()]


def assert_nothing_filed(media) -> None:
    assert not Case.objects.exists() and not Material.objects.exists()
    assert not CaseEvent.objects.exists()
    assert not AuditRecord.objects.filter(action__startswith="cases.").exists()
    assert not Message.objects.exists()
    assert files_in(media) == []


def test_the_disk_filling_in_the_second_file_files_nothing_and_leaves_no_fragment(disk, media):
    item, applicant = form_item(), applicant_person()
    disk.room = 20 * PIECE  # the first file fits, the second stops half-way

    with pytest.raises(storing.StorageUnavailable) as refused:
        file_case(item, applicant, materials=materials(item))

    assert refused.value.message == "存储空间不足,材料未能保存,请稍后再试"
    assert refused.value.status == 503 and refused.value.fields == {}
    assert disk.room == 0  # the disk did fill: part of the second file had been written
    assert_nothing_filed(media)


def test_with_room_the_same_filing_stores_both_files(disk, media):
    item, applicant = form_item(), applicant_person()
    disk.room = 100 * PIECE

    case = file_case(item, applicant, materials=materials(item))

    uploads = case.materials.exclude(file="")
    assert uploads.count() == 2
    assert sorted(p.stat().st_size for p in files_in(media)) == [4 * PIECE, 50 * PIECE]


@pytest.mark.parametrize("room", [0, 3 * PIECE])
def test_no_room_at_all_or_a_part_of_the_first_file(disk, media, room):
    item, applicant = form_item(), applicant_person()
    disk.room = room

    with pytest.raises(storing.StorageUnavailable):
        file_case(item, applicant, materials=materials(item))

    assert_nothing_filed(media)


def test_another_storage_error_says_storage_is_unavailable(disk, media):
    item, applicant = form_item(), applicant_person()
    disk.room, disk.error = 10 * PIECE, errno.EIO

    with pytest.raises(storing.StorageUnavailable) as refused:
        file_case(item, applicant, materials=materials(item))

    assert refused.value.message == "材料存储暂不可用,材料未能保存,请稍后再试"
    assert_nothing_filed(media)


def test_a_failure_after_the_files_are_written_removes_them(disk, media, monkeypatch):
    """The database step after the files fails (the audit record here): files go too."""
    item, applicant = form_item(), applicant_person()
    disk.room = 100 * PIECE

    def broken(*args, **kwargs):
        raise RuntimeError("the audit store is down")

    monkeypatch.setattr(intake.history, "record", broken)
    with pytest.raises(RuntimeError):
        file_case(item, applicant, materials=materials(item))

    assert disk.room < 100 * PIECE  # both files had been written
    assert_nothing_filed(media)


def api_body(item) -> dict:
    spec = item.current_guide.materials.get(name="申请书")
    content = base64.b64encode(b"%PDF-1.4\n" + b"0" * 8 * PIECE).decode()
    file = {"name": "申请书.pdf", "content_type": "application/pdf", "content_base64": content}
    return {
        "item_code": item.implementation_code,
        "form_data": {"purpose": "测试申请"},
        "materials": [{"spec": spec.pk, "file": file}],
    }


def test_api_answers_503_with_retry_after_and_the_retry_files_once_there_is_room(
    disk, media, client
):
    item = form_item()
    client.force_login(applicant_person())
    disk.room = 2 * PIECE
    headers = {"HTTP_IDEMPOTENCY_KEY": "full-disk-1"}

    refused = client.post("/api/v1/cases", api_body(item), "application/json", **headers)

    assert refused.status_code == 503 and int(refused["Retry-After"]) > 0
    assert refused.json() == {
        "code": "storage_unavailable",
        "message": "存储空间不足,材料未能保存,请稍后再试",
        "message_en": "Storage is full: the materials were not saved. Please try again later",
        "fields": {},
    }
    assert_nothing_filed(media)

    disk.room = 100 * PIECE  # space freed: the same request with the same key goes through
    filed = client.post("/api/v1/cases", api_body(item), "application/json", **headers)
    assert filed.status_code == 201 and Case.objects.count() == 1
    assert len(files_in(media)) == 1


def test_web_form_comes_back_with_the_message(disk, media, client):
    item = form_item()
    client.force_login(applicant_person())
    spec = item.current_guide.materials.get(name="申请书")
    disk.room = 2 * PIECE

    form = {
        "token": "abc",
        "purpose": "测试申请",
        f"material_{spec.pk}": pdf("申请书.pdf", 8 * PIECE),
    }
    response = client.post(f"/items/{item.implementation_code}/apply/", form)

    assert response.status_code == 503
    page = response.content.decode()
    assert "存储空间不足,材料未能保存,请稍后再试" in page
    assert 'name="purpose"' in page and "测试申请" in page  # the form again, as filled
    assert_nothing_filed(media)


def test_a_resubmission_on_a_full_disk_leaves_the_case_as_it_was(disk, media):
    from tongban.cases import services
    from tongban.cases.tests.factories import clerk_of

    item, applicant = form_item(), applicant_person()
    disk.room = 100 * PIECE
    case = file_case(item, applicant, materials=materials(item, second=4 * PIECE))
    services.request_supplement(
        case, by=clerk_of(item), items=[{"material": "申请书", "reason": "模糊"}]
    )
    case.refresh_from_db()
    before = (case.status, case.round, case.materials.count(), sorted(files_in(media)))
    disk.room = 2 * PIECE
    spec = item.current_guide.materials.get(name="申请书")

    with pytest.raises(storing.StorageUnavailable):
        services.resubmit(
            case, by=applicant, materials=[{"spec": spec.pk, "file": pdf("新.pdf", 8 * PIECE)}]
        )

    case.refresh_from_db()
    assert (case.status, case.round, case.materials.count(), sorted(files_in(media))) == before
