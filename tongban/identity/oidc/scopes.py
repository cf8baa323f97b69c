"""Which scope an access token needs for each API operation it may call (docs/sso.md).

A department system holding a person's access token calls the person-facing API as that
person (``tongban.identity.apiauth.UserAuth``), but only for what the person agreed to on
the consent page: ``openid profile`` signs the person in and reads who they are
(``GET /api/v1/identity/me``); filing cases, paying, the license wallet and the person's
space each need their own scope. Sessions are not concerned: a browser carries no scopes.

Operations are matched by path prefix, the longest first; a path no prefix matches needs a
scope no token can hold (fail closed), so a new operation is refused to tokens until it is
given one here (``tongban/tests/access/test_scopes.py`` checks every operation has one).
"""

from tongban.errors import PermissionDenied

# Scopes a department system may ask for, besides the sign-in ones (openid, profile, phone,
# realname, enterprise): name → what the consent page tells the person.
API_SCOPES = {
    "cases": "以您的名义申报办件、查看办件进度与回执、评价办件、预约寄递",
    "payments": "查看您的缴费订单并发起支付",
    "licenses": "查看、下载和出示您的电子证照",
    "space": "查看您的个人/企业空间(档案、材料、消息)",
    "staff": "以工作人员身份调用业务接口(台账、对账退款、档案、统计)",
}
UNMATCHED = "unassigned"

# (path prefix, scope); longest prefix wins (``needed``).
BY_PREFIX = (
    ("/api/v1/identity/me", "profile"),
    ("/api/v1/cases", "cases"),
    ("/api/v1/bundles/cases", "cases"),
    ("/api/v1/bundles/", "cases"),  # POST /bundles/{code}/cases: filing a 一件事
    ("/api/v1/logistics/", "cases"),
    ("/api/v1/reviews", "cases"),
    ("/api/v1/reviews/rectifications", "staff"),
    ("/api/v1/payments/orders", "payments"),
    ("/api/v1/payments/refunds", "staff"),
    ("/api/v1/payments/reconciliations", "staff"),
    ("/api/v1/licenses/", "licenses"),
    # Scanning someone's shown license records who looked: the token's identity only.
    ("/api/v1/licenses/scan/", "openid"),
    ("/api/v1/spaces/", "space"),
    ("/api/v1/notify/", "space"),
    ("/api/v1/archives", "staff"),
    ("/api/v1/metrics/", "staff"),
)


def needed(path: str) -> str:
    """The scope a token needs to call ``path`` (``UNMATCHED``: none will do)."""
    best = max((p for p, _ in BY_PREFIX if path.startswith(p)), key=len, default=None)
    return dict(BY_PREFIX)[best] if best else UNMATCHED


def require(token_scopes: str, path: str) -> None:
    """Refuse (403) a token without the scope ``path`` needs, naming the scope."""
    scope = needed(path)
    if scope in token_scopes.split():
        return
    described = API_SCOPES.get(scope, "")
    raise PermissionDenied(
        f"访问令牌缺少权限范围 {scope}{f'({described})' if described else ''},请在授权时申请该范围",
        f"The access token lacks the scope {scope!r} this operation needs",
    )
