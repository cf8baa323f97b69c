import datetime
import json
import zoneinfo

import pytest
import time_machine
from django.db import transaction
from django.test import RequestFactory

from tongban.audit import hashing, services
from tongban.audit.errors import AppendOutsideChain, AuditRecordImmutable
from tongban.audit.models import AuditRecord, ChainHead
from tongban.audit.tests.factories import RecordFactory, UserFactory, chain
from tongban.errors import InvalidInput

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_sm3_matches_the_standard_test_vector():
    assert hashing.digest("sm3", b"abc") == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )


def test_canonical_form_is_sorted_compact_utf8_with_utc_microseconds():
    content = {name: "" for name in hashing.HASHED_FIELDS}
    content.update(
        at=datetime.datetime(2024, 5, 1, 9, 30, tzinfo=SHANGHAI),
        changes={"名称": ["旧", "新"]},
        ip=None,
        partition=3,
        seq=7,
    )
    text = hashing.canonical(content).decode("utf-8")

    assert text.startswith('{"action":"","actor_id":"","actor_repr":"","algorithm":"","at":')
    assert '"at":"2024-05-01T01:30:00.000000+00:00"' in text
    assert '"changes":{"名称":["旧","新"]}' in text
    assert " " not in text


def test_first_record_of_a_chain_links_to_the_genesis_hash():
    first = RecordFactory()

    assert first.seq == 1
    assert first.prev_hash == "0" * 64
    assert first.hash == first.compute_hash()


def test_each_record_carries_the_hash_of_the_one_before():
    first, second, third = chain(3)

    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    head = ChainHead.objects.get(partition=first.partition)
    assert (head.seq, head.hash) == (3, third.hash)


def test_one_objects_history_stays_in_one_chain():
    records = [RecordFactory(object_type="org.department", object_id="17") for _ in range(4)]

    assert {entry.partition for entry in records} == {records[0].partition}


def test_different_objects_spread_over_the_partitions(settings):
    settings.AUDIT_CHAIN_PARTITIONS = 16
    used = {services.partition_for("org.department", str(number)) for number in range(200)}

    assert len(used) == 16


def test_record_time_comes_from_the_platform_clock():
    moment = datetime.datetime(2024, 5, 1, 9, 30, 15, 123456, tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        entry = RecordFactory()

    entry = AuditRecord.objects.get(pk=entry.pk)
    assert entry.at == moment


def test_record_names_the_object_and_keeps_the_actor_as_they_were():
    actor = UserFactory(username="clerk1", first_name="王丽")
    subject = UserFactory(username="citizen7")

    entry = services.record(actor, "identity.user.update", subject, note="更正姓名")
    actor.username = "renamed"
    actor.save()

    entry = AuditRecord.objects.get(pk=entry.pk)
    assert entry.actor == actor
    assert entry.actor_repr == "clerk1(王丽)"
    assert (entry.object_type, entry.object_id, entry.object_repr) == (
        "identity.user",
        str(subject.pk),
        "citizen7",
    )
    assert entry.note == "更正姓名"


def test_explicit_object_fields_override_the_instance():
    subject = UserFactory()

    entry = services.record(
        None, "registry.person.read", subject, object_type="registry.person", object_id=1234
    )

    assert (entry.object_type, entry.object_id) == ("registry.person", "1234")
    assert entry.object_repr == str(subject)


def test_a_system_process_is_recorded_by_name():
    entry = services.record(
        "worker", "cases.deadline.warn", object_type="cases.case", object_id="9"
    )

    assert entry.actor is None
    assert entry.actor_repr == "worker"


def test_record_keeps_the_client_address_and_request_id():
    request = RequestFactory().post(
        "/", REMOTE_ADDR="10.61.1.24", headers={"X-Request-ID": "req-42"}
    )
    request.user = UserFactory()

    entry = services.record(request.user, "test.thing.update", request=request)

    entry = AuditRecord.objects.get(pk=entry.pk)
    assert str(entry.ip) == "10.61.1.24"
    assert entry.request_id == "req-42"
    assert entry.hash == entry.compute_hash()


@pytest.mark.parametrize("action", ["", "accept", "Case.Accept", "case accept", "x." * 60])
def test_record_refuses_an_action_that_is_not_dotted_lowercase(action):
    with pytest.raises(InvalidInput) as error:
        services.record(None, action)

    assert "action" in error.value.fields
    assert not AuditRecord.objects.exists()


def test_record_refuses_changes_that_cannot_be_stored_as_json():
    with pytest.raises(InvalidInput) as error:
        services.record(None, "test.thing.update", changes={"x": [object(), 1]})

    assert "changes" in error.value.fields


def test_whole_floats_in_changes_still_verify_after_the_database_round_trip():
    RecordFactory(changes={"amount": [1e16, 2.5], "ratio": [1.0, None]})

    assert services.verify().ok


def test_a_rolled_back_caller_leaves_no_record_and_no_head_advance():
    first = RecordFactory(object_id="rollback")

    with pytest.raises(RuntimeError), transaction.atomic():
        RecordFactory(object_id="rollback")
        raise RuntimeError("the caller's change failed")

    assert list(AuditRecord.objects.values_list("pk", flat=True)) == [first.pk]
    head = ChainHead.objects.get(partition=first.partition)
    assert (head.seq, head.hash) == (1, first.hash)


def test_the_algorithm_is_stored_per_record(settings):
    settings.AUDIT_HASH_ALGORITHM = "sha256"
    older = RecordFactory(object_id="algo")
    settings.AUDIT_HASH_ALGORITHM = "sm3"
    newer = RecordFactory(object_id="algo")

    assert (older.algorithm, newer.algorithm) == ("sha256", "sm3")
    assert older.hash == hashing.digest("sha256", hashing.canonical(older.content()))
    assert services.verify().ok


def test_saving_an_existing_record_is_refused():
    entry = AuditRecord.objects.get(pk=RecordFactory().pk)
    entry.note = "事后补充"

    with pytest.raises(AuditRecordImmutable):
        entry.save()

    assert AuditRecord.objects.get(pk=entry.pk).note == ""


def test_deleting_a_record_is_refused():
    entry = RecordFactory()

    with pytest.raises(AuditRecordImmutable):
        entry.delete()

    assert AuditRecord.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "bulk_write",
    [
        lambda records: records.update(note="改"),
        lambda records: records.delete(),
        lambda records: AuditRecord.objects.bulk_update(list(records), ["note"]),
    ],
    ids=["update", "delete", "bulk_update"],
)
def test_queryset_writes_are_refused(bulk_write):
    chain(2)

    with pytest.raises(AuditRecordImmutable):
        bulk_write(AuditRecord.objects.all())

    assert AuditRecord.objects.filter(note="").count() == 2


def test_records_written_around_the_service_are_refused():
    entry = AuditRecord(partition=0, seq=1, at=datetime.datetime.now(datetime.UTC), action="x.y")

    with pytest.raises(AppendOutsideChain):
        entry.save()
    with pytest.raises(AppendOutsideChain):
        AuditRecord.objects.bulk_create([entry])

    assert not AuditRecord.objects.exists()


def test_an_account_that_acted_cannot_be_deleted():
    from django.db.models import ProtectedError

    actor = UserFactory()
    RecordFactory(actor=actor)

    with pytest.raises(ProtectedError):
        actor.delete()


def test_snapshot_gives_json_safe_values_with_full_precision():
    moment = datetime.datetime(2024, 5, 1, 9, 30, 15, 123456, tzinfo=SHANGHAI)
    user = UserFactory(username="snap", date_joined=moment)

    values = services.snapshot(user, fields=["username", "date_joined", "is_active"])

    assert values == {
        "username": "snap",
        "date_joined": moment.isoformat(),
        "is_active": True,
    }
    assert json.loads(json.dumps(values)) == values


def test_diff_lists_only_changed_fields_with_old_and_new():
    before = {"name": "民政局", "short_name": "民政", "sort_order": 1}
    after = {"name": "周至县民政局", "short_name": "民政", "sort_order": 1, "parent": 3}

    assert services.diff(before, after) == {
        "name": ["民政局", "周至县民政局"],
        "parent": [None, 3],
    }


def test_diff_masks_hidden_fields_but_still_shows_they_changed():
    changes = services.diff({"password": "md5$old", "a": 1}, {"password": "md5$new", "a": 1})

    assert changes == {"password": ["***", "***"]}


def test_appending_takes_a_fixed_number_of_queries(django_assert_max_num_queries):
    RecordFactory(object_id="warm")
    actor = UserFactory()

    # head lock, insert, head move; no savepoint inside the caller's transaction
    with django_assert_max_num_queries(3):
        services.record(actor, "test.thing.update", object_type="test.thing", object_id="warm")


def _two_objects_in_different_chains() -> tuple[str, str]:
    ids = [str(n) for n in range(50)]
    first = ids[0]
    other = next(
        i for i in ids if services.partition_for("t.x", i) != services.partition_for("t.x", first)
    )
    return first, other


@pytest.mark.django_db
def test_one_transaction_appends_to_one_chain_so_heads_cannot_deadlock():
    first, other = _two_objects_in_different_chains()
    with transaction.atomic():
        a = services.record("worker", "t.x.one", object_type="t.x", object_id=first)
        b = services.record("worker", "t.x.two", object_type="t.x", object_id=other)
    assert a.partition == b.partition == services.partition_for("t.x", first)
    assert (b.seq, b.prev_hash) == (a.seq + 1, a.hash)
    with transaction.atomic():  # the next transaction chooses afresh
        c = services.record("worker", "t.x.three", object_type="t.x", object_id=other)
    assert c.partition == services.partition_for("t.x", other)
    assert services.verify().ok
