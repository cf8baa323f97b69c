"""The county CA, the departments' seals (电子印章) and the log of every use of a seal.

Private keys never leave this app: with the ``local`` provider they are stored as
``keystore`` tokens (SM4-GCM under ``SIGNING_KEY_SECRET``); another provider stores its own
reference to a key it holds (an HSM label, a CA account) in the same fields.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Authority(models.Model):
    """One certificate authority of the platform's chain: the root, or the issuing CA."""

    class Kind(models.TextChoices):
        ROOT = "root", _("根证书")
        ISSUING = "issuing", _("签发证书")

    kind = models.CharField(_("类别"), max_length=16, choices=Kind, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    serial = models.CharField(_("证书序列号"), max_length=64, unique=True)
    certificate_pem = models.TextField(_("证书"))
    key_ref = models.TextField(_("私钥(加密)或密钥引用"))
    valid_from = models.DateTimeField(_("生效时间"))
    valid_to = models.DateTimeField(_("失效时间"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证书机构")
        verbose_name_plural = _("证书机构")
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.name}"


class Seal(models.Model):
    """A department's electronic seal: its certificates, keys and picture.

    One active seal per department (a partial unique constraint); a revoked seal stays for
    the verification of what it signed, and the next ``seal_for`` issues a new one.
    """

    class Type(models.TextChoices):
        OFFICIAL = "01", _("公章")
        BUSINESS = "02", _("业务专用章")
        CONTRACT = "03", _("合同专用章")
        FINANCE = "04", _("财务专用章")

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        REVOKED = "revoked", _("已吊销")

    department = models.ForeignKey(
        "org.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="seals"
    )
    seal_id = models.CharField(_("印章编码"), max_length=40, unique=True)
    name = models.CharField(_("印章名称"), max_length=120)
    seal_type = models.CharField(_("印章类型"), max_length=2, choices=Type, default=Type.OFFICIAL)
    status = models.CharField(_("状态"), max_length=16, choices=Status, default=Status.ACTIVE)
    serial = models.CharField(_("证书序列号"), max_length=64, unique=True)
    certificate_pem = models.TextField(_("签章证书(ECDSA P-256)"))
    key_ref = models.TextField(_("签章私钥(加密)或密钥引用"))
    sm2_public_key_pem = models.TextField(_("SM2 公钥"))
    sm2_key_ref = models.TextField(_("SM2 私钥(加密)或密钥引用"))
    picture = models.BinaryField(_("印模图片(PNG)"))
    valid_from = models.DateTimeField(_("生效时间"))
    valid_to = models.DateTimeField(_("失效时间"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("吊销原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("电子印章")
        verbose_name_plural = _("电子印章")
        ordering = ["department_id", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["department"],
                condition=Q(status="active"),
                name="signing_one_active_seal_per_department",
            )
        ]

    def __str__(self):
        return self.name


class SealUse(models.Model):
    """One use of a seal: a PDF signed with it, for what, by whom."""

    seal = models.ForeignKey(
        Seal, verbose_name=_("印章"), on_delete=models.PROTECT, related_name="uses"
    )
    used_at = models.DateTimeField(_("用印时间"), db_index=True)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    reason = models.CharField(_("签章原因"), max_length=200, blank=True)
    document_sha256 = models.CharField(_("签署后文件 SHA-256"), max_length=64, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用印人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    by_repr = models.CharField(_("用印人(记录)"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("用印记录")
        verbose_name_plural = _("用印记录")
        ordering = ["-used_at", "-id"]

    def __str__(self):
        return f"{self.seal} · {self.used_at:%Y-%m-%d %H:%M}"
