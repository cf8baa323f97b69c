"""Walking the chains: every record re-hashed, every link and every chain head checked.

The walk reads each chain in keyset chunks of ``seq`` (the unique index), so a chain of
millions of records is checked in constant memory, on SQLite and PostgreSQL alike.
"""

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from tongban.audit import hashing
from tongban.audit.models import AuditRecord, ChainHead

CHUNK_SIZE = 2000

# reason code → (Chinese, English); details are appended by the check that found it.
REASONS = {
    "hash_mismatch": (
        "记录内容与其摘要不符,记录在写入后被改动",
        "the record's content does not match its hash: it was changed after it was written",
    ),
    "prev_hash_mismatch": (
        "前一条摘要与链上前一条记录不符,前一条记录被改动、替换或删除",
        "prev_hash does not match the record before it: that record was changed, "
        "replaced or deleted",
    ),
    "seq_gap": (
        "链内序号不连续,之前的记录被删除",
        "the sequence has a gap: records before this one were deleted",
    ),
    "head_mismatch": (
        "链头与链上记录不符,链尾记录被删除或链头被改动",
        "the chain head does not match the records: the last records were deleted "
        "or the head was changed",
    ),
    "unknown_algorithm": (
        "记录的摘要算法无法识别",
        "the record names an unknown hash algorithm",
    ),
    "anchor_mismatch": (
        "与链外保存的链头锚点不符,链被删改或整体重算",
        "does not match the chain head anchored off-site: the chain was changed or rehashed",
    ),
}


@dataclass(frozen=True)
class ChainBreak:
    """The first broken place of one chain. ``record_id`` is None when the record is gone."""

    partition: int
    seq: int
    record_id: int | None
    reason: str
    detail: str = ""

    @property
    def message(self) -> str:
        return REASONS[self.reason][0] + (f"({self.detail})" if self.detail else "")

    @property
    def message_en(self) -> str:
        return REASONS[self.reason][1] + (f" ({self.detail})" if self.detail else "")


@dataclass
class VerifyResult:
    chains: int = 0
    records: int = 0
    seconds: float = 0.0
    breaks: list[ChainBreak] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks


def verify(partition: int | None = None, *, chunk_size: int = CHUNK_SIZE) -> VerifyResult:
    """Check every chain (or one partition) and report the first broken record of each."""
    started = time.perf_counter()
    heads = ChainHead.objects.all()
    records = AuditRecord.objects.order_by()
    if partition is not None:
        heads, records = heads.filter(partition=partition), records.filter(partition=partition)
    heads_at_start = {head.partition: head for head in heads}
    partitions = set(heads_at_start) | set(records.values_list("partition", flat=True).distinct())
    result = VerifyResult(chains=len(partitions))
    for number in sorted(partitions):
        checked, broken = _walk(number, heads_at_start.get(number), chunk_size)
        result.records += checked
        if broken:
            result.breaks.append(broken)
    result.seconds = time.perf_counter() - started
    return result


def anchors() -> list[dict]:
    """The current chain heads, to be kept off-site and checked later with ``check_anchors``."""
    return [
        {"partition": head.partition, "seq": head.seq, "hash": head.hash}
        for head in ChainHead.objects.order_by("partition")
    ]


def check_anchors(entries: list[Mapping]) -> list[ChainBreak]:
    """Breaks where the record at an anchored position is gone or has another hash.

    Hashes alone cannot reveal a chain rewritten and rehashed from the start; a head kept
    outside the database can.
    """
    breaks = []
    for entry in entries:
        partition, seq = int(entry["partition"]), int(entry["seq"])
        if seq == 0:
            continue
        found = AuditRecord.objects.filter(partition=partition, seq=seq).values("id", "hash")
        row = found.first()
        if row is None or row["hash"] != entry["hash"]:
            detail = f"anchored hash {entry['hash'][:16]}…"
            breaks.append(
                ChainBreak(partition, seq, row["id"] if row else None, "anchor_mismatch", detail)
            )
    return breaks


def _walk(partition: int, head: ChainHead | None, chunk_size: int) -> tuple[int, ChainBreak | None]:
    """Records checked, and the first break, walking one chain from its genesis."""
    expected_seq, expected_prev, last, checked = 1, hashing.GENESIS_HASH, None, 0
    for row in _rows(partition, chunk_size):
        checked += 1
        problem = _check_row(row, expected_seq, expected_prev, head)
        if problem:
            reason, detail = problem
            return checked, ChainBreak(partition, row["seq"], row["id"], reason, detail)
        expected_seq, expected_prev, last = row["seq"] + 1, row["hash"], row
    return checked, _check_end(partition, head, last)


def _rows(partition: int, chunk_size: int) -> Iterator[dict]:
    fields = ("id", "hash", *hashing.HASHED_FIELDS)
    chain = AuditRecord.objects.filter(partition=partition).order_by("seq").values(*fields)
    after = 0
    while True:
        chunk = list(chain.filter(seq__gt=after)[:chunk_size])
        yield from chunk
        if len(chunk) < chunk_size:
            return
        after = chunk[-1]["seq"]


def _check_row(row: dict, expected_seq: int, expected_prev: str, head: ChainHead | None):
    if row["seq"] != expected_seq:
        return "seq_gap", f"expected #{expected_seq}"
    if row["prev_hash"] != expected_prev:
        return "prev_hash_mismatch", ""
    if row["algorithm"] not in hashing.ALGORITHMS:
        return "unknown_algorithm", row["algorithm"]
    if hashing.content_hash(row) != row["hash"]:
        return "hash_mismatch", ""
    if head is not None and row["seq"] == head.seq and row["hash"] != head.hash:
        return "head_mismatch", "head hash differs"
    return None


def _check_end(partition: int, head: ChainHead | None, last: dict | None) -> ChainBreak | None:
    """The chain must reach the head read before the walk, and the head must not lag it.

    Records appended during the walk only move the head forward, so neither check
    misfires while the platform is writing.
    """
    last_seq = last["seq"] if last else 0
    last_id = last["id"] if last else None
    if head is not None and last_seq < head.seq:
        detail = f"head #{head.seq}, chain ends at #{last_seq}"
        return ChainBreak(partition, last_seq + 1, None, "head_mismatch", detail)
    current = ChainHead.objects.filter(partition=partition).first()
    if current is None:
        return ChainBreak(partition, last_seq, last_id, "head_mismatch", "head missing")
    if current.seq < last_seq:
        detail = f"head #{current.seq} behind chain #{last_seq}"
        return ChainBreak(partition, last_seq, last_id, "head_mismatch", detail)
    return None
