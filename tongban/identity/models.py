from django.conf import settings
from django.contrib.auth.models import AbstractUser, _user_has_module_perms, _user_has_perm
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.pii.fields import BlindIndexField, EncryptedTextField
from tongban.core.pii.masking import mask


class Level(models.IntegerChoices):
    """Real-name levels (实名等级). Services can require one (``identity.realname``)."""

    L0 = 0, _("未实名")
    L1 = 1, _("L1 手机号已验证")
    L2 = 2, _("L2 姓名与身份证号码经人口库比对一致")
    L3 = 3, _("L3 窗口或自助终端现场核验")


class User(AbstractUser):
    """One account per human being: a person, or a member of staff.

    An enterprise is not an account of its own: its legal representative and the agents
    (经办人) it authorizes sign in as themselves and act for it (``EnterpriseAccount``,
    ``Agent``), so every act is traceable to a real-name person.
    """

    class Kind(models.TextChoices):
        PERSON = "person", _("自然人")
        STAFF = "staff", _("工作人员")

    kind = models.CharField(_("账号类型"), max_length=16, choices=Kind, default=Kind.PERSON)
    phone = EncryptedTextField(_("手机号码"), kind="phone", blank=True)
    phone_hash = BlindIndexField(source="phone", unique=True)
    id_number = EncryptedTextField(_("身份证号码"), kind="id_number", blank=True)
    id_number_hash = BlindIndexField(source="id_number", unique=True)
    real_name_level = models.PositiveSmallIntegerField(
        _("实名等级"), choices=Level.choices, default=Level.L0
    )
    is_demo = models.BooleanField(
        _("演示账号"), default=False, help_text=_("生产环境启动前必须删除全部演示账号。")
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("账号")
        verbose_name_plural = _("账号")
        swappable = "AUTH_USER_MODEL"

    def get_full_name(self) -> str:
        """Chinese order, no space: 王丽 (family name first)."""
        return f"{self.last_name}{self.first_name}".strip()

    def has_perm(self, perm, obj=None):
        """Roles decide (``org.backends.RoleBackend``); ``is_superuser`` grants nothing."""
        return self.is_active and _user_has_perm(self, perm, obj)

    def has_module_perms(self, app_label):
        return self.is_active and _user_has_module_perms(self, app_label)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def masked_phone(self) -> str:
        return mask(self.phone, "phone")

    @property
    def masked_id_number(self) -> str:
        return mask(self.id_number, "id_number")


class RealNameVerification(models.Model):
    """One raising (or confirmation) of an account's real-name level: append-only history.

    ``user.real_name_level`` is the current level; these rows say how and by whom each level
    was reached (L3: the clerk, and the window or kiosk, are recorded).
    """

    class Method(models.TextChoices):
        SMS = "sms", _("短信验证码")
        REGISTRY = "registry", _("人口库比对")
        WINDOW = "window", _("窗口现场核验")
        KIOSK = "kiosk", _("自助终端读取身份证")
        PROVINCIAL = "provincial", _("省统一身份认证平台")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.PROTECT,
        related_name="verifications",
    )
    level = models.PositiveSmallIntegerField(_("实名等级"), choices=Level.choices)
    method = models.CharField(_("核验方式"), max_length=16, choices=Method.choices)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核验人员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    window = models.ForeignKey(
        "org.Window", verbose_name=_("窗口"), on_delete=models.PROTECT, null=True, blank=True
    )
    kiosk = models.CharField(_("自助终端编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("核验时间"), auto_now_add=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("实名核验记录")
        verbose_name_plural = _("实名核验记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.user} {self.get_level_display()}"


class PhoneCode(models.Model):
    """A one-time SMS code sent to a phone (sign-in or binding a phone), stored keyed-hashed.

    Found by the phone's blind index; the phone itself is not kept here.
    """

    class Purpose(models.TextChoices):
        SIGNIN = "signin", _("登录")
        BIND = "bind", _("绑定手机号")

    phone_hash = models.CharField(_("手机号索引"), max_length=64, db_index=True)
    purpose = models.CharField(_("用途"), max_length=16, choices=Purpose.choices)
    code_hash = models.CharField(_("验证码摘要"), max_length=64)
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    created_at = models.DateTimeField(_("发送时间"), db_index=True)
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")

    def __str__(self):
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"


class EnterpriseAccount(models.Model):
    """An enterprise (from the legal-entity base) enrolled on the platform by its legal
    representative, who must be an L2+ person whose ID number the base names."""

    legal_entity = models.OneToOneField(
        "registry.LegalEntity",
        verbose_name=_("法人"),
        on_delete=models.PROTECT,
        related_name="account",
    )
    legal_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("法定代表人(负责人)"),
        on_delete=models.PROTECT,
        related_name="represented_enterprises",
    )
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("开通时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("法人账号")
        verbose_name_plural = _("法人账号")

    def __str__(self):
        return self.legal_entity.name


class Agent(models.Model):
    """A person the enterprise authorizes to act for it (经办人), within a scope, until a date."""

    class Scope(models.TextChoices):
        APPLY = "apply", _("申请办理事项")
        VIEW = "view", _("查看办件与证照")
        PAY = "pay", _("缴纳费用")
        LICENSE = "license", _("使用电子证照")

    enterprise = models.ForeignKey(
        EnterpriseAccount,
        verbose_name=_("法人账号"),
        on_delete=models.CASCADE,
        related_name="agents",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        related_name="agencies",
    )
    scopes = models.JSONField(_("授权范围"), default=list)
    expires_on = models.DateField(_("授权截止日期"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("授权人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("授权时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("经办人授权")
        verbose_name_plural = _("经办人授权")
        ordering = ["-granted_at", "-pk"]

    def __str__(self):
        return f"{self.enterprise} — {self.user}"


class Consent(models.Model):
    """A person's consent to an OIDC client (department system), remembered per client until
    revoked, and the enterprise they chose to act for there, if any."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="consents",
    )
    client = models.ForeignKey(
        "oauth2_provider.Application", verbose_name=_("接入系统"), on_delete=models.CASCADE
    )
    scopes = models.CharField(_("授权范围"), max_length=255)
    enterprise = models.ForeignKey(
        EnterpriseAccount,
        verbose_name=_("代表法人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("同意时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("单点登录授权")
        verbose_name_plural = _("单点登录授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "client"], name="one_consent_per_client")
        ]

    def __str__(self):
        return f"{self.user} → {self.client}"


class FederatedIdentity(models.Model):
    """An account's identity at an upstream OIDC provider (the provincial platform)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="federated_identities",
    )
    issuer = models.CharField(_("签发方"), max_length=255)
    subject = models.CharField(_("用户标识"), max_length=255)
    created_at = models.DateTimeField(_("关联时间"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("最近登录"), null=True, blank=True)

    class Meta:
        verbose_name = _("外部身份")
        verbose_name_plural = _("外部身份")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="one_account_per_subject")
        ]

    def __str__(self):
        return f"{self.issuer} {self.subject}"


class SignInFailure(models.Model):
    """Failed sign-in attempts in a row for one username, and the lock they led to.

    Kept by username, existing account or not, so that a lock-out reveals nothing about
    which accounts exist. A successful sign-in deletes the row (``identity.signin.reset``).
    """

    username = models.CharField(_("用户名"), max_length=150, unique=True)
    failures = models.PositiveIntegerField(_("连续失败次数"), default=0)
    last_failure_at = models.DateTimeField(_("最近失败时间"), null=True, blank=True)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")

    def __str__(self):
        return self.username
