"""The manifest: what a backup holds, written last, hashed over its canonical form.

The hash catches a damaged or hand-edited manifest. Anyone can recompute it, so it is also
written into the live platform's audit chain (``backup.create``): a manifest rewritten
together with its hash no longer matches that record.
"""

import hashlib
import json
from pathlib import Path

from tongban.core.backup import BackupError

FORMAT = "tongban-backup/1"
NAME = "manifest.json"
HASH_KEY = "manifest_sha256"
CHUNK = 1024 * 1024


def canonical_hash(manifest: dict) -> str:
    """SHA-256 of the manifest without its own hash: sorted keys, no spaces, UTF-8."""
    body = {key: value for key, value in manifest.items() if key != HASH_KEY}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write(directory: Path, manifest: dict) -> dict:
    """Seal the manifest with its hash and write it into ``directory``."""
    sealed = {**manifest, HASH_KEY: canonical_hash(manifest)}
    text = json.dumps(sealed, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    (directory / NAME).write_text(text, encoding="utf-8")
    return sealed


def read(directory: Path) -> dict:
    """The manifest of the backup in ``directory``, refused when it is not the one written."""
    path = Path(directory) / NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(
            f"{path} 不存在,不是备份目录", f"{path} is missing: not a backup"
        ) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path} 无法读取", f"{path} is not valid JSON") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"备份格式 {manifest.get('format')!r} 无法识别",
            f"unknown backup format {manifest.get('format')!r} (expected {FORMAT})",
        )
    if manifest.get(HASH_KEY) != canonical_hash(manifest):
        raise BackupError(
            "备份清单的摘要不符,清单被改动或损坏",
            "the manifest's hash does not match its content: it was changed or damaged",
        )
    return manifest


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
