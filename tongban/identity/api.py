"""The identity API: who am I (a signed-in person), sign-in codes, and kiosk verification.

Every answer is masked: phones ``138****5678``, ID numbers ``610124********1234``.
"""

import datetime

from django.conf import settings
from ninja import Router, Schema, Status

from tongban.core.pii import mask
from tongban.gateway.auth import protected
from tongban.gateway.models import Sensitivity
from tongban.identity import accounts, enterprises, realname
from tongban.identity.apiauth import UserAuth

router = Router(tags=["identity"])


class EnterpriseOut(Schema):
    id: int
    name: str
    uscc: str
    role: str
    scopes: list[str]


class MeOut(Schema):
    username: str
    kind: str
    name: str
    phone: str
    id_number: str
    real_name_level: int
    enterprises: list[EnterpriseOut]
    acting_enterprise: EnterpriseOut | None


class SmsCodeIn(Schema):
    phone: str


class SmsCodeOut(Schema):
    phone: str
    expires_in: int
    resend_after: int


class KioskVerificationIn(Schema):
    kiosk: str
    phone: str
    code: str
    name: str
    id_number: str


class KioskVerificationOut(Schema):
    username: str
    phone: str
    id_number: str
    real_name_level: int
    method: str
    kiosk: str
    verified_at: datetime.datetime


def _enterprise(user, enterprise) -> dict:
    return {
        "id": enterprise.pk,
        "name": enterprise.legal_entity.name,
        "uscc": enterprise.legal_entity.uscc,
        "role": "legal_rep" if enterprise.legal_rep_id == user.pk else "agent",
        "scopes": sorted(enterprises.scopes_for(user, enterprise)),
    }


@router.get("/me", response=MeOut, auth=UserAuth(), summary="当前账号 / The signed-in account")
def me(request):
    user = request.auth
    acting = enterprises.acting_enterprise(request)
    return {
        "username": user.username,
        "kind": user.kind,
        "name": user.get_full_name(),
        "phone": user.masked_phone,
        "id_number": user.masked_id_number,
        "real_name_level": user.real_name_level,
        "enterprises": [_enterprise(user, e) for e in enterprises.enterprises_of(user)],
        "acting_enterprise": _enterprise(user, acting) if acting else None,
    }


@router.post(
    "/sms-codes",
    response={202: SmsCodeOut},
    auth=None,
    summary="发送登录验证码 / Send a sign-in code",
)
def send_sms_code(request, payload: SmsCodeIn):
    """One code per phone every 60 s and 10 a day (429 with Retry-After beyond that)."""
    accounts.send_code(payload.phone, request=request)
    return Status(
        202,
        {
            "phone": mask(accounts.normalize_phone(payload.phone), "phone"),
            "expires_in": settings.IDENTITY_CODE_MINUTES * 60,
            "resend_after": settings.IDENTITY_CODE_INTERVAL_SECONDS,
        },
    )


@router.post(
    "/kiosk-verifications",
    response={201: KioskVerificationOut},
    summary="自助终端现场核验(L3)/ Kiosk in-person verification",
    **protected("identity:kiosk", Sensitivity.SENSITIVE),
)
def kiosk_verification(request, payload: KioskVerificationIn):
    """The kiosk read the ID card; the person proved the phone with an SMS code."""
    user = accounts.sign_in_with_code(payload.phone, payload.code, request=request)
    caller = request.auth.client.name
    realname.verify_at_kiosk(
        user,
        kiosk=payload.kiosk,
        id_number=payload.id_number,
        name=payload.name,
        actor=f"kiosk:{caller}:{payload.kiosk}"[:150],
    )
    record = user.verifications.order_by("-pk").first()
    return Status(
        201,
        {
            "username": user.username,
            "phone": user.masked_phone,
            "id_number": user.masked_id_number,
            "real_name_level": user.real_name_level,
            "method": record.method,
            "kiosk": record.kiosk,
            "verified_at": record.created_at,
        },
    )
