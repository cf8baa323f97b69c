"""Admin of payment orders and callbacks (read-only: every change goes through the services
and their audit); the finance models' admin is in ``finance_admin``.

Orders: the staff who may see them (``payments.view``: their departments' clerks and
approvers, finance staff, supervisors). Callbacks: finance staff (``payments.view_callback``).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tongban.identity import access
from tongban.payments import finance_admin  # noqa: F401
from tongban.payments.models import Callback, PaymentOrder


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PaymentOrder)
class PaymentOrderAdmin(ReadOnly):
    list_display = ("number", "case", "department", "yuan_display", "status", "paid_at")
    list_filter = ("status", "provider")
    search_fields = ("number", "pay_code", "channel_order_id")
    list_select_related = ("case", "department")
    exclude = ("payer",)
    readonly_fields = [f.name for f in PaymentOrder._meta.fields if f.name != "payer"]

    @admin.display(description=_("应缴金额(元)"))
    def yuan_display(self, obj) -> str:
        return obj.yuan

    def get_queryset(self, request):
        return access.scope(request.user, "payments.view", super().get_queryset(request))

    def has_module_permission(self, request):
        return _staff(request) and access.can(request.user, "payments.view")

    def has_view_permission(self, request, obj=None):
        return _staff(request) and access.can(request.user, "payments.view", obj)


@admin.register(Callback)
class CallbackAdmin(ReadOnly):
    list_display = ("received_at", "provider", "event", "event_id", "order", "outcome")
    list_filter = ("outcome", "provider", "event")
    search_fields = ("event_id", "order__number")
    list_select_related = ("order",)
    readonly_fields = [f.name for f in Callback._meta.fields]

    def has_module_permission(self, request):
        return access.can(request.user, "payments.view_callbacks")

    def has_view_permission(self, request, obj=None):
        return access.can(request.user, "payments.view_callbacks")


def _staff(request) -> bool:
    return getattr(request.user, "kind", None) == "staff"
