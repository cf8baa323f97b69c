"""Identity in the admin: accounts with their masked phone and ID number and their real-name
history, sign-in locks (unlocked through an audited action), and read-only views of
verifications, enterprise accounts and agents (they change through the person pages).

The account admin itself is ``org``'s (roles are granted there); it is registered again here
with the identity columns, so ``org.admin`` is imported first.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tongban.identity import signin
from tongban.identity.models import (
    Agent,
    EnterpriseAccount,
    RealNameVerification,
    SignInFailure,
    User,
)
from tongban.org.admin import UserAdmin as OrgUserAdmin


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VerificationInline(ReadOnlyMixin, admin.TabularInline):
    model = RealNameVerification
    fk_name = "user"
    extra = 0
    fields = ("created_at", "level", "method", "verified_by", "window", "kiosk", "note")
    readonly_fields = fields
    verbose_name_plural = _("实名核验记录")


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(OrgUserAdmin):
    list_display = (
        "username",
        "display_name",
        "kind",
        "masked_phone",
        "real_name_level",
        "is_staff",
        "is_active",
        "is_demo",
    )
    list_filter = ("kind", "real_name_level", "is_staff", "is_active", "is_demo")
    readonly_fields = (
        *OrgUserAdmin.readonly_fields,
        "masked_phone",
        "masked_id_number",
        "real_name_level",
    )
    fieldsets = (
        *OrgUserAdmin.fieldsets,
        (_("实名信息"), {"fields": ("masked_phone", "masked_id_number", "real_name_level")}),
    )

    @admin.display(description=_("手机号码"))
    def masked_phone(self, user):
        return user.masked_phone or "—"

    @admin.display(description=_("身份证号码"))
    def masked_id_number(self, user):
        return user.masked_id_number or "—"

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        if obj.kind == User.Kind.PERSON:
            return [VerificationInline]
        return [*super().get_inlines(request, obj)]


@admin.register(SignInFailure)
class SignInFailureAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Locks by username (staff) or by phone index (people): unlock with the action."""

    list_display = ("username", "failures", "last_failure_at", "locked_until")
    readonly_fields = list_display
    actions = ["unlock"]

    def has_change_permission(self, request, obj=None):
        # Actions need the change permission; the fields stay read-only.
        return request.user.has_perm("identity.change_signinfailure")

    @admin.action(description=_("解除锁定"), permissions=["change"])
    def unlock(self, request, queryset):
        usernames = list(queryset.values_list("username", flat=True))
        for username in usernames:
            signin.reset(username, by=request.user, request=request)
        count = len(usernames)
        self.message_user(
            request,
            ngettext("已解除 %(count)d 个账号的锁定。", "已解除 %(count)d 个账号的锁定。", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(RealNameVerification)
class RealNameVerificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "user", "level", "method", "verified_by", "window", "kiosk")
    list_filter = ("level", "method")
    list_select_related = ("user", "verified_by", "window")
    readonly_fields = ("user", "level", "method", "verified_by", "window", "kiosk", "note")
    search_fields = ("=user__username",)


class AgentInline(ReadOnlyMixin, admin.TabularInline):
    model = Agent
    extra = 0
    fields = ("user", "scopes", "expires_on", "granted_by", "granted_at", "revoked_at")
    readonly_fields = fields


@admin.register(EnterpriseAccount)
class EnterpriseAccountAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("legal_entity", "legal_rep", "is_active", "created_at")
    list_filter = ("is_active",)
    list_select_related = ("legal_entity", "legal_rep")
    readonly_fields = ("legal_entity", "legal_rep", "is_active", "created_at")
    search_fields = ("legal_entity__name", "=legal_entity__uscc")
    inlines = [AgentInline]


@admin.register(Agent)
class AgentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("enterprise", "user", "expires_on", "granted_at", "revoked_at")
    list_filter = ("revoked_at",)
    list_select_related = ("enterprise__legal_entity", "user")
    readonly_fields = (
        "enterprise",
        "user",
        "scopes",
        "expires_on",
        "granted_by",
        "granted_at",
        "revoked_at",
    )
