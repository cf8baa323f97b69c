"""Admin pages for the county's organization and for accounts, every change audited.

Saves and deletes of the main object are recorded by ``AuditedModelAdmin``; rows edited in
an inline and password changes take other paths through the admin, so they are recorded here.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

from tongban.audit import services as audit
from tongban.audit.admin import AuditedModelAdmin
from tongban.identity import access
from tongban.identity.models import User
from tongban.org import roles, rules, services
from tongban.org.models import Department, ServiceCenter, StaffMembership, Window


class GrantableRolesMixin:
    """Offer only the roles the signed-in account may grant (``roles.can_grant``)."""

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":
            held = services.roles_of(request.user)
            grantable = [
                (value, label)
                for value, label in StaffMembership.Role.choices
                if roles.can_grant(held, value)
            ]
            kwargs["choices"] = [*BLANK_CHOICE_DASH, *grantable]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


class DepartmentScopedMixin:
    """Rows, choices and changes within the departments the account's roles reach.

    ``org.rules`` decides: a department administrator sees and changes the windows and
    memberships of their own departments only; the system administrator every one.
    """

    def _action(self, verb: str) -> str:
        return f"org.{verb}_{self.opts.model_name}"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return access.scope(request.user, self._action("view"), queryset)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._may(request, "view", obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may(request, "change", obj)

    def _may(self, request, verb: str, obj) -> bool:
        # An inline is asked about its parent (the account): its rows are scoped instead.
        if obj is None or not isinstance(obj, self.model):
            return True
        return access.can(request.user, self._action(verb), obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            departments = Department.objects.all()
            reach = access.reach(request.user, self._action("change"), scoped=rules.SCOPED)
            kwargs["queryset"] = (
                departments if reach is access.ALL else departments.filter(pk__in=reach)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not access.can(request.user, self._action("change"), obj):
            raise PermissionDenied
        super().save_model(request, obj, form, change)


class AuditedInlinesMixin:
    """Record every row added, changed or deleted through an inline, in the page's transaction."""

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            stored = _stored_rows(formset)
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                _record(request, obj, "delete", stored.get(obj.pk) or audit.snapshot(obj), {})
                obj.delete()
            for obj in instances:
                before = stored.get(obj.pk, {})
                verb = "update" if obj.pk in stored else "create"
                obj.save()
                _record(request, obj, verb, before, audit.snapshot(obj))
            formset.save_m2m()


def _stored_rows(formset) -> dict:
    """Snapshots of the changed rows as the database holds them, before they are saved."""
    pks = [f.instance.pk for f in formset.initial_forms if f.instance.pk and f.has_changed()]
    rows = formset.model._default_manager.filter(pk__in=pks)
    return {row.pk: audit.snapshot(row) for row in rows}


def _record(request, obj, verb: str, before: dict, after: dict) -> None:
    opts = obj._meta
    audit.record(
        request.user,
        f"{opts.app_label}.{opts.model_name}.{verb}",
        obj,
        changes=audit.diff(before, after),
        request=request,
    )


@admin.register(Department)
class DepartmentAdmin(AuditedModelAdmin):
    list_display = ("name", "short_name", "code", "uscc", "parent", "is_active", "sort_order")
    list_filter = ("is_active",)
    search_fields = ("name", "short_name", "code", "uscc")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)


@admin.register(ServiceCenter)
class ServiceCenterAdmin(AuditedModelAdmin):
    list_display = (
        "name",
        "level",
        "statistical_code",
        "provincial_code",
        "parent",
        "phone",
        "is_demo",
    )
    list_filter = ("level", "is_demo")
    search_fields = ("name", "division_name", "statistical_code", "provincial_code")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)


@admin.register(Window)
class WindowAdmin(DepartmentScopedMixin, AuditedModelAdmin):
    list_display = ("number", "name", "window_type", "center", "department", "is_active")
    list_filter = ("window_type", "is_active", "center__level")
    search_fields = ("number", "name", "center__name", "department__name")
    list_select_related = ("center", "department")
    autocomplete_fields = ("center", "department")


@admin.register(StaffMembership)
class StaffMembershipAdmin(DepartmentScopedMixin, GrantableRolesMixin, AuditedModelAdmin):
    list_display = (
        "user",
        "role",
        "department",
        "center",
        "window",
        "is_active",
        "valid_from",
        "valid_to",
    )
    list_filter = ("role", "is_active", "department")
    search_fields = ("user__username", "user__first_name", "user__last_name", "department__name")
    list_select_related = ("user", "department", "center", "window")
    autocomplete_fields = ("user", "department", "center", "window")


class StaffMembershipInline(DepartmentScopedMixin, GrantableRolesMixin, admin.TabularInline):
    model = StaffMembership
    fk_name = "user"
    extra = 0
    fields = ("department", "role", "center", "window", "is_active", "valid_from", "valid_to")
    autocomplete_fields = ("department", "center", "window")
    verbose_name = _("角色")
    verbose_name_plural = _("角色(人员所属部门与岗位)")


@admin.register(User)
class UserAdmin(AuditedInlinesMixin, AuditedModelAdmin, DjangoUserAdmin):
    """Accounts without groups, per-user permissions or a superuser flag: roles decide."""

    list_display = ("username", "display_name", "kind", "is_staff", "is_active", "is_demo")
    list_filter = ("kind", "is_staff", "is_active", "is_demo")
    search_fields = ("username", "first_name", "last_name", "email")
    filter_horizontal = ()
    readonly_fields = ("last_login", "date_joined", "is_demo")
    inlines = [StaffMembershipInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("last_name", "first_name", "email")}),
        (_("账号类型与状态"), {"fields": ("kind", "is_active", "is_staff", "is_demo")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "usable_password",
                    "password1",
                    "password2",
                    "kind",
                    "is_staff",
                ),
            },
        ),
    )

    @admin.display(description=_("姓名"))
    def display_name(self, user):
        return user.display_name

    def get_queryset(self, request):
        return access.scope(request.user, "org.view_account", super().get_queryset(request))

    def get_inlines(self, request, obj):
        # Roles are granted to an existing staff account: the add page has no inline.
        return self.inlines if obj is not None else []

    def get_search_results(self, request, queryset, search_term):
        """Choosing an account for a role offers staff accounts only."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") == StaffMembership._meta.model_name:
            queryset = queryset.filter(kind=User.Kind.STAFF)
        return queryset, may_have_duplicates

    def user_change_password(self, request, id, form_url=""):
        """Django saves a new password outside ``save_model``: record it here."""
        with transaction.atomic():
            before = User.objects.filter(pk=id).values_list("password", flat=True).first()
            response = super().user_change_password(request, id, form_url)
            user = User.objects.filter(pk=id).first()
            if user is not None and user.password != before:
                audit.record(
                    request.user,
                    "identity.user.set_password",
                    user,
                    changes=audit.diff({"password": before}, {"password": user.password}),
                    request=request,
                )
        return response
