"""One check for every file the platform accepts: an allowed type, a size limit, and content
sniffing (the first bytes, and for zip-based formats the parts inside, must be the type the
file claims by its declared content type and by its name's extension).

``problem(file, kinds=("pdf", "png"), max_bytes=…, label="身份证")`` answers the Chinese-first
message for a refused file or ``None``; ``sniff(file)`` names the kind the bytes really are.
Each upload point keeps its own limit and list (cases/materials.py, metrics/ledger.py,
cases/schedules.py); the refusal messages read the same everywhere.
"""

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath


@dataclass(frozen=True)
class Kind:
    label: str
    content_types: tuple[str, ...]
    extensions: tuple[str, ...]


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .doc and .xls
KINDS = {
    "pdf": Kind("PDF", ("application/pdf",), (".pdf",)),
    "jpeg": Kind("JPG", ("image/jpeg", "image/pjpeg"), (".jpg", ".jpeg")),
    "png": Kind("PNG", ("image/png",), (".png",)),
    "ofd": Kind("OFD", ("application/ofd",), (".ofd",)),
    "docx": Kind(
        "Word",
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
        (".docx",),
    ),
    "xlsx": Kind(
        "Excel",
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
        (".xlsx",),
    ),
    "doc": Kind("Word 97-2003", ("application/msword",), (".doc",)),
    "xls": Kind("Excel 97-2003", ("application/vnd.ms-excel",), (".xls",)),
}
DECLARED = {
    content_type: kind for kind, spec in KINDS.items() for content_type in spec.content_types
}
# The part inside the zip that makes it the kind (OOXML: ECMA-376 part 2; OFD: GB/T 33190).
ZIP_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "ofd": "OFD.xml"}
HEAD = 8


def sniff(file) -> str | None:
    """The kind the file's bytes are (a key of ``KINDS``), or ``None``; left at its start."""
    file.seek(0)
    head = file.read(HEAD)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(OLE2):
        return "ole2"  # .doc or .xls: the container is told, not which of them
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(file)
    return None


def _zip_kind(file) -> str | None:
    try:
        file.seek(0)
        data = file.read()
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    finally:
        file.seek(0)
    if "[Content_Types].xml" in names:
        for kind in ("docx", "xlsx"):
            if ZIP_PARTS[kind] in names:
                return kind
    return "ofd" if ZIP_PARTS["ofd"] in names else None


def kind_of(file, kinds) -> str | None:
    """The allowed kind ``file`` is, when its bytes, declared type and extension agree."""
    found = sniff(file)
    if found == "ole2":
        found = next((k for k in ("doc", "xls") if k in kinds and _claims(file, k)), None)
    if found not in kinds or not _claims(file, found):
        return None
    return found


def _claims(file, kind: str) -> bool:
    """Whether the extension, where given, names ``kind`` and the declared type names no
    other kind (browsers send "text/plain" or nothing for types they do not know)."""
    name = getattr(file, "name", "") or ""
    suffix = PurePath(name).suffix.lower()
    if suffix and suffix not in KINDS[kind].extensions:
        return False
    declared = (getattr(file, "content_type", None) or "").split(";")[0].strip().lower()
    return DECLARED.get(declared, kind) == kind


def problem(file, *, kinds, max_bytes: int, label: str) -> str | None:
    """Why ``file`` is refused (Chinese first, then English), or ``None`` when it is fine."""
    if file is None or not hasattr(file, "read"):
        return f"请上传“{label}”的文件 / a file is required"
    size = _size(file)
    if not size:
        return f"“{label}”的文件是空的 / the file is empty"
    if size > max_bytes:
        return f"“{label}”的文件超过 {_megabytes(max_bytes)} / larger than {_megabytes(max_bytes)}"
    if kind_of(file, kinds) is None:
        names = "、".join(dict.fromkeys(KINDS[k].label for k in kinds))
        return f"“{label}”只能是 {names} 文件 / {names.replace('、', ', ')} only"
    return None


def _size(file) -> int:
    size = getattr(file, "size", None)
    if size is None:  # a plain stream (a file opened by a command, a BytesIO)
        size = file.seek(0, io.SEEK_END)
        file.seek(0)
    return size


def _megabytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB"
