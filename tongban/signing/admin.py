"""Admin pages for the system administrator: the CA's certificates, the seals (read-only,
revocable with a reason) and the seal-use log. Nothing here is added or edited by hand:
seals are issued by ``services.seal_for`` and revoked through ``services.revoke_seal``."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tongban.errors import TongbanError
from tongban.identity import access
from tongban.signing import services
from tongban.signing.models import Authority, Seal, SealUse


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return access.can(request.user, "signing.view")

    def has_view_permission(self, request, obj=None):
        return access.can(request.user, "signing.view", obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Authority)
class AuthorityAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "serial", "valid_from", "valid_to")
    fields = ("kind", "name", "serial", "valid_from", "valid_to", "certificate_pem")


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("吊销原因"), max_length=200)


@admin.register(Seal)
class SealAdmin(ReadOnlyAdmin):
    list_display = ("name", "seal_id", "department", "seal_type", "status", "valid_to")
    list_filter = ("status", "seal_type")
    search_fields = ("name", "seal_id", "department__name")
    list_select_related = ("department",)
    fields = (
        "picture_tag",
        "name",
        "seal_id",
        "department",
        "seal_type",
        "status",
        "serial",
        "valid_from",
        "valid_to",
        "revoked_at",
        "revoked_reason",
        "certificate_pem",
        "sm2_public_key_pem",
    )
    readonly_fields = ("picture_tag",)

    @admin.display(description=_("印模"))
    def picture_tag(self, seal):
        url = reverse("admin:signing_seal_picture", args=[seal.pk])
        return format_html('<img src="{}" width="160" height="160" alt="">', url)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/picture/", wrap(self.picture_view), name="signing_seal_picture"),
            path("<int:pk>/revoke/", wrap(self.revoke_view), name="signing_seal_revoke"),
            *super().get_urls(),
        ]

    def picture_view(self, request, pk):
        from django.http import HttpResponse

        if not access.can(request.user, "signing.view"):
            raise DjangoPermissionDenied
        seal = get_object_or_404(Seal, pk=pk)
        return HttpResponse(services.seal_png(seal), content_type="image/png")

    def revoke_view(self, request, pk):
        if not access.can(request.user, "signing.revoke_seal"):
            raise DjangoPermissionDenied
        seal = get_object_or_404(Seal, pk=pk)
        form = RevokeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.revoke_seal(seal, by=request.user, reason=form.cleaned_data["reason"])
            except TongbanError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("印章已吊销"))
            return redirect("admin:signing_seal_change", seal.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("吊销电子印章"),
            "seal": seal,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/signing/seal/revoke.html", context)


@admin.register(SealUse)
class SealUseAdmin(ReadOnlyAdmin):
    list_display = ("used_at", "seal", "purpose", "reason", "by_repr", "document_sha256")
    list_filter = ("seal__department",)
    search_fields = ("document_sha256", "purpose")
    list_select_related = ("seal",)
    date_hierarchy = "used_at"
