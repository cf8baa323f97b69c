"""Who may read which messages and manage templates (``tongban.identity.access``).

- ``notify.view_inbox``: every account reads its own messages (the recipient), nobody else's;
- ``notify.manage_templates``: the system administrator edits templates (a new version each);
- ``notify.view_delivery``: the delivery log and dead letters (system administrator);
- ``notify.resend``: re-queue dead or failed messages (system administrator).
"""

from tongban.identity import access


@access.rule("notify.view_inbox")
def view_inbox(user, message) -> bool:
    if message is None:
        return getattr(user, "is_authenticated", False)
    return access.owns(user, message, person="recipient")


@access.scope_rule("notify.view_inbox")
def inbox(user, queryset):
    return access.own_rows(user, queryset, person="recipient")


access.rule("notify.manage_templates")(
    lambda user, obj: access.holds(user, "notify.change_template")
)
access.rule("notify.view_delivery")(lambda user, obj: access.holds(user, "notify.view_message"))
access.rule("notify.resend")(lambda user, obj: access.holds(user, "notify.resend_message"))
