"""Writing an uploaded material to storage: all of it, or nothing and a clear error.

Django's ``FileSystemStorage`` leaves the part it wrote when a write fails (a full disk
raises ``ENOSPC`` in the middle of the file), and the file was never named to the caller.
``write`` removes that fragment and raises ``StorageUnavailable`` (503, Retry-After), so the
filing's transaction rolls back and ``materials.removed_on_error`` deletes the files written
before it: no case, no material rows, no audit record, no file left behind.
"""

import errno
import logging
from http import HTTPStatus

from tongban.errors import TongbanError

logger = logging.getLogger(__name__)
FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class StorageUnavailable(TongbanError):
    code = "storage_unavailable"
    status = HTTPStatus.SERVICE_UNAVAILABLE
    message = "存储空间不足,材料未能保存,请稍后再试"
    message_en = "Storage is full: the materials were not saved. Please try again later"
    retry_after = 300


def write(field_file, name: str, content) -> None:
    """Save ``content`` as ``field_file`` under ``name`` (its ``upload_to`` applied)."""
    storage = field_file.storage
    limit = field_file.field.max_length
    # A free name now, so that a failure's fragment is known to be ours.
    target = storage.get_available_name(
        field_file.field.generate_filename(field_file.instance, name), max_length=limit
    )
    try:
        field_file.name = storage.save(target, content, max_length=limit)
    except BaseException as exc:
        _discard(storage, target)
        if isinstance(exc, OSError):
            raise _unavailable(exc, target) from exc
        raise


def _discard(storage, name: str) -> None:
    """Delete what a failed write left under ``name`` (free before the write)."""
    try:
        storage.delete(name)
    except OSError:
        logger.exception("could not delete the fragment %s", name)


def _unavailable(exc: OSError, name: str) -> StorageUnavailable:
    logger.error("storing %s failed: %s", name, exc)
    if exc.errno in FULL:
        return StorageUnavailable()
    return StorageUnavailable(
        "材料存储暂不可用,材料未能保存,请稍后再试",
        "Storage is unavailable: the materials were not saved. Please try again later",
    )
