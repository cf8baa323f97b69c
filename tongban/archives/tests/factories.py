"""Test data for the archives: concluded cases (filed, accepted, decided, concluded) and
ways to damage a stored package."""

import io
import zipfile

from tongban.cases import results, services
from tongban.cases.models import DeliveryMethod, ResultType
from tongban.cases.tests.factories import (
    applicant_person,
    approver_of,
    clerk_of,
    file_case,
    form_item,
    pdf,
)

MATERIAL_BODY = b"%PDF-1.4\n% archived material\n"


def concluded_case(result_type: str = ResultType.APPROVAL, *, item=None, deny: bool = False):
    """A case filed online with one uploaded material, accepted, approved (or denied) and
    concluded with ``result_type``. The conclusion's on-commit work does not run here."""
    item = item or form_item()
    spec = item.current_guide.materials.get(name="申请书")
    case = file_case(
        item,
        applicant_person(),
        materials=[{"spec": spec.pk, "file": pdf(body=MATERIAL_BODY)}],
        form_data={"purpose": "开办超市", "address": "陕西省西安市周至县二曲街道 1 号"},
    )
    approver = approver_of(item)
    case = services.accept(case, by=clerk_of(item))
    if deny:
        case = services.deny(case, by=approver, reason="材料不符合条件")
    else:
        case = services.approve(case, by=approver)
    return results.conclude_with_result(
        case, by=approver, result_type=result_type, delivery=DeliveryMethod.ELECTRONIC
    )


def rewrite(package, change) -> None:
    """Rewrite the stored ZIP of ``package``: ``change(entries)`` edits the {name: bytes}."""
    with package.package.open("rb") as handle:
        source = zipfile.ZipFile(io.BytesIO(handle.read()))
    entries = {name: source.read(name) for name in source.namelist()}
    change(entries)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name, data in entries.items():
            target.writestr(name, data)
    overwrite(package, buffer.getvalue())


def overwrite(package, data: bytes) -> None:
    with open(package.package.path, "wb") as handle:
        handle.write(data)


def flip_byte(package, offset: int = 100) -> None:
    with open(package.package.path, "r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0x01]))
