"""Who may read the audit log and verify its chains.

Nobody changes or deletes a record (the admin refuses it to everyone). Reading and verifying:
the roles carrying ``audit.view_auditrecord`` (supervisors and the system administrator).
"""

from tongban.identity import access

VIEW = "audit.view_auditrecord"

access.rule("audit.view")(lambda user, obj: access.holds(user, VIEW))
access.rule("audit.verify")(lambda user, obj: access.holds(user, VIEW))
access.scope_rule("audit.view")(
    lambda user, queryset: queryset if access.holds(user, VIEW) else queryset.none()
)
