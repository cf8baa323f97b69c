"""One exception family for the platform's rules, one JSON error shape, Chinese first.

A service raises a ``TongbanError`` subclass; the API turns it into (docs/api.md)::

    {"code": "...", "message": "中文", "message_en": "English",
     "fields": {"field": ["中文 / English"]}}

``fields`` is always present (``{}`` when no field is at fault).
"""

from http import HTTPStatus


class TongbanError(Exception):
    code = "error"
    status = HTTPStatus.BAD_REQUEST
    message = "请求有误"
    message_en = "Bad request"

    def __init__(
        self,
        message: str | None = None,
        message_en: str | None = None,
        *,
        fields: dict[str, list[str]] | None = None,
    ):
        self.message = message or self.message
        self.message_en = message_en or self.message_en
        self.fields = fields or {}
        super().__init__(self.message)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            "message_en": self.message_en,
            "fields": self.fields,
        }


class InvalidInput(TongbanError):
    code = "invalid"
    status = HTTPStatus.UNPROCESSABLE_ENTITY
    message = "填写的内容有误,请按提示修改"
    message_en = "Some fields are not valid"


class PermissionDenied(TongbanError):
    code = "forbidden"
    status = HTTPStatus.FORBIDDEN
    message = "您没有权限进行此操作"
    message_en = "You are not allowed to do this"


class NotFound(TongbanError):
    code = "not_found"
    status = HTTPStatus.NOT_FOUND
    message = "未找到要访问的内容"
    message_en = "Not found"


class Conflict(TongbanError):
    code = "conflict"
    status = HTTPStatus.CONFLICT
    message = "当前状态不允许此操作"
    message_en = "This is not allowed in the current state"


class Unauthenticated(TongbanError):
    code = "unauthenticated"
    status = HTTPStatus.UNAUTHORIZED
    message = "身份认证失败,请检查接口凭证"
    message_en = "Authentication failed"


class RateLimited(TongbanError):
    code = "rate_limited"
    status = HTTPStatus.TOO_MANY_REQUESTS
    message = "请求过于频繁,请稍后再试"
    message_en = "Too many requests"

    def __init__(self, retry_after: int, message: str | None = None, message_en: str | None = None):
        super().__init__(message, message_en)
        self.retry_after = max(1, int(retry_after))


class Unavailable(TongbanError):
    """The database is away for a moment (a restart, a failover): retry after a few seconds."""

    code = "unavailable"
    status = HTTPStatus.SERVICE_UNAVAILABLE
    message = "服务暂时不可用,请稍后重试"
    message_en = "Service temporarily unavailable, retry shortly"
    retry_after = 5


class ServerError(TongbanError):
    code = "server_error"
    status = HTTPStatus.INTERNAL_SERVER_ERROR
    message = "系统内部错误,请稍后再试"
    message_en = "Internal server error"
