"""电子档案: one archive package per concluded case, and the log of its fixity checks.

A package is a ZIP in Django's storage holding the case's records and files, with
``manifest.json`` listing every file (size, SHA-256, SM3) and ``manifest.sig``, the
manifest's SM2 signature (``packaging``). The row keeps what the fixity check compares the
stored ZIP against: the package's hashes, the manifest, its signature and the signer's
public key. Packages are never rebuilt or changed; only their status and last check move.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Retention(models.TextChoices):
    """保管期限 (DA/T 22-2015: 永久, 定期 30 年, 定期 10 年)."""

    PERMANENT = "Y", _("永久")
    YEARS_30 = "D30", _("定期30年")
    YEARS_10 = "D10", _("定期10年")


class ArchivePackage(models.Model):
    class Status(models.TextChoices):
        OK = "ok", _("完好")
        TAMPERED = "tampered", _("已被篡改")
        MISSING = "missing", _("文件缺失")

    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("办件"),
        on_delete=models.PROTECT,
        related_name="archive_package",
    )
    number = models.CharField(_("档号"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("归档时间"))
    result_type = models.CharField(_("办理结果"), max_length=16, blank=True)
    retention = models.CharField(_("保管期限"), max_length=4, choices=Retention)
    keep_until = models.DateField(
        _("保管至"), null=True, blank=True, help_text=_("永久保管的档案为空")
    )
    package = models.FileField(_("档案包"), upload_to="archives/%Y/", max_length=255)
    size = models.PositiveBigIntegerField(_("大小(字节)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    sm3 = models.CharField(_("SM3"), max_length=64)
    manifest = models.JSONField(_("清单"))
    signature = models.TextField(_("清单 SM2 签名(Base64)"))
    signer_public_key = models.TextField(_("签名公钥(PEM)"))
    has_license = models.BooleanField(_("含电子证照"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status, default=Status.OK, db_index=True
    )
    last_checked_at = models.DateTimeField(_("最近校验时间"), null=True, blank=True)
    last_check_ok = models.BooleanField(_("最近校验通过"), null=True, blank=True)

    class Meta:
        verbose_name = _("电子档案")
        verbose_name_plural = _("电子档案")
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["last_checked_at", "id"], name="archives_package_check_due"),
            models.Index(fields=["created_at", "id"], name="archives_package_created"),
        ]

    def __str__(self):
        return self.number


class FixityCheck(models.Model):
    """One fixity check of a package: whether it held, and what was found when not."""

    package = models.ForeignKey(
        ArchivePackage,
        verbose_name=_("电子档案"),
        on_delete=models.CASCADE,
        related_name="checks",
    )
    at = models.DateTimeField(_("校验时间"))
    ok = models.BooleanField(_("通过"))
    # [{"kind": "file_changed", "file": "materials/1-申请书.pdf", "detail": "…"}]
    findings = models.JSONField(_("发现的问题"), default=list, blank=True)

    class Meta:
        verbose_name = _("完整性校验")
        verbose_name_plural = _("完整性校验")
        ordering = ["package_id", "-at", "-pk"]

    def __str__(self):
        return f"{self.package} {self.at:%Y-%m-%d %H:%M} {'✓' if self.ok else '✗'}"
