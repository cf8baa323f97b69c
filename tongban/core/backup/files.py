"""The stored files: copied (or hard-linked) with their hashes, restored, checked.

Files are collected after the database snapshot. A file is written to storage before the
row naming it commits, so every file the snapshot names is complete by then; files added
since are copied too and are harmless (nothing names them). Stored files are never
rewritten in place, which is what makes a hard link a faithful copy; on the same disk it is
no protection against losing that disk, which is what the off-site copy is for.
"""

import hashlib
import os
import shutil
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.db import models

from tongban.core.backup import BackupError
from tongban.core.backup.manifest import CHUNK, file_sha256

ROOT = "files"


def collect(media_root: Path, target: Path, *, skip: set[Path]) -> dict:
    """Copy every regular file under ``media_root`` into ``target``; the manifest's part."""
    entries, linked, excluded = [], 0, []
    for path in _walk(media_root):
        name = path.relative_to(media_root).as_posix()
        if path.resolve() in skip:
            excluded.append(name)
            continue
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            if _link(path, destination):
                linked += 1
                size, digest = destination.stat().st_size, file_sha256(destination)
            else:
                size, digest = _copy(path, destination)
        except FileNotFoundError:
            continue  # removed since the walk: newer than the snapshot, so nothing names it
        entries.append({"path": name, "size": size, "sha256": digest})
    return {
        "root": ROOT,
        "count": len(entries),
        "bytes": sum(entry["size"] for entry in entries),
        "linked": linked,
        "excluded": excluded,
        "entries": entries,
    }


def restore(part: dict, source: Path, media_root: Path) -> None:
    """Copy the backed-up files into an empty ``media_root`` (copies, never links: the
    restored instance must not share the backup's inodes)."""
    ensure_empty(media_root)
    for entry in part["entries"]:
        name = _safe(entry["path"])
        destination = media_root / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, destination)


def ensure_empty(media_root: Path) -> None:
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(
            f"目标文件目录 {media_root} 不是空的,只能恢复到新的空实例",
            f"the target media root {media_root} is not empty: restore into a fresh instance only",
        )


def differences(part: dict, media_root: Path) -> list[str]:
    """Every listed file missing or changed under ``media_root``, and every unlisted file."""
    found = []
    listed = set()
    for entry in part["entries"]:
        name = _safe(entry["path"])
        listed.add(name)
        path = media_root / name
        if not path.is_file():
            found.append(f"文件缺失 / file missing: {name}")
        elif path.stat().st_size != entry["size"] or file_sha256(path) != entry["sha256"]:
            found.append(f"文件内容不同 / file differs (SHA-256): {name}")
    for path in _walk(media_root):
        name = path.relative_to(media_root).as_posix()
        if name not in listed:
            found.append(f"备份中没有的文件 / file not in the backup: {name}")
    return found


def missing_referenced(media_root: Path) -> list[str]:
    """Files the database names that are not under ``media_root``."""
    missing = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.FileField):
                continue
            names = (
                model._base_manager.exclude(**{field.name: ""})
                .exclude(**{f"{field.name}__isnull": True})
                .values_list(field.name, flat=True)
            )
            label = f"{model._meta.label}.{field.name}"
            missing += [
                f"数据库引用的文件缺失 / file named by {label} missing: {name}"
                for name in names.iterator()
                if not (media_root / name).is_file()
            ]
    return missing


def _walk(root: Path):
    if not root.exists():
        return
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path


def _link(source: Path, destination: Path) -> bool:
    try:
        os.link(source, destination)
    except OSError:
        return False  # another filesystem, or links not allowed: copy instead
    return True


def _copy(source: Path, destination: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with open(source, "rb") as reader, open(destination, "wb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
            size += len(chunk)
    shutil.copystat(source, destination)
    return size, digest.hexdigest()


def _safe(name: str) -> str:
    """A manifest path that stays inside the directory it is joined to."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"备份清单中的路径不安全:{name}", f"unsafe path in the manifest: {name}")
    return path.as_posix()
