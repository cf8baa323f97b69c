"""The platform's HTTP API under /api/v1/: each app mounts its router here."""

from ninja import NinjaAPI
from ninja.errors import ValidationError

from tongban.catalog.api import router as items_router
from tongban.errors import InvalidInput, TongbanError
from tongban.org.api import router as org_router

api = NinjaAPI(
    title="通办 Tongban API",
    version="1",
    description="周至县一体化政务服务平台接口 / Zhouzhi County integrated government service API",
    urls_namespace="api",
)


@api.exception_handler(TongbanError)
def tongban_error(request, exc: TongbanError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        name = ".".join(str(part) for part in error.get("loc", ())[1:]) or "__all__"
        fields.setdefault(name, []).append(f"格式不正确 / {error.get('msg', 'invalid')}")
    error = InvalidInput(fields=fields)
    return api.create_response(request, error.as_dict(), status=error.status)


api.add_router("/org", org_router)
api.add_router("/items", items_router)
