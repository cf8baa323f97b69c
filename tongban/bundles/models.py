"""一件事一次办: life-event bundles of service items, and the bundle cases filed once.

A ``Bundle`` combines catalog items (``BundleItem``): the questionnaire (情形引导) answers
decide which apply (``condition``), and an item may wait for another's result
(``depends_on``). A ``BundleCase`` is the parent of one filing: its answers and combined
form, the materials handed in once (``BundleMaterial``, each stored once and referenced by
every child case that needs it) and one ``BundleChild`` per applicable item, whose case is
filed at once or, when it waits on another item, when that item's case concludes.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Bundle(models.Model):
    """A life event (出生, 企业开办…) as data; published versions are what people file."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        RETIRED = "retired", _("已停用")

    code = models.SlugField(_("编码"), max_length=40)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    name = models.CharField(_("一件事名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status, default=Status.DRAFT)
    promised_days = models.PositiveSmallIntegerField(_("承诺办结时限(工作日)"))
    questions = models.JSONField(
        _("情形引导"),
        default=list,
        blank=True,
        help_text=_('[{"key": …, "text": …, "options": [{"value": …, "label": …}]}]'),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="bundles_bundle_version"),
        ]

    def __str__(self):
        return f"{self.name}(第{self.version}版)"


class BundleItem(models.Model):
    """One item of a bundle, when it applies and what it waits for."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(
        "catalog.ServiceItem", verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField(_("顺序"))
    condition = models.JSONField(
        _("适用情形"),
        default=dict,
        blank=True,
        help_text=_('空为总是适用;{"question": 问题, "in": [答案…]}'),
    )
    depends_on = models.ManyToManyField(
        "self", verbose_name=_("前置事项"), symmetrical=False, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("一件事事项")
        verbose_name_plural = _("一件事事项")
        ordering = ["bundle_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "order"], name="bundles_item_order"),
            models.UniqueConstraint(fields=["bundle", "item"], name="bundles_item_once"),
        ]

    def __str__(self):
        return f"{self.bundle.name} · {self.item.implementation_code}"


class BundleCase(models.Model):
    """One filing of a bundle: the parent of its child cases."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("办理中")
        CONCLUDED = "concluded", _("已办结")

    number = models.CharField(_("一件事编号"), max_length=32, unique=True)
    bundle = models.ForeignKey(
        Bundle, verbose_name=_("一件事"), on_delete=models.PROTECT, related_name="cases"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="bundle_cases",
    )
    enterprise = models.ForeignKey(
        "identity.EnterpriseAccount",
        verbose_name=_("申请法人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("申请渠道"), max_length=24)
    answers = models.JSONField(_("情形答案"), default=dict)
    form_data = models.JSONField(_("合并申请表"), default=dict)
    delivery_method = models.CharField(_("送达方式"), max_length=16, blank=True)
    delivery_address = models.CharField(_("邮寄地址"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status, default=Status.IN_PROGRESS)
    submitted_at = models.DateTimeField(_("提交时间"))
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("一件事办件")
        verbose_name_plural = _("一件事办件")
        ordering = ["-pk"]

    def __str__(self):
        return self.number


class BundleMaterial(models.Model):
    """A material handed in once for a bundle filing, shared by every child needing it."""

    bundle_case = models.ForeignKey(BundleCase, on_delete=models.CASCADE, related_name="materials")
    key = models.CharField(_("材料标识"), max_length=200)
    name = models.CharField(_("材料名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to="bundles/%Y/%m/", max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("大小(字节)"))
    content_type = models.CharField(_("文件类型"), max_length=100)

    class Meta:
        verbose_name = _("一件事材料")
        verbose_name_plural = _("一件事材料")
        constraints = [
            models.UniqueConstraint(fields=["bundle_case", "key"], name="bundles_material_once"),
        ]

    def __str__(self):
        return self.name


class BundleChild(models.Model):
    """An applicable item of a filing and its case (none yet while it waits)."""

    bundle_case = models.ForeignKey(BundleCase, on_delete=models.CASCADE, related_name="children")
    bundle_item = models.ForeignKey(BundleItem, on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("子办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bundle_child",
    )
    cancelled = models.CharField(
        _("未办理原因"),
        max_length=200,
        blank=True,
        help_text=_("前置事项未取得结果时,本事项不再办理"),
    )

    class Meta:
        verbose_name = _("一件事子办件")
        verbose_name_plural = _("一件事子办件")
        ordering = ["bundle_case_id", "bundle_item__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["bundle_case", "bundle_item"], name="bundles_child_once"
            ),
        ]

    def __str__(self):
        return f"{self.bundle_case.number} · {self.bundle_item.item.implementation_code}"
