"""The audit log: append-only records, hash-chained within partitions.

Records are written only by ``tongban.audit.services.record``. The ORM refuses to change or
delete them; what the ORM cannot stop (SQL typed into the database) the hash chain reveals
to ``manage.py verify_audit``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.audit import hashing
from tongban.audit.errors import AppendOutsideChain, AuditRecordImmutable


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk writes would bypass ``save()``'s guard, so they are refused here too."""

    def update(self, **kwargs):
        raise AuditRecordImmutable()

    def delete(self):
        raise AuditRecordImmutable()

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditRecordImmutable()

    def bulk_create(self, objs, *args, **kwargs):
        raise AppendOutsideChain()


class AuditRecord(models.Model):
    """Who did what to which object, and what changed; one link of a partition's chain."""

    partition = models.PositiveSmallIntegerField(_("链分区"))
    seq = models.PositiveBigIntegerField(_("链内序号"))
    at = models.DateTimeField(_("时间"))
    # PROTECT: an account that acted keeps existing (deactivate it instead), so the record
    # still points at who it was; actor_repr keeps the name as it was at the time.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_repr = models.CharField(_("操作人(记录时)"), max_length=255, blank=True)
    action = models.CharField(_("操作"), max_length=100, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=255, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    note = models.TextField(_("备注"), blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)
    algorithm = models.CharField(_("摘要算法"), max_length=8)
    prev_hash = models.CharField(_("前一条摘要"), max_length=64)
    hash = models.CharField(_("本条摘要"), max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        constraints = [
            models.UniqueConstraint(fields=["partition", "seq"], name="audit_record_chain_seq"),
        ]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_record_object"),
            models.Index(fields=["at"], name="audit_record_at"),
        ]

    def __str__(self):
        return f"{self.partition}#{self.seq} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditRecordImmutable()
        if not self.hash:
            raise AppendOutsideChain()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditRecordImmutable()

    def content(self) -> dict:
        return {name: getattr(self, name) for name in hashing.HASHED_FIELDS}

    def compute_hash(self) -> str:
        return hashing.content_hash(self.content())


class ChainHead(models.Model):
    """The last link of one partition's chain; its row lock orders appends to that chain.

    One row per partition, so writers in different partitions never wait on each other
    (DESIGN.md §5). It also lets the verifier notice records cut off the end of a chain.
    """

    partition = models.PositiveSmallIntegerField(_("链分区"), primary_key=True)
    seq = models.PositiveBigIntegerField(_("最后序号"), default=0)
    hash = models.CharField(_("最后摘要"), max_length=64, default=hashing.GENESIS_HASH)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self):
        return f"{self.partition}#{self.seq}"
