"""Public, read-only API of the service network: departments, centers and their windows.

``GET /org/staff`` is not public: it needs an API client with the ``org:staff:read`` scope
(tongban.gateway) and lists only the departments the client may read.

Every list is keyset-paginated: ``{"items": [...], "next_cursor": "..." | null}``; pass
``next_cursor`` back as ``cursor`` for the next page.
"""

from enum import StrEnum

from ninja import Field, Query, Router, Schema

from tongban.errors import NotFound
from tongban.gateway.auth import protected
from tongban.gateway.models import Sensitivity
from tongban.identity import access
from tongban.org.models import Department, ServiceCenter, StaffMembership, Window
from tongban.pagination import DEFAULT_LIMIT, MAX_LIMIT, page

router = Router(tags=["org"])

# Named for the API schema: the models' nested ``Level`` / ``Type`` would appear as bare
# "Level" and "Type" in the OpenAPI components, which other apps' enums would clash with.
CenterLevel = StrEnum("CenterLevel", {level.name: level.value for level in ServiceCenter.Level})
WindowType = StrEnum("WindowType", {kind.name: kind.value for kind in Window.Type})


class DepartmentOut(Schema):
    """部门 / a county department."""

    id: int
    code: str
    name: str
    short_name: str
    uscc: str
    parent_id: int | None


class DepartmentBrief(Schema):
    id: int
    code: str
    name: str
    short_name: str


class CenterOut(Schema):
    """服务中心 / a county center, town center or village station, with both division codes."""

    id: int
    name: str
    level: CenterLevel
    level_label: str
    parent_id: int | None
    statistical_code: str | None
    provincial_code: str | None
    division_name: str
    address: str
    phone: str
    hours: str
    is_demo: bool

    @staticmethod
    def resolve_level_label(center: ServiceCenter) -> str:
        return str(center.get_level_display())


class WindowOut(Schema):
    """窗口 / a service window; ``department`` is null for comprehensive windows."""

    id: int
    number: str
    name: str
    window_type: WindowType
    window_type_label: str
    department: DepartmentBrief | None

    @staticmethod
    def resolve_window_type_label(window: Window) -> str:
        return str(window.get_window_type_display())


StaffRole = StrEnum("StaffRole", {role.name: role.value for role in StaffMembership.Role})


class StaffOut(Schema):
    """人员角色 / a staff member's role in a department."""

    id: int
    name: str
    department_code: str
    role: StaffRole
    role_label: str

    @staticmethod
    def resolve_name(membership: StaffMembership) -> str:
        user = membership.user
        return user.get_full_name() or user.get_username()

    @staticmethod
    def resolve_department_code(membership: StaffMembership) -> str:
        return membership.department.code

    @staticmethod
    def resolve_role_label(membership: StaffMembership) -> str:
        return str(membership.get_role_display())


class StaffPage(Schema):
    items: list[StaffOut]
    next_cursor: str | None


class DepartmentPage(Schema):
    items: list[DepartmentOut]
    next_cursor: str | None


class CenterPage(Schema):
    items: list[CenterOut]
    next_cursor: str | None


class WindowPage(Schema):
    items: list[WindowOut]
    next_cursor: str | None


class PageQuery(Schema):
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class CenterFilter(PageQuery):
    level: CenterLevel | None = None
    parent: int | None = None


def _page(queryset, keys: tuple[str, ...], query: PageQuery) -> dict:
    items, next_cursor = page(queryset, keys=keys, cursor=query.cursor, limit=query.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/departments", response=DepartmentPage, summary="部门列表 / Departments")
def list_departments(request, query: Query[PageQuery]):
    return _page(Department.objects.filter(is_active=True), ("sort_order", "id"), query)


@router.get("/centers", response=CenterPage, summary="服务中心列表 / Service centers")
def list_centers(request, query: Query[CenterFilter]):
    centers = ServiceCenter.objects.all()
    if query.level:
        centers = centers.filter(level=query.level)
    if query.parent is not None:
        centers = centers.filter(parent_id=query.parent)
    return _page(centers, ("id",), query)


@router.get("/centers/{center_id}/windows", response=WindowPage, summary="服务中心的窗口 / Windows")
def list_windows(request, center_id: int, query: Query[PageQuery]):
    if not ServiceCenter.objects.filter(pk=center_id).exists():
        raise NotFound("服务中心不存在", "No such service center")
    windows = Window.objects.filter(center_id=center_id, is_active=True).select_related(
        "department"
    )
    return _page(windows, ("number", "id"), query)


@router.get(
    "/staff",
    response=StaffPage,
    summary="部门人员与角色 / Staff of the client's departments",
    **protected("org:staff:read", Sensitivity.INTERNAL),
)
def list_staff(request, query: Query[PageQuery]):
    memberships = StaffMembership.objects.active().select_related("user", "department")
    return _page(access.scope(request.auth.client, "org.read_staff", memberships), ("id",), query)
