import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tongban.audit.tests.factories import chain

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_verify_audit_reports_intact_chains_with_counts():
    chain(3)

    out, _err = run("verify_audit")

    assert "审计链 / chains: 1" in out
    assert "已校验记录 / records checked: 3" in out
    assert "审计链完好 / all chains intact" in out


def test_verify_audit_fails_naming_the_first_broken_record():
    records = chain(3)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditrecord SET action = 'x.y' WHERE id = %s", [records[1].pk])
    err = io.StringIO()

    with pytest.raises(CommandError) as error:
        call_command("verify_audit", stdout=io.StringIO(), stderr=err)

    message = str(error.value)
    assert f"partition {records[1].partition}" in message
    assert "seq 2" in message
    assert f"record {records[1].pk}" in message
    assert "记录在写入后被改动" in message
    assert error.value.returncode == 1
    assert f"record {records[1].pk}" in err.getvalue()


def test_verify_audit_names_a_deleted_record_as_deleted():
    records = chain(2)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditrecord WHERE id = %s", [records[1].pk])

    with pytest.raises(CommandError, match=r"seq 2 记录 record 已删除/deleted"):
        run("verify_audit")


def test_verify_audit_checks_one_partition_when_asked():
    good = chain(2, object_id="k1")
    bad = chain(2, object_id="k2")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditrecord SET note = 'x' WHERE id = %s", [bad[0].pk])

    out, _err = run("verify_audit", "--partition", str(good[0].partition))

    assert "已校验记录 / records checked: 2" in out
    with pytest.raises(CommandError):
        run("verify_audit", "--partition", str(bad[0].partition))


def test_exported_anchors_reveal_a_truncated_chain(tmp_path):
    records = chain(3)
    anchor_file = tmp_path / "heads.json"
    run("audit_anchor", "--output", str(anchor_file))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditrecord WHERE id = %s", [records[-1].pk])
        cursor.execute(
            "UPDATE audit_chainhead SET seq = 2, hash = %s WHERE partition = %s",
            [records[1].hash, records[0].partition],
        )

    run("verify_audit")
    with pytest.raises(CommandError, match="链外保存的链头锚点"):
        run("verify_audit", "--anchors", str(anchor_file))


def test_audit_anchor_prints_the_heads():
    records = chain(2)

    out, _err = run("audit_anchor")

    heads = json.loads(out)["heads"]
    assert heads == [{"partition": records[0].partition, "seq": 2, "hash": records[1].hash}]
