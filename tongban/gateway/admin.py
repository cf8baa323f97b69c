"""The gateway in the admin (Chinese): clients, keys, the call log (read-only), a client's
statistics and the operations its scopes open.

A key's secret is shown once, in the message after it is issued or rotated.
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tongban.audit.admin import AuditedModelAdmin
from tongban.core import clock
from tongban.gateway import scopes, services
from tongban.gateway.auth import SCOPE_KEY, SENSITIVITY_KEY
from tongban.gateway.models import ApiClient, ApiKey, CallLog
from tongban.identity import access

PERIODS = {"1": _("近1天"), "7": _("近7天"), "30": _("近30天")}


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("接口权限范围"),
        choices=scopes.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    department_codes = forms.CharField(
        label=_("可访问数据的部门代码"),
        required=False,
        help_text=_("以逗号或空格分隔;* 表示全部部门"),
    )

    class Meta:
        model = ApiClient
        fields = [
            "name",
            "department",
            "kind",
            "scopes",
            "department_codes",
            "max_sensitivity",
            "rate_limit",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["department_codes"] = " ".join(self.instance.department_codes)

    def clean_department_codes(self) -> list[str]:
        raw = self.cleaned_data.get("department_codes") or ""
        return sorted({code for code in raw.replace(",", " ").split() if code})


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    can_delete = False
    fields = ["key_id", "status", "created_at", "expires_at", "revoked_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ApiClient)
class ApiClientAdmin(AuditedModelAdmin):
    form = ApiClientForm
    list_display = ["name", "kind", "department", "rate_limit", "is_active", "links"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    inlines = [ApiKeyInline]
    actions = ["issue_key"]

    @admin.display(description=_("统计与接口"))
    def links(self, client):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:gateway_apiclient_stats", args=[client.pk]),
            _("调用统计"),
            reverse("admin:gateway_apiclient_operations", args=[client.pk]),
            _("可调用接口"),
        )

    @admin.action(description=_("签发新密钥"), permissions=["change"])
    def issue_key(self, request, queryset):
        for client in queryset:
            issued = services.issue_key(request.user, client)
            _show_secret(self, request, client, issued)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/stats/", wrap(self.stats_view), name="gateway_apiclient_stats"),
            path(
                "<int:pk>/operations/",
                wrap(self.operations_view),
                name="gateway_apiclient_operations",
            ),
            *super().get_urls(),
        ]

    def stats_view(self, request, pk: int):
        client = self._client(request, pk)
        period = request.GET.get("days", "7")
        if period not in PERIODS:
            period = "7"
        since = clock.now() - datetime.timedelta(days=int(period))
        context = {
            **self.admin_site.each_context(request),
            "title": _("%(name)s 的调用统计") % {"name": client.name},
            "client": client,
            "opts": self.model._meta,
            "stats": services.client_stats(client, since=since),
            "periods": PERIODS,
            "period": period,
        }
        return TemplateResponse(request, "admin/gateway/apiclient/stats.html", context)

    def _client(self, request, pk: int) -> ApiClient:
        if not access.can(request.user, "gateway.view_client"):
            raise PermissionDenied
        return get_object_or_404(ApiClient, pk=pk)

    def operations_view(self, request, pk: int):
        client = self._client(request, pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("%(name)s 可调用的接口") % {"name": client.name},
            "client": client,
            "opts": self.model._meta,
            "operations": operations_for(client),
        }
        return TemplateResponse(request, "admin/gateway/apiclient/operations.html", context)


def _show_secret(model_admin, request, client, issued) -> None:
    model_admin.message_user(
        request,
        format_html(
            "{}:密钥标识 <code>{}</code>,密钥 <code>{}</code>(仅显示这一次,请立即妥善保存)",
            client.name,
            issued.key.key_id,
            issued.secret,
        ),
        messages.WARNING,
    )


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["key_id", "client", "status", "created_at", "expires_at"]
    list_filter = ["status"]
    search_fields = ["key_id", "client__name"]
    fields = ["client", "key_id", "status", "created_at", "expires_at", "revoked_at"]
    readonly_fields = fields
    actions = ["rotate", "revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("轮换密钥(旧密钥在过渡期内仍有效)"), permissions=["change"])
    def rotate(self, request, queryset):
        for key in queryset.select_related("client"):
            if key.is_usable(clock.now()):
                _show_secret(self, request, key.client, services.rotate_key(request.user, key))

    @admin.action(description=_("吊销密钥(立即失效)"), permissions=["change"])
    def revoke(self, request, queryset):
        for key in queryset:
            services.revoke_key(request.user, key)
        self.message_user(request, _("已吊销 %(n)d 个密钥") % {"n": len(queryset)})


@admin.register(CallLog)
class CallLogAdmin(admin.ModelAdmin):
    list_display = [
        "at",
        "client",
        "key_id",
        "method",
        "route",
        "status",
        "latency_ms",
        "bytes_out",
    ]
    list_filter = ["status", "method", "client"]
    date_hierarchy = "at"
    list_select_related = ["client"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def api_operations() -> list[dict]:
    """Every operation of the API with its scope, read from the generated OpenAPI document."""
    from tongban.api import api

    found = []
    for route, methods in api.get_openapi_schema()["paths"].items():
        for method, operation in methods.items():
            found.append(
                {
                    "method": method.upper(),
                    "path": route,
                    "summary": operation.get("summary", ""),
                    "scope": operation.get(SCOPE_KEY),
                    "sensitivity": operation.get(SENSITIVITY_KEY),
                    "protected": "security" in operation,
                }
            )
    return found


def operations_for(client: ApiClient) -> list[dict]:
    """The operations ``client`` may call: public ones, and protected ones its scopes open."""
    granted = set(client.scopes)
    return [
        operation
        for operation in api_operations()
        if not operation["scope"] or operation["scope"] in granted
    ]
