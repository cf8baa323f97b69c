"""How a record's content becomes bytes and a hash: one definition for writing and verifying.

The canonical form is JSON with sorted keys, no spaces and Chinese kept as UTF-8, the
timestamp in UTC with microseconds. Changing anything here breaks every stored chain, so
the form is versioned by the algorithm name stored in each record, never edited in place.
"""

import datetime
import hashlib
import json
from collections.abc import Mapping

from cryptography.hazmat.primitives import hashes

GENESIS_HASH = "0" * 64
ALGORITHMS = ("sm3", "sha256")

# The fields a record's hash covers, besides prev_hash. ``hash`` and ``id`` are not content.
HASHED_FIELDS = (
    "partition",
    "seq",
    "at",
    "actor_id",
    "actor_repr",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "note",
    "ip",
    "request_id",
    "algorithm",
    "prev_hash",
)


def digest(algorithm: str, data: bytes) -> str:
    """Hex digest of ``data`` with SM3 (GB/T 32905) or SHA-256."""
    if algorithm == "sm3":
        hasher = hashes.Hash(hashes.SM3())
        hasher.update(data)
        return hasher.finalize().hex()
    if algorithm == "sha256":
        return hashlib.sha256(data).hexdigest()
    raise ValueError(f"unknown audit hash algorithm {algorithm!r}")


def utc_iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def _plain_numbers(value):
    """Whole floats as ints: PostgreSQL's jsonb gives 1e16 back as an int, SQLite as a float."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _plain_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain_numbers(item) for item in value]
    return value


def canonical(content: Mapping) -> bytes:
    """The bytes that are hashed: the hashed fields of ``content`` as canonical JSON."""
    values = {name: content[name] for name in HASHED_FIELDS}
    values["at"] = utc_iso(values["at"])
    values["ip"] = str(values["ip"]) if values["ip"] else None
    values["changes"] = _plain_numbers(values["changes"])
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def content_hash(content: Mapping) -> str:
    return digest(content["algorithm"], canonical(content))
