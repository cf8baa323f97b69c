"""The API groups a client may be granted. An operation names its scope with ``protected``."""

from django.utils.translation import gettext_lazy as _

SCOPES = {
    "gateway:ping": _("连通性测试"),
    "org:read": _("组织机构(公开)"),
    "catalog:read": _("事项目录(公开)"),
    "org:staff:read": _("部门人员与角色"),
    "identity:kiosk": _("自助终端现场实名核验"),
}


def choices() -> list[tuple[str, str]]:
    return [(scope, f"{scope} · {label}") for scope, label in SCOPES.items()]
