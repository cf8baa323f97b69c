"""Interface management: the systems that call the platform's API, their keys, their calls.

Secrets are stored encrypted (``crypto``); tokens only as their SHA-256; the call log holds
route templates, never raw paths or bodies, so it carries no personal data.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core import clock


class Sensitivity(models.IntegerChoices):
    PUBLIC = 1, _("公开")
    INTERNAL = 2, _("内部")
    SENSITIVE = 3, _("敏感")


class ApiClient(models.Model):
    """A department system or an upper-level platform allowed to call the API."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("部门业务系统")
        UPPER = "upper", _("上级平台")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_clients",
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind, default=Kind.DEPARTMENT)
    scopes = models.JSONField(_("接口权限范围"), default=list, blank=True)
    department_codes = models.JSONField(
        _("可访问数据的部门代码"),
        default=list,
        blank=True,
        help_text=_("部门代码列表;* 表示全部部门"),
    )
    max_sensitivity = models.PositiveSmallIntegerField(
        _("最高数据密级"), choices=Sensitivity, default=Sensitivity.PUBLIC
    )
    rate_limit = models.PositiveIntegerField(_("每分钟调用上限"), default=600)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=clock.now)

    class Meta:
        verbose_name = _("接入系统")
        verbose_name_plural = _("接入系统")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def may_read_department(self, code: str) -> bool:
        return "*" in self.department_codes or code in self.department_codes


class ApiKey(models.Model):
    """A key id and its secret; after a rotation the old key lives until ``expires_at``."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        REVOKED = "revoked", _("已吊销")

    client = models.ForeignKey(
        ApiClient, verbose_name=_("接入系统"), on_delete=models.CASCADE, related_name="keys"
    )
    key_id = models.CharField(_("密钥标识"), max_length=40, unique=True)
    secret_encrypted = models.BinaryField(_("密钥密文"), editable=False)
    status = models.CharField(_("状态"), max_length=16, choices=Status, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("签发时间"), default=clock.now)
    expires_at = models.DateTimeField(_("失效时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.key_id

    def is_usable(self, at) -> bool:
        if self.status != self.Status.ACTIVE:
            return False
        return self.expires_at is None or at < self.expires_at


class AccessToken(models.Model):
    """An OAuth2 client-credentials bearer token, kept only as its SHA-256."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="tokens")
    key_id = models.CharField(max_length=40)
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("访问令牌")
        verbose_name_plural = _("访问令牌")

    def __str__(self):
        return f"{self.key_id} → {self.expires_at:%Y-%m-%d %H:%M}"


class CallLog(models.Model):
    """One call to /api/: who, which route (the template, not the path), how it went."""

    client = models.ForeignKey(
        ApiClient,
        verbose_name=_("接入系统"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    key_id = models.CharField(_("密钥标识"), max_length=40, blank=True)
    method = models.CharField(_("方法"), max_length=8)
    route = models.CharField(_("接口"), max_length=200)
    status = models.PositiveSmallIntegerField(_("状态码"))
    latency_ms = models.FloatField(_("耗时(毫秒)"))
    bytes_out = models.PositiveIntegerField(_("响应字节数"))
    at = models.DateTimeField(_("时间"), default=clock.now)

    class Meta:
        verbose_name = _("调用日志")
        verbose_name_plural = _("调用日志")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["client", "at"], name="gateway_call_client_at"),
            models.Index(fields=["at"], name="gateway_call_at"),
        ]

    def __str__(self):
        return f"{self.method} {self.route} {self.status}"


class IdempotencyRecord(models.Model):
    """The response first given to (caller, Idempotency-Key): a retry gets it again."""

    owner = models.CharField(max_length=64)
    key = models.CharField(max_length=128)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        verbose_name = _("幂等记录")
        verbose_name_plural = _("幂等记录")
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="gateway_idempotency_once")
        ]

    def __str__(self):
        return f"{self.owner} {self.key}"
