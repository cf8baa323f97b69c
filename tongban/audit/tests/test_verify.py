import threading

import pytest
from django.db import connection

from tongban.audit import services
from tongban.audit.models import AuditRecord, ChainHead
from tongban.audit.tests.factories import chain

pytestmark = pytest.mark.django_db


def sql(statement: str, params=()) -> None:
    """Change the tables the way an intruder with database access would: around the ORM."""
    with connection.cursor() as cursor:
        cursor.execute(statement, list(params))


def only_break(result):
    assert len(result.breaks) == 1, result.breaks
    return result.breaks[0]


def test_intact_chains_verify():
    chain(3, object_id="a")
    chain(2, object_id="b")
    partitions = {services.partition_for("test.thing", key) for key in ("a", "b")}

    result = services.verify()

    assert result.ok
    assert (result.chains, result.records) == (len(partitions), 5)


def test_an_empty_log_verifies():
    result = services.verify()

    assert result.ok
    assert (result.chains, result.records) == (0, 0)


def test_a_record_changed_by_sql_is_named():
    records = chain(4)
    target = records[1]
    sql("UPDATE audit_auditrecord SET object_repr = %s WHERE id = %s", ["改过的对象", target.pk])

    broken = only_break(services.verify())

    assert (broken.record_id, broken.partition, broken.seq) == (
        target.pk,
        target.partition,
        2,
    )
    assert broken.reason == "hash_mismatch"
    assert "改动" in broken.message
    assert "changed" in broken.message_en


def test_a_changed_record_whose_hash_was_recomputed_breaks_the_next_link():
    _first, second, third = chain(3)
    changed = AuditRecord.objects.get(pk=second.pk)
    changed.note = "伪造的备注"
    sql(
        "UPDATE audit_auditrecord SET note = %s, hash = %s WHERE id = %s",
        [changed.note, changed.compute_hash(), second.pk],
    )

    broken = only_break(services.verify())

    assert (broken.record_id, broken.seq, broken.reason) == (third.pk, 3, "prev_hash_mismatch")


def test_a_deleted_middle_record_is_reported_at_the_gap():
    records = chain(5)
    sql("DELETE FROM audit_auditrecord WHERE id = %s", [records[2].pk])

    broken = only_break(services.verify())

    assert (broken.record_id, broken.seq, broken.reason) == (records[3].pk, 4, "seq_gap")


def test_a_deleted_last_record_is_reported_as_a_head_mismatch():
    records = chain(3)
    sql("DELETE FROM audit_auditrecord WHERE id = %s", [records[-1].pk])

    broken = only_break(services.verify())

    assert (broken.partition, broken.seq, broken.record_id) == (records[0].partition, 3, None)
    assert broken.reason == "head_mismatch"
    assert "#3" in broken.message_en


def test_a_chain_whose_records_were_all_deleted_is_reported():
    records = chain(2)
    sql("DELETE FROM audit_auditrecord")

    broken = only_break(services.verify())

    assert (broken.partition, broken.seq, broken.reason) == (
        records[0].partition,
        1,
        "head_mismatch",
    )


def test_a_tampered_head_hash_is_reported_at_the_last_record():
    records = chain(2)
    sql(
        "UPDATE audit_chainhead SET hash = %s WHERE partition = %s",
        ["f" * 64, records[0].partition],
    )

    broken = only_break(services.verify())

    assert (broken.record_id, broken.reason) == (records[-1].pk, "head_mismatch")


def test_a_missing_head_is_reported():
    records = chain(2)
    sql("DELETE FROM audit_chainhead WHERE partition = %s", [records[0].partition])

    broken = only_break(services.verify())

    assert (broken.record_id, broken.reason, broken.detail) == (
        records[-1].pk,
        "head_mismatch",
        "head missing",
    )


def test_a_head_moved_back_behind_the_chain_is_reported():
    records = chain(3)
    sql(
        "UPDATE audit_chainhead SET seq = 2, hash = %s WHERE partition = %s",
        [records[1].hash, records[0].partition],
    )

    broken = only_break(services.verify())

    assert (broken.record_id, broken.reason) == (records[-1].pk, "head_mismatch")


def test_an_unknown_algorithm_is_reported():
    (entry,) = chain(1)
    sql("UPDATE audit_auditrecord SET algorithm = 'md5' WHERE id = %s", [entry.pk])

    broken = only_break(services.verify())

    assert (broken.record_id, broken.reason) == (entry.pk, "unknown_algorithm")


def test_every_broken_chain_is_reported_and_intact_ones_are_not():
    keys = ["k1", "k2", "k3"]
    assert len({services.partition_for("test.thing", key) for key in keys}) == 3
    broken_a, broken_b, intact = (chain(2, object_id=key) for key in keys)
    for records in (broken_a, broken_b):
        sql("UPDATE audit_auditrecord SET note = 'x' WHERE id = %s", [records[0].pk])

    result = services.verify()

    assert sorted(item.record_id for item in result.breaks) == sorted(
        [broken_a[0].pk, broken_b[0].pk]
    )
    assert intact[0].partition not in {item.partition for item in result.breaks}


def test_one_partition_can_be_verified_alone():
    good = chain(2, object_id="k1")
    bad = chain(2, object_id="k2")
    sql("UPDATE audit_auditrecord SET note = 'x' WHERE id = %s", [bad[0].pk])

    assert services.verify(good[0].partition).ok
    assert not services.verify(bad[0].partition).ok


def test_the_walk_crosses_chunk_boundaries():
    records = chain(7)
    sql("UPDATE audit_auditrecord SET note = 'x' WHERE id = %s", [records[5].pk])

    result = services.verify(chunk_size=2)

    assert only_break(result).seq == 6
    assert result.records == 6


def test_a_chain_rehashed_from_the_start_escapes_the_hashes_but_not_the_anchors():
    records = chain(3)
    anchored = services.anchors()
    # The intruder drops the last record and moves the head back: every link still holds.
    sql("DELETE FROM audit_auditrecord WHERE id = %s", [records[-1].pk])
    sql(
        "UPDATE audit_chainhead SET seq = 2, hash = %s WHERE partition = %s",
        [records[1].hash, records[0].partition],
    )

    assert services.verify().ok
    (broken,) = services.check_anchors(anchored)
    assert (broken.partition, broken.seq, broken.record_id, broken.reason) == (
        records[0].partition,
        3,
        None,
        "anchor_mismatch",
    )


def test_anchors_of_an_untouched_log_match():
    chain(3)
    anchored = services.anchors()
    chain(2)

    assert anchored and services.check_anchors(anchored) == []


def _on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serves one writer at a time (IMMEDIATE transactions); "
            "concurrent appends are only meaningful on PostgreSQL"
        )


def _run_threads(target, count: int) -> list[BaseException]:
    errors: list[BaseException] = []

    def run(index):
        try:
            target(index)
        except BaseException as exc:  # reported to the test thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_to_one_chain_stay_in_order():
    _on_postgresql()
    writers, each = 6, 25
    start = threading.Barrier(writers)

    def append(_index):
        start.wait(timeout=30)
        for _ in range(each):
            services.record("worker", "test.thing.update", object_type="test.thing", object_id="1")

    assert _run_threads(append, writers) == []

    partition = services.partition_for("test.thing", "1")
    seqs = list(
        AuditRecord.objects.filter(partition=partition)
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    assert seqs == list(range(1, writers * each + 1))
    assert ChainHead.objects.get(partition=partition).seq == writers * each
    assert services.verify().ok


@pytest.mark.django_db(transaction=True)
def test_a_writer_holding_one_chain_does_not_block_another_chain():
    from django.db import transaction

    _on_postgresql()
    first_key, other_key = "k1", "k2"
    assert services.partition_for("test.thing", first_key) != services.partition_for(
        "test.thing", other_key
    )
    holding, other_done = threading.Event(), threading.Event()
    seen_while_holding = []

    def hold_then_wait(_index):
        with transaction.atomic():
            services.record(
                "worker", "test.thing.update", object_type="test.thing", object_id=first_key
            )
            holding.set()
            seen_while_holding.append(other_done.wait(timeout=10))

    def append_elsewhere(_index):
        holding.wait(timeout=10)
        services.record(
            "worker", "test.thing.update", object_type="test.thing", object_id=other_key
        )
        other_done.set()

    def either(index):
        (hold_then_wait if index == 0 else append_elsewhere)(index)

    assert _run_threads(either, 2) == []
    # True only if the second writer finished while the first still held its chain's lock.
    assert seen_while_holding == [True]
    assert services.verify().ok
