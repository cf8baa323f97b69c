"""证照核验: public verification of a license by its identifier or by its PDF.

``verify(text)``: a malformed identifier or a wrong check character → ``InvalidIdentifier``
(400, with the reason); well-formed but not in the register, whichever authority it names →
``NotFound`` (404); known → what a verifier may see (``public_view``): the holder masked, type,
issuer, validity, state, and whether the signatures hold.

The signature check (the SM2 signature of ``signed_data`` with the issuer's key, the metadata
still what the row says, the stored PDF's hash and PAdES signature) is computed once per
version and kept in the cache (``LICENSES_SIGNATURE_CACHE_SECONDS``, and for a minute in the
process), so a verification costs one query, its ``LicenseAccess`` row and cache
reads. The state is read from the row every time: a revocation shows at once. The log rows
are written in batches (``AccessBuffer``).

``check_pdf(data)``: an uploaded PDF's signature (``verify_pdf``) and whether it is a license
of the register: its SHA-256 is a license's ``pdf_sha256``, or the identifier it carries names
a license whose stored file it starts with (later incremental updates appended).

Every public attempt counts against a limit per client address (the shared cache, fixed
windows), like case tracking.
"""

import atexit
import hashlib
import logging
import re
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection

from tongban.core import clock, throttle
from tongban.core.pii import mask
from tongban.errors import InvalidInput, NotFound
from tongban.licenses import identifiers, issuance, sealing
from tongban.licenses.models import HolderType, License, LicenseAccess
from tongban.licenses.services import STATE_LABELS, State, state_of

logger = logging.getLogger(__name__)
MAX_PDF_BYTES = 10 * 1024 * 1024
FLUSH_ROWS = 200
LOCAL_SECONDS = 60
EMBEDDED = re.compile(rb"1\.2\.156\.3005\.2\.[0-9A-Z*.]{20,120}")
NOT_FOUND = ("证照库中没有该证照标识对应的证照", "No license in the register has this identifier")
LOCAL_MAX = 10_000
# What a verification reads from the row each time: the state and what keys the caches.
LIVE_FIELDS = ("pk", "status", "valid_to", "revoked_at", "pdf_sha256", "sm2_signature")

_local: dict[tuple, tuple[float, dict]] = {}
_local_lock = threading.Lock()


def verify(text: str, *, ip: str | None, actor=None, channel: str = "api") -> dict:
    """The public view of the license ``text`` names (see the module's docstring)."""
    limit(ip)
    parsed = identifiers.parse(text)
    row = License.objects.filter(identifier=str(parsed)).values(*LIVE_FIELDS).first()
    if row is None:
        raise NotFound(*NOT_FOUND)
    view = _view(row)
    log(row["pk"], actor=actor, note=channel)
    return view


def public_view(lic: License) -> dict:
    """What a verifier sees of ``lic``: its fixed data, state and signature status."""
    return _view({name: getattr(lic, name) for name in LIVE_FIELDS})


def _view(row: dict) -> dict:
    found = state_of(row["status"], row["valid_to"])
    label, label_en = STATE_LABELS[found]
    fixed = fixed_view(row["pk"])
    return {
        **fixed,
        "status": found,
        "status_label": label,
        "status_label_en": label_en,
        "revoked_at": row["revoked_at"],
        "latest_identifier": latest_identifier(fixed) if found == State.SUPERSEDED else None,
        "signature": signature_status(row),
    }


def fixed_view(pk: int) -> dict:
    """What never changes in a license version (a change or renewal is a new version; a
    revocation changes only the state): read once, then kept in the process for a while."""
    now = time.monotonic()
    hit = _local.get(("fixed", pk))
    if hit and hit[0] > now:
        return hit[1]
    lic = License.objects.select_related("license_type", "issuer").defer("signed_data").get(pk=pk)
    fixed = {
        "identifier": lic.identifier,
        "license_name": lic.license_type.name,
        "license_type_code": lic.license_type.code,
        "defining_authority": lic.license_type.authority_name,
        "number": lic.number,
        "version": lic.version,
        "holder": masked_holder(lic),
        "issuer": {"name": lic.issuer.name, "code": lic.issuer.uscc},
        "issued_on": lic.issued_on,
        "valid_from": lic.valid_from,
        "valid_to": lic.valid_to,
    }
    _remember(("fixed", pk), fixed, now)
    return fixed


def masked_holder(lic: License) -> dict:
    """A person's name and ID number masked; an enterprise's name and credit code in full
    (public by law)."""
    if lic.holder_type == HolderType.ENTERPRISE:
        name, code = str(lic.holder_name), str(lic.holder_code)
    else:
        name, code = mask(lic.holder_name, "name"), mask(lic.holder_code, "id_number")
    return {"name": name, "code": code, "code_type": lic.holder_code_type}


def latest_identifier(fixed: dict) -> str | None:
    """The identifier of the newest version of the same license (type, issuer, serial)."""
    parsed = identifiers.parse(fixed["identifier"])
    return (
        License.objects.filter(
            license_type__code=parsed.type_code,
            issuer__uscc=parsed.issuer_code,
            serial=parsed.serial,
        )
        .order_by("-version")
        .values_list("identifier", flat=True)
        .first()
    )


def log(license_id: int, *, actor=None, note: str = "") -> None:
    """One ``LicenseAccess(kind=verify)`` row, written at once or with the next batch."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    accesses.add(
        LicenseAccess(
            license_id=license_id,
            kind=LicenseAccess.Kind.VERIFY,
            at=clock.now(),
            actor=user,
            actor_label=user.display_name if user else "公开核验",
            note=note[:200],
        )
    )


class AccessBuffer:
    """Verification log rows written in batches: one multi-row insert at most
    ``LICENSES_ACCESS_FLUSH_MS`` after the first row of a batch (by a timer thread) or when
    ``FLUSH_ROWS`` are waiting, instead of a committed insert per verification (which was
    a third of a verification's time). ``0`` writes each row at once. A process that dies
    loses at most that long of verification entries; one that exits writes them
    (``atexit``)."""

    def __init__(self):
        self._rows: list[LicenseAccess] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def add(self, row: LicenseAccess) -> None:
        delay = settings.LICENSES_ACCESS_FLUSH_MS / 1000
        if delay <= 0:
            row.save()
            return
        with self._lock:
            self._rows.append(row)
            full = len(self._rows) >= FLUSH_ROWS
            if not full and self._timer is None:
                self._timer = threading.Timer(delay, self._flush_from_timer)
                self._timer.daemon = True
                self._timer.start()
        if full:
            self.flush()

    def flush(self) -> int:
        """Write the waiting rows now; how many."""
        with self._lock:
            rows, self._rows = self._rows, []
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        if rows:
            LicenseAccess.objects.bulk_create(rows)
        return len(rows)

    def _flush_from_timer(self) -> None:
        try:
            self.flush()
        except DatabaseError:
            logger.exception("verification log entries could not be written")
        finally:
            connection.close()  # the timer thread's own connection


accesses = AccessBuffer()
atexit.register(accesses.flush)


# --- signatures --------------------------------------------------------------------------


def signature_status(row: dict) -> dict:
    """Whether this version's signatures hold: cached per version (module docstring)."""
    digest = hashlib.sha256(row["sm2_signature"].encode()).hexdigest()[:16]
    key = ("signature", row["pk"], row["pdf_sha256"], digest)
    now = time.monotonic()
    hit = _local.get(key)
    if hit and hit[0] > now:
        return hit[1]
    shared_key = "licenses:" + ":".join(str(part) for part in key)
    found = cache.get(shared_key)
    if found is None:
        found = compute_signature_status(row["pk"])
        cache.set(shared_key, found, timeout=settings.LICENSES_SIGNATURE_CACHE_SECONDS)
    _remember(key, found, now)
    return found


def _remember(key: tuple, value: dict, now: float) -> None:
    with _local_lock:
        if len(_local) >= LOCAL_MAX:
            _local.clear()
        _local[key] = (now + LOCAL_SECONDS, value)


def forget_signature_status() -> None:
    """Drop the process's copies (tests, after tampering on purpose)."""
    with _local_lock:
        _local.clear()


def compute_signature_status(pk: int) -> dict:
    """Check the SM2 signature, the metadata against the row, and the stored PDF."""
    lic = License.objects.select_related("license_type", "issuer").get(pk=pk)
    data = str(lic.signed_data or "").encode()
    sm2 = bool(data) and sealing.sm2_verify(
        data, lic.sm2_signature, department=lic.issuer, public_key_pem=lic.sm2_public_key
    )
    metadata_matches = data == issuance.canonical(issuance.metadata(lic))
    pdf = _stored_pdf_check(lic)
    return {
        "valid": bool(sm2 and metadata_matches and pdf["valid"]),
        "sm2": sm2,
        "metadata_matches": metadata_matches,
        "pdf": pdf,
    }


def _stored_pdf_check(lic: License) -> dict:
    if not lic.pdf:
        return {"valid": False, "present": False}
    try:
        with default_storage.open(lic.pdf.name, "rb") as handle:
            content = handle.read()
    except OSError:
        return {"valid": False, "present": False}
    check = pdf_summary(sealing.check_pdf(content))
    check["present"] = True
    check["hash_matches"] = hashlib.sha256(content).hexdigest() == lic.pdf_sha256
    check["valid"] = bool(check["valid"] and check["hash_matches"])
    return check


def pdf_summary(check) -> dict:
    """The JSON-safe part of a ``PdfCheck``."""
    signed_at = getattr(check, "signed_at", None)
    return {
        "signed": bool(getattr(check, "signed", False)),
        "intact": bool(getattr(check, "intact", False)),
        "trusted": bool(getattr(check, "trusted", False)),
        "valid": bool(getattr(check, "valid", False)),
        "signer": str(getattr(check, "signer", "") or ""),
        "signed_at": signed_at.isoformat() if signed_at else None,
        "reason": str(getattr(check, "reason_zh", "") or ""),
        "reason_en": str(getattr(check, "reason_en", "") or ""),
    }


# --- an uploaded PDF ---------------------------------------------------------------------


def check_pdf(data: bytes, *, ip: str | None, actor=None, channel: str = "api") -> dict:
    """An uploaded file's signature and its place in the register (module docstring)."""
    limit(ip)
    if not data or len(data) > MAX_PDF_BYTES or not data.startswith(b"%PDF"):
        raise InvalidInput(
            fields={"file": ["请上传不超过10MB的PDF证照文件 / upload a PDF of at most 10 MB"]}
        )
    signature = pdf_summary(sealing.check_pdf(data))
    lic, match = register_match(data)
    if lic is not None:
        log(lic.pk, actor=actor, note=f"{channel}:pdf")
    return {
        "signature": signature,
        "register_match": match,
        "matches_register": match in ("exact", "appended"),
        "license": public_view(lic) if lic is not None else None,
        "valid": bool(signature["valid"] and match in ("exact", "appended")),
    }


def register_match(data: bytes) -> tuple[License | None, str]:
    """(license, how): ``exact`` (same SHA-256), ``appended`` (the stored file followed by
    incremental updates), ``differs`` (names a license but is not its file), ``unknown``."""
    rows = License.objects.defer("signed_data")
    lic = rows.filter(pdf_sha256=hashlib.sha256(data).hexdigest()).first()
    if lic is not None:
        return lic, "exact"
    for found in dict.fromkeys(EMBEDDED.findall(data)):
        try:
            parsed = identifiers.parse(found.decode("ascii"))
        except (InvalidInput, UnicodeDecodeError):
            continue
        lic = rows.filter(identifier=str(parsed)).first()
        if lic is not None:
            return lic, "appended" if _starts_with_stored(lic, data) else "differs"
    return None, "unknown"


def _starts_with_stored(lic: License, data: bytes) -> bool:
    try:
        size = default_storage.size(lic.pdf.name)
    except (OSError, ValueError):
        return False
    return len(data) > size and hashlib.sha256(data[:size]).hexdigest() == lic.pdf_sha256


# --- limits ------------------------------------------------------------------------------


def limit(ip: str | None) -> None:
    """Count a public verification against the client address's window."""
    throttle.count(
        "licenses:verify",
        ip or "",
        allowed=settings.LICENSES_VERIFY_PER_IP,
        window_seconds=settings.LICENSES_VERIFY_WINDOW,
        message="核验过于频繁,请稍后再试",
        message_en="Too many verifications, try again later",
    )
