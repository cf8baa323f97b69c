"""Terminals in the admin: listed and edited by roles carrying the kiosk permissions
(``org.roles``); the shared key is never shown."""

from django.contrib import admin

from tongban.kiosk.models import KioskTerminal


@admin.register(KioskTerminal)
class KioskTerminalAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "center", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    exclude = ("reader_secret",)
    readonly_fields = ("last_read_id", "created_at")
