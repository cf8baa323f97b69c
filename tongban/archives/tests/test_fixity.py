"""Fixity: a stored package that changed in any way is found, marked, recorded and alarmed."""

import datetime
import json

import pytest
import time_machine
from django.core.management import call_command

from tongban.archives import fixity, packaging, sealing, services
from tongban.archives.models import ArchivePackage, FixityCheck
from tongban.archives.tests.factories import concluded_case, flip_byte, overwrite, rewrite
from tongban.audit.models import AuditRecord
from tongban.notify.models import Message
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import staff_with_role

pytestmark = pytest.mark.django_db
Status = ArchivePackage.Status


@pytest.fixture
def package(case):
    return services.build_package(case)


@pytest.fixture
def sysadmin():
    return staff_with_role(StaffMembership.Role.SYSTEM_ADMIN)


def kinds(check: FixityCheck) -> set[str]:
    return {finding["kind"] for finding in check.findings}


def alarms(user) -> list[Message]:
    return list(Message.objects.filter(recipient=user, template_code=fixity.TEMPLATE))


def test_an_untouched_package_passes(package, sysadmin):
    check = fixity.check_fixity(package)
    package.refresh_from_db()
    assert check.ok and check.findings == []
    assert package.status == Status.OK
    assert package.last_checked_at == check.at and package.last_check_ok is True
    assert not alarms(sysadmin)


def test_a_changed_byte_in_the_stored_package_is_found(package, sysadmin):
    flip_byte(package, offset=package.size // 2)
    check = fixity.check_fixity(package)
    package.refresh_from_db()
    assert not check.ok
    assert "package_changed" in kinds(check)
    assert package.status == Status.TAMPERED
    assert AuditRecord.objects.filter(
        action="archives.package.fixity", object_id=str(package.pk)
    ).exists()
    sent = alarms(sysadmin)
    assert sent and package.number in sent[0].body


def test_a_changed_file_is_named(package):
    material = next(e["path"] for e in package.manifest["files"] if e["path"].startswith("mat"))
    rewrite(package, lambda entries: entries.update({material: b"%PDF-1.4 forged"}))
    check = fixity.check_fixity(package)
    assert {"kind": "file_changed", "file": material} in [
        {"kind": f["kind"], "file": f["file"]} for f in check.findings
    ]


def test_a_missing_file_is_found(package):
    rewrite(package, lambda entries: entries.pop("events.json"))
    check = fixity.check_fixity(package)
    assert {"kind": "file_missing", "file": "events.json"} in check.findings
    assert package.status == Status.TAMPERED


def test_a_changed_manifest_is_found(package):
    def forge(entries):
        manifest = json.loads(entries[packaging.MANIFEST])
        manifest["files"] = manifest["files"][1:]
        entries[packaging.MANIFEST] = packaging.canonical(manifest)

    rewrite(package, forge)
    check = fixity.check_fixity(package)
    assert "manifest_changed" in kinds(check)


def test_an_added_file_is_found(package):
    rewrite(package, lambda entries: entries.update({"extra.txt": b"slipped in"}))
    assert {"kind": "file_unexpected", "file": "extra.txt"} in fixity.check_fixity(package).findings


def test_a_forged_signature_on_the_row_is_found(package):
    ArchivePackage.objects.filter(pk=package.pk).update(signature="AAAA")
    package.refresh_from_db()
    assert "signature_invalid" in kinds(fixity.check_fixity(package))


def test_a_deleted_package_file_is_missing(package, sysadmin):
    package.package.storage.delete(package.package.name)
    check = fixity.check_fixity(package)
    assert kinds(check) == {"missing"}
    assert package.status == Status.MISSING
    assert alarms(sysadmin)


def test_the_alarm_is_sent_once_per_change_of_status(package, sysadmin):
    flip_byte(package)
    fixity.check_fixity(package)
    fixity.check_fixity(package)
    assert FixityCheck.objects.filter(package=package, ok=False).count() == 2
    assert len(alarms(sysadmin)) == 1


def test_the_sweep_checks_the_longest_unchecked_first():
    first, second, third = (services.build_package(concluded_case()) for _ in range(3))
    with time_machine.travel(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)):
        fixity.check_fixity(second)
    with time_machine.travel(datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC)):
        fixity.check_fixity(first)
    assert fixity.sweep(limit=2) == {"checked": 2, "failed": 0}
    checked = FixityCheck.objects.order_by("-at", "-pk")[:2]
    assert {c.package_id for c in checked} == {third.pk, second.pk}


def test_the_command_checks_every_package_and_fails_on_a_change(package, capsys):
    other = services.build_package(concluded_case())
    flip_byte(other)
    with pytest.raises(SystemExit):
        call_command("archives_fixity")
    assert FixityCheck.objects.filter(package=package, ok=True).exists()
    assert FixityCheck.objects.filter(package=other, ok=False).exists()
    assert "2" in capsys.readouterr().out


def test_a_package_replaced_together_with_its_row_is_found(package):
    forged = b"PK\x05\x06" + b"\x00" * 18
    overwrite(package, forged)
    digests = sealing.digests(forged)
    ArchivePackage.objects.filter(pk=package.pk).update(
        sha256=digests.sha256, sm3=digests.sm3, size=digests.size
    )
    package.refresh_from_db()
    assert "record_changed" in kinds(fixity.check_fixity(package))
