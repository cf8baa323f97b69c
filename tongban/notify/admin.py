"""Templates (each save is a new version, with a preview), messages and dead letters."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html, linebreaks
from django.utils.translation import gettext_lazy as _

from tongban.errors import TongbanError
from tongban.identity import access
from tongban.notify import services
from tongban.notify.models import DeliveryAttempt, Message, ProviderCircuit, Template


class TemplateForm(admin.ModelAdmin.form):
    def clean(self):
        data = super().clean()
        values = {k: data.get(k, getattr(self.instance, k)) or "" for k in TEXT_FIELDS}
        try:
            services.check_template(Template(**values))
        except TongbanError as exc:
            raise ValidationError(
                {k if k in self.fields else None: v for k, v in exc.fields.items()}
            ) from exc
        return data


TEXT_FIELDS = ("code", "channel", "subject", "body", "variables")


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    form = TemplateForm
    list_display = ("code", "channel", "version", "subject", "created_at", "created_by")
    list_filter = ("channel",)
    search_fields = ("code", "subject", "body")
    readonly_fields = ("version", "created_at", "created_by", "preview")
    fields = (*TEXT_FIELDS, "preview", "version", "created_at", "created_by")

    def get_readonly_fields(self, request, obj=None):
        # A template is named by its code and channel; a new version keeps both.
        return (*self.readonly_fields, "code", "channel") if obj else self.readonly_fields

    @admin.display(description=_("预览"))
    def preview(self, template):
        if not template.pk:
            return "保存后可预览 / saved templates show a preview"
        shown = services.preview(template)
        return format_html("<strong>{}</strong>{}", shown["subject"], linebreaks(shown["body"]))

    def save_model(self, request, obj, form, change):
        # Never overwrite: every save stores the next version (messages keep the one used).
        saved = services.save_template(
            obj.code,
            obj.channel,
            subject=obj.subject,
            body=obj.body,
            variables=obj.variables,
            by=request.user,
        )
        obj.pk, obj.version = saved.pk, saved.version

    def has_delete_permission(self, request, obj=None):
        return False


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = readonly_fields = ("number", "provider", "at", "ok", "error", "duration_ms")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "channel",
        "template_code",
        "template_version",
        "to",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    )
    list_filter = ("status", "channel", "urgent")
    search_fields = ("template_code", "provider_message_id")
    exclude = ("address",)
    inlines = [AttemptInline]
    actions = ["resend"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Message._meta.fields if f.name != "address"] + ["to"]

    @admin.display(description=_("号码/地址"))
    def to(self, message):
        return message.masked_address or message.recipient

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        found = super().get_actions(request)
        if not access.can(request.user, "notify.resend"):
            found.pop("resend", None)
        return found

    @admin.action(description=_("重新发送所选的死信"))
    def resend(self, request, queryset):
        done = 0
        for message in queryset.filter(status__in=(Message.Status.DEAD, Message.Status.FAILED)):
            services.resend(message, by=request.user)
            done += 1
        self.message_user(request, f"已重新排队 {done} 条消息", messages.SUCCESS)


@admin.register(ProviderCircuit)
class ProviderCircuitAdmin(admin.ModelAdmin):
    list_display = ("provider", "state", "failures", "opened_until")
    readonly_fields = ("provider", "state", "failures", "opened_until")

    def has_add_permission(self, request):
        return False
