"""The population base (人口库) and the legal-entity base (法人库).

ID numbers, phones and household addresses are encrypted (``tongban.core.pii``) and found
through their blind indexes; names are kept in clear for matching and masked when shown.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.pii.fields import BlindIndexField, EncryptedTextField, PersonalCharField
from tongban.core.pii.masking import mask
from tongban.org.validators import validate_uscc


class Person(models.Model):
    class Sex(models.TextChoices):
        MALE = "male", _("男")
        FEMALE = "female", _("女")

    id_number = EncryptedTextField(_("身份证号码"), kind="id_number")
    id_number_hash = BlindIndexField(source="id_number", unique=True, null=False)
    name = PersonalCharField(_("姓名"), max_length=50, kind="name")
    sex = models.CharField(_("性别"), max_length=8, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    address = EncryptedTextField(_("户籍地址"), kind="address", blank=True)
    phone = EncryptedTextField(_("手机号码"), kind="phone", blank=True)
    phone_hash = BlindIndexField(source="phone", db_index=True)
    division = models.CharField(
        _("所属区划代码"), max_length=12, blank=True, help_text=_("镇(街道)或村(社区)统计代码")
    )
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("人口信息")
        verbose_name_plural = _("人口库")
        ordering = ["pk"]

    def __str__(self):
        # Shown in audit records and admin pages: never the full values.
        return f"{mask(self.name, 'name')}({mask(self.id_number, 'id_number')})"


class LegalEntity(models.Model):
    class Type(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        INDIVIDUAL = "individual", _("个体工商户")
        COOPERATIVE = "cooperative", _("农民专业合作社")
        COLLECTIVE = "collective", _("村集体经济组织")
        SOCIAL = "social", _("社会组织")
        INSTITUTION = "institution", _("事业单位")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        ACTIVE = "active", _("存续")
        CANCELLED = "cancelled", _("注销")
        REVOKED = "revoked", _("吊销")
        MOVED_OUT = "moved_out", _("迁出")

    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc]
    )
    name = models.CharField(_("名称"), max_length=200)
    entity_type = models.CharField(_("主体类型"), max_length=16, choices=Type.choices)
    legal_rep_name = PersonalCharField(_("法定代表人(负责人)"), max_length=50, kind="name")
    legal_rep_id_number = EncryptedTextField(
        _("法定代表人身份证号码"), kind="id_number", blank=True
    )
    legal_rep_id_hash = BlindIndexField(source="legal_rep_id_number", db_index=True)
    registered_address = models.CharField(_("住所(注册地址)"), max_length=255, blank=True)
    industry = models.CharField(_("行业"), max_length=100, blank=True)
    registered_capital = models.DecimalField(
        _("注册资本(万元)"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    status = models.CharField(
        _("登记状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("法人信息")
        verbose_name_plural = _("法人库")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.name}({self.uscc})"
