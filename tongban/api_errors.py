"""The error answers each operation of the OpenAPI document declares (docs/api.md).

Every error leaves the platform in one shape (``tongban.errors``), so the document declares
it, by status, wherever the status can happen — found by the fuzzer (docs/fuzzing.md):

- 422 ``invalid``: an operation taking parameters or a body (validation, bad cursors);
- 404 ``not_found``: one naming an object in its path or its body;
- 401 ``unauthenticated`` and 403 ``forbidden``: one needing an account or an API client
  (a role, an access token's scope, a client's scope);
- 400 (a rule refused) and 409 ``conflict`` (the object's state): one that changes something;
- the statuses in ``EXTRA`` where an operation adds its own (rate limits, expired codes,
  storage full).

An operation's own declaration of a status is kept.
"""

from tongban.gateway.auth import ERROR_SCHEMA

DESCRIPTIONS = {
    400: "请求不符合业务规则 / refused by a rule",
    401: "未登录或凭证无效 / no or bad credentials",
    403: "无权进行此操作 / not allowed",
    404: "对象不存在或不可见 / no such object",
    409: "当前状态不允许此操作 / not in the current state",
    410: "已过期或已失效 / expired",
    422: "参数或内容校验失败 / invalid input",
    429: "请求过于频繁,Retry-After 给出等待秒数 / rate limited",
    503: "存储或外部渠道暂不可用,稍后再试 / storage or outside channel unavailable",
}
# Statuses particular to one operation, beyond the general rules.
EXTRA = {
    "POST /api/v1/identity/sms-codes": {400, 429},
    "POST /api/v1/oauth/token": {400, 401, 429},  # guessing secrets is throttled
    "GET /api/v1/licenses/scan/{token}": {400, 410, 429},
    "POST /api/v1/cases": {503},
    "POST /api/v1/bundles/{code}/cases": {503},
    "GET /api/v1/bundles/{code}": {400},
    "GET /api/v1/metrics/indicators": {404},  # ?department= names one
    "POST /api/v1/payments/reconciliations": {503},  # the channel's statement unreachable
}
CHANGES = {"post", "put", "patch", "delete"}


def statuses(method: str, path: str, operation: dict) -> set[int]:
    """The error statuses ``operation`` (an OpenAPI operation object) can answer."""
    found = set(EXTRA.get(f"{method.upper()} {path}", ()))
    has_body = "requestBody" in operation
    if operation.get("parameters") or has_body:
        found.add(422)
    if "{" in path or has_body:
        found.add(404)
    if operation.get("security"):
        found |= {401, 403}
    if method in CHANGES:
        found |= {400, 409}
    return found


def declare(schema: dict) -> dict:
    """Add the error responses to every operation of ``schema`` (in place) and return it."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            declared = {int(status) for status in responses}
            for status in sorted(statuses(method, path, operation) - declared):
                # ninja keys responses by int; the JSON document turns them into strings
                responses[status] = {"description": DESCRIPTIONS[status], "content": error}
    return schema
