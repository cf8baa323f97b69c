"""Admin pages of the registries: masked values, look-up by exact ID number or phone, and a
reveal page that asks for a purpose and records the read (``pii.reveal``).

The pages are read-only: people and entities change through the services (imports, and
later the case flows), so every change is audited with masked values.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tongban.core.pii import blind_index, mask
from tongban.core.pii.fields import personal_fields
from tongban.core.pii.reveal import may_reveal, reveal
from tongban.errors import InvalidInput, PermissionDenied
from tongban.identity import access
from tongban.registry.models import LegalEntity, Person
from tongban.registry.services import history


class RevealForm(forms.Form):
    field = forms.ChoiceField(label=_("要查看的信息"))
    purpose = forms.CharField(
        label=_("用途"),
        max_length=200,
        help_text=_("例如:办理某某事项时核对申请人身份。查看将记入审计日志。"),
    )


class PersonalAdmin(admin.ModelAdmin):
    """Read-only, masked; ``<pk>/reveal/`` shows one full value to a role that may see it."""

    masked_fields: tuple[str, ...] = ()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [*self.fields_shown, "reveal_link", "change_history"]

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj)

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "<int:pk>/reveal/",
                self.admin_site.admin_view(self.reveal_view),
                name="{}_{}_reveal".format(*info),
            ),
            *super().get_urls(),
        ]

    def reveal_view(self, request, pk):
        obj = get_object_or_404(self.model, pk=pk)
        if not access.can(request.user, "registry.view", obj):
            raise DjangoPermissionDenied
        choices = [
            (f.name, f.verbose_name)
            for f in personal_fields(self.model)
            if access.can(request.user, "registry.reveal", obj)
            and may_reveal(request.user, f.pii_kind)
        ]
        form = RevealForm(request.POST or None)
        form.fields["field"].choices = choices
        shown = None
        if request.method == "POST" and form.is_valid():
            try:
                value = reveal(
                    request.user,
                    obj,
                    form.cleaned_data["field"],
                    purpose=form.cleaned_data["purpose"],
                )
            except (PermissionDenied, InvalidInput) as error:
                messages.error(request, error.message)
                return redirect(request.path)
            label = dict(choices)[form.cleaned_data["field"]]
            shown = (label, value)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "obj": obj,
            "form": form if choices else None,
            "shown": shown,
            "title": _("查看完整个人信息"),
            "change_url": reverse(
                f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk]
            ),
        }
        return TemplateResponse(request, "admin/registry/reveal.html", context)

    @admin.display(description=_("完整信息"))
    def reveal_link(self, obj):
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_reveal", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("说明用途后查看(记入审计日志)"))

    @admin.display(description=_("变更记录"))
    def change_history(self, obj):
        lines = [
            f"{record.at:%Y-%m-%d %H:%M} {record.actor_repr} {record.action} {record.changes}"
            for record in history(obj)
        ]
        return "\n".join(lines) or "—"

    def get_search_results(self, request, queryset, search_term):
        """An 18-character term is looked up as an ID number, 11 digits as a phone."""
        term = search_term.strip()
        hashed = self.exact_lookups(term)
        if hashed is not None:
            return queryset.filter(**hashed), False
        return super().get_search_results(request, queryset, search_term)

    def exact_lookups(self, term: str) -> dict | None:
        return None


def _masked(name: str, label):
    @admin.display(description=label)
    def show(self, obj):
        return mask(getattr(obj, name))

    show.__name__ = f"masked_{name}"
    return show


@admin.register(Person)
class PersonAdmin(PersonalAdmin):
    list_display = (
        "masked_name",
        "masked_id_number",
        "sex",
        "birth_date",
        "masked_phone",
        "masked_address",
        "division",
    )
    list_filter = ("sex", "is_demo")
    search_fields = ("name",)
    search_help_text = _("输入完整的身份证号码或手机号码精确查找,或按姓名查找")
    fields_shown = (
        "masked_name",
        "masked_id_number",
        "sex",
        "birth_date",
        "masked_address",
        "masked_phone",
        "division",
        "is_demo",
        "created_at",
        "updated_at",
    )
    masked_name = _masked("name", _("姓名"))
    masked_id_number = _masked("id_number", _("身份证号码"))
    masked_phone = _masked("phone", _("手机号码"))
    masked_address = _masked("address", _("户籍地址"))

    def exact_lookups(self, term):
        if len(term) == 18:
            return {"id_number_hash": blind_index(term, "id_number")}
        if term.isdigit() and len(term) == 11:
            return {"phone_hash": blind_index(term, "phone")}
        return None


@admin.register(LegalEntity)
class LegalEntityAdmin(PersonalAdmin):
    list_display = ("name", "uscc", "entity_type", "masked_legal_rep_name", "status")
    list_filter = ("entity_type", "status", "is_demo")
    search_fields = ("name", "uscc")
    fields_shown = (
        "uscc",
        "name",
        "entity_type",
        "masked_legal_rep_name",
        "masked_legal_rep_id_number",
        "registered_address",
        "industry",
        "registered_capital",
        "status",
        "established_on",
        "is_demo",
        "created_at",
        "updated_at",
    )
    masked_legal_rep_name = _masked("legal_rep_name", _("法定代表人(负责人)"))
    masked_legal_rep_id_number = _masked("legal_rep_id_number", _("法定代表人身份证号码"))
