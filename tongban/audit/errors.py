"""The audit log's domain errors."""

from tongban.errors import Conflict


class AuditRecordImmutable(Conflict):
    """Raised on any attempt to change or delete an audit record through the ORM."""

    code = "audit_immutable"
    message = "审计记录只能追加,不能修改或删除"
    message_en = "Audit records are append-only: they cannot be changed or deleted"


class AppendOutsideChain(AuditRecordImmutable):
    """Raised when a record is written around ``services.record`` and so outside any chain."""

    code = "audit_outside_chain"
    message = "审计记录只能通过 audit.services.record 追加"
    message_en = "Audit records are appended only through audit.services.record"
