"""电子证照: license types (证照目录), licenses with their versions, shows, views and uses.

A license's identifier follows GB/T 36903 (``identifiers``):
``1.2.156.3005.2.{type code}.{issuer USCC}.{serial}.{version}.{check}``. A change or renewal
is a new ``License`` row with the same serial, the next version and ``previous`` pointing at the
row it supersedes. Whether a license is expired is read from ``valid_to`` against the clock
(``state``); revocation and supersession are stored.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.pii.fields import BlindIndexField, EncryptedTextField


class HolderType(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人和其他组织")


# GB/T 36903 holder code types: 111 居民身份证号码, 001 统一社会信用代码.
HOLDER_CODE_TYPES = {HolderType.PERSON: "111", HolderType.ENTERPRISE: "001"}


class LicenseType(models.Model):
    """A license type of the catalog (证照目录), kept as data."""

    code = models.CharField(_("证照类型代码"), max_length=24, unique=True)
    name = models.CharField(_("证照名称"), max_length=100)
    authority_name = models.CharField(_("证照定义机构"), max_length=100)
    authority_code = models.CharField(_("证照定义机构代码"), max_length=18)
    holder_type = models.CharField(_("持证主体类型"), max_length=16, choices=HolderType)
    validity_years = models.PositiveSmallIntegerField(
        _("有效期(年)"), null=True, blank=True, help_text=_("留空表示长期有效")
    )
    fields = models.JSONField(
        _("照面信息项"),
        default=list,
        blank=True,
        help_text=_('列表,每项 {"key": …, "label": …, "source": "form.字段" 或 "holder.name"}'),
    )
    layout = models.JSONField(_("版式"), default=dict, blank=True)
    items = models.ManyToManyField(
        "catalog.ServiceItem",
        verbose_name=_("出证事项"),
        blank=True,
        related_name="license_types",
        help_text=_("这些事项以证照办结时签发本类证照"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("证照类型")
        verbose_name_plural = _("证照目录")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}({self.code})"

    def clean(self):
        from tongban.licenses.services import check_type

        check_type(self)


class License(models.Model):
    """One version of an e-license; the identifier names exactly this version."""

    class Status(models.TextChoices):
        VALID = "valid", _("有效")
        REVOKED = "revoked", _("已注销")
        SUPERSEDED = "superseded", _("已变更")

    identifier = models.CharField(_("证照标识"), max_length=120, unique=True)
    license_type = models.ForeignKey(
        LicenseType, verbose_name=_("证照类型"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("证照编号"), max_length=64)
    serial = models.CharField(_("顺序号"), max_length=32)
    version = models.PositiveSmallIntegerField(_("版本号"), default=1)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("上一版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
    )
    issuer = models.ForeignKey(
        "org.Department", verbose_name=_("颁证单位"), on_delete=models.PROTECT, related_name="+"
    )
    division_code = models.CharField(_("颁证单位行政区划代码"), max_length=12, default="610124")
    holder_type = models.CharField(_("持证主体类型"), max_length=16, choices=HolderType)
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("持证人账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="licenses",
    )
    holder_enterprise = models.ForeignKey(
        "identity.EnterpriseAccount",
        verbose_name=_("持证单位账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="licenses",
    )
    holder_name = models.CharField(_("持证主体"), max_length=200)
    holder_code = EncryptedTextField(_("持证主体代码"), kind="id_number")
    holder_code_hash = BlindIndexField(source="holder_code")
    holder_code_type = models.CharField(_("持证主体代码类型"), max_length=3)
    issued_on = models.DateField(_("颁证日期"))
    valid_from = models.DateField(_("有效期起始"))
    valid_to = models.DateField(_("有效期截止"), null=True, blank=True)
    surface = models.JSONField(_("照面信息"), default=dict)
    status = models.CharField(_("状态"), max_length=16, choices=Status, default=Status.VALID)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("来源办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    pdf = models.FileField(_("证照文件"), upload_to="licenses/%Y/", blank=True, max_length=255)
    pdf_sha256 = models.CharField(_("文件 SHA-256"), max_length=64, blank=True, db_index=True)
    # The canonical metadata holds the holder's ID number: encrypted at rest like it.
    signed_data = EncryptedTextField(_("签名原文"), blank=True)
    sm2_signature = models.TextField(_("SM2 签名(Base64)"), blank=True)
    sm2_public_key = models.TextField(
        _("SM2 签名公钥"), blank=True, help_text=_("签名时颁证单位印章的公钥(PEM)")
    )
    revoked_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("注销原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["license_type", "issuer", "serial", "version"],
                name="licenses_license_version",
            ),
            # Issuance is idempotent per case: one first version per case.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(previous__isnull=True, case__isnull=False),
                name="licenses_license_one_per_case",
            ),
        ]
        indexes = [models.Index(fields=["holder_code_hash", "license_type"])]

    def __str__(self):
        return f"{self.license_type.name} {self.number}"


class IssuerSerial(models.Model):
    """The last serial (顺序号) an issuing department gave in a year: ``{year}{n:06d}``."""

    issuer = models.ForeignKey(
        "org.Department", verbose_name=_("颁证单位"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已用顺序号"), default=0)

    class Meta:
        verbose_name = _("证照顺序号")
        verbose_name_plural = _("证照顺序号")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "year"], name="licenses_serial_per_year")
        ]

    def __str__(self):
        return f"{self.issuer_id}/{self.year}: {self.last}"


class ShowToken(models.Model):
    """扫码亮证: a short-lived token the holder's QR code carries."""

    license = models.ForeignKey(
        License, verbose_name=_("电子证照"), on_delete=models.CASCADE, related_name="show_tokens"
    )
    token_id = models.CharField(_("令牌编号"), max_length=64, unique=True)
    single_use = models.BooleanField(_("一次有效"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("亮证人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("生成时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("亮证令牌")
        verbose_name_plural = _("亮证令牌")

    def __str__(self):
        return self.token_id


class LicenseAccess(models.Model):
    """Every show, view, verification and use of a license; the holder sees them all."""

    class Kind(models.TextChoices):
        SHOW = "show", _("亮证")
        VIEW = "view", _("扫码查看")
        VERIFY = "verify", _("核验")
        USE = "use", _("用证")
        DOWNLOAD = "download", _("下载")

    license = models.ForeignKey(
        License, verbose_name=_("电子证照"), on_delete=models.CASCADE, related_name="accesses"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("查看方"), max_length=200, blank=True)
    token = models.ForeignKey(
        ShowToken,
        verbose_name=_("亮证令牌"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accesses",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("用证办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("证照使用记录")
        verbose_name_plural = _("证照使用记录")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["license", "-at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
