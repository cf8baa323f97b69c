"""The service-item catalog: base catalog, implementation list, versioned guides.

A ``ServiceItem`` is the stable identity of an item as a county department implements it
(its implementation code). Everything a guide says lives in a ``Guide`` version: drafted,
submitted, reviewed, published; a published version never changes, and a newer one
supersedes it from its effective date. ``ServiceItem.current_guide`` points at the version
in force, which every channel reads and every case pins.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.org.models import Department, ServiceCenter, Window


class ItemType(models.TextChoices):
    """事项类型, the national codes (GB/T 39554.1-2020)."""

    LICENSING = "01", _("行政许可")
    PENALTY = "02", _("行政处罚")
    ENFORCEMENT = "03", _("行政强制")
    LEVY = "04", _("行政征收")
    BENEFIT = "05", _("行政给付")
    INSPECTION = "06", _("行政检查")
    CONFIRMATION = "07", _("行政确认")
    REWARD = "08", _("行政奖励")
    ADJUDICATION = "09", _("行政裁决")
    OTHER_POWER = "10", _("其他行政权力")
    PUBLIC_SERVICE = "20", _("公共服务")


class Topic(models.TextChoices):
    """主题分类 by which people browse (life events for persons, stages for enterprises)."""

    BIRTH = "birth", _("生育收养")
    HOUSEHOLD = "household", _("户籍办理")
    EDUCATION = "education", _("教育科研")
    EMPLOYMENT = "employment", _("就业创业")
    MARRIAGE = "marriage", _("婚姻登记")
    SOCIAL_SECURITY = "social_security", _("社会保障")
    MEDICAL = "medical", _("医疗卫生")
    HOUSING = "housing", _("住房保障")
    REAL_ESTATE = "real_estate", _("不动产")
    TRAFFIC = "traffic", _("交通出行")
    ELDERLY = "elderly", _("养老服务")
    DISABILITY = "disability", _("残疾人服务")
    VETERANS = "veterans", _("优待抚恤")
    CIVIL_AFFAIRS = "civil_affairs", _("社会救助")
    JUSTICE = "justice", _("司法公证")
    RETIREMENT = "retirement", _("离职退休")
    DEATH = "death", _("死亡殡葬")
    BUSINESS_START = "business_start", _("设立变更")
    PERMITS = "permits", _("准营准办")
    CONSTRUCTION = "construction", _("工程建设")
    TAX = "tax", _("税费缴纳")
    AGRICULTURE = "agriculture", _("农业农村")
    ENVIRONMENT = "environment", _("环保绿化")
    SAFETY = "safety", _("安全生产")
    CULTURE = "culture", _("文化体育")
    UTILITIES = "utilities", _("公用事业")
    BUSINESS_CLOSE = "business_close", _("企业注销")
    OTHER = "other", _("其他")


# Item types people apply for (the others are enforcement powers, not services).
APPLICABLE_TYPES = frozenset({"01", "05", "07", "08", "09", "10", "20"})


class BaseItem(models.Model):
    """基本目录: a provincial or national item, by its base code."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("国家级")
        PROVINCIAL = "provincial", _("省级")
        CITY = "city", _("市级")
        COUNTY = "county", _("县级")

    base_code = models.CharField(_("基本编码"), max_length=40, unique=True)
    name = models.CharField(_("事项名称"), max_length=200)
    item_type = models.CharField(_("事项类型"), max_length=2, choices=ItemType)
    legal_basis = models.TextField(_("设定依据"), blank=True)
    level = models.CharField(_("行使层级"), max_length=16, choices=Level, default=Level.COUNTY)

    class Meta:
        verbose_name = _("基本目录事项")
        verbose_name_plural = _("基本目录")
        ordering = ["base_code"]

    def __str__(self):
        return f"{self.base_code} {self.name}"


class ServiceItem(models.Model):
    """实施清单事项: the item as one county department implements it."""

    implementation_code = models.CharField(_("实施编码"), max_length=60, unique=True)
    base_item = models.ForeignKey(
        BaseItem, verbose_name=_("基本目录事项"), on_delete=models.PROTECT, related_name="items"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("实施部门"), on_delete=models.PROTECT, related_name="items"
    )
    current_guide = models.OneToOneField(
        "Guide",
        verbose_name=_("现行办事指南"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("当前生效的已发布版本;各渠道都读取这一版本"),
    )
    is_active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("实施清单事项")
        verbose_name_plural = _("实施清单")
        ordering = ["implementation_code"]

    def __str__(self):
        name = self.current_guide.name if self.current_guide_id else ""
        return f"{self.implementation_code} {name}".strip()


class Guide(models.Model):
    """办事指南, one version. Published versions are immutable (services enforce it)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        PUBLISHED = "published", _("已发布")
        SUPERSEDED = "superseded", _("已被新版本替代")

    class ServiceObject(models.TextChoices):
        PERSON = "person", _("自然人")
        ENTERPRISE = "enterprise", _("法人")
        BOTH = "both", _("自然人、法人")

    class CaseType(models.TextChoices):
        INSTANT = "instant", _("即办件")
        PROMISED = "promised", _("承诺件")

    class ReviewType(models.TextChoices):
        IMMEDIATE = "immediate", _("即审即办")
        PRE_REVIEW = "pre_review", _("前审后批")

    class OnlineDepth(models.IntegerChoices):
        INFORMATION = 1, _("Ⅰ级 网上办事信息")
        BOOKING = 2, _("Ⅱ级 网上预约、表格下载")
        PRE_REVIEW = 3, _("Ⅲ级 网上预审")
        FULL = 4, _("Ⅳ级 全程网办")

    class ResultType(models.TextChoices):
        LICENSE = "license", _("证照")
        DOCUMENT = "document", _("文书")
        APPROVAL = "approval", _("批文")
        OTHER = "other", _("其他")

    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="guides"
    )
    version = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(_("状态"), max_length=16, choices=Status, default=Status.DRAFT)
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("替代时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        "identity.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提交人"),
    )
    reviewed_by = models.ForeignKey(
        "identity.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审核人"),
    )
    change_note = models.TextField(_("修订说明"), blank=True)

    # 基本信息
    name = models.CharField(_("事项名称"), max_length=200)
    keywords = models.CharField(
        _("关键词"), max_length=200, blank=True, help_text=_("以空格或逗号分隔,用于检索")
    )
    service_object = models.CharField(_("服务对象"), max_length=16, choices=ServiceObject)
    case_type = models.CharField(_("办件类型"), max_length=16, choices=CaseType)
    review_type = models.CharField(_("审查方式"), max_length=16, choices=ReviewType)
    acceptance_conditions = models.TextField(_("受理条件"), blank=True)
    legal_basis = models.TextField(_("实施依据"), blank=True)

    # 时限 (working days; promised 0 means 即办)
    statutory_days = models.PositiveIntegerField(_("法定办结时限(工作日)"), null=True, blank=True)
    promised_days = models.PositiveIntegerField(
        _("承诺办结时限(工作日)"), help_text=_("0 表示即办")
    )

    # 到现场次数与网办
    max_visits = models.PositiveSmallIntegerField(
        _("到办事现场次数"), choices=[(0, "0"), (1, "1"), (2, "2")]
    )
    visit_reason = models.CharField(_("需到现场的原因"), max_length=300, blank=True)
    online_depth = models.PositiveSmallIntegerField(_("网办深度"), choices=OnlineDepth)
    online_flags = models.JSONField(
        _("网上办理环节"),
        default=list,
        blank=True,
        help_text=_("国家平台标识 1–8:1咨询 2收件 3预审 4受理 5办理 6结果反馈 7证照反馈 8其他"),
    )
    is_secret = models.BooleanField(
        _("涉密或敏感"), default=False, help_text=_("涉密、敏感事项不计入全程网办率分母")
    )

    # 收费
    charges_fee = models.BooleanField(_("是否收费"), default=False)
    fee_basis = models.TextField(_("收费依据"), blank=True)
    fee_standard = models.TextField(_("收费标准"), blank=True)
    # The fixed charges the platform bills when the case reaches its payment step
    # (tongban.payments): [{"code", "name", "amount" (yuan, "20.00"), "basis"}]. Empty when
    # the amount is set case by case (以缴费通知书为准): such items are paid outside the platform.
    fee_items = models.JSONField(_("收费项目"), default=list, blank=True)
    online_payment = models.BooleanField(_("支持网上支付"), default=False)

    # 办理结果
    result_name = models.CharField(_("办理结果名称"), max_length=200, blank=True)
    result_type = models.CharField(_("结果类型"), max_length=16, choices=ResultType, blank=True)
    result_sample = models.FileField(_("结果样本"), upload_to="catalog/results/", blank=True)

    # 办理方式与送达
    apply_ways = models.JSONField(
        _("申请方式"), default=list, blank=True, help_text=_("window 窗口, online 网上, mail 邮寄")
    )
    delivery_ways = models.JSONField(
        _("送达方式"),
        default=list,
        blank=True,
        help_text=_("window 窗口领取, mail 邮寄, electronic 电子送达"),
    )
    location = models.CharField(_("办理地点"), max_length=300, blank=True)
    windows = models.ManyToManyField(
        Window, verbose_name=_("办理窗口"), blank=True, related_name="guides"
    )
    hours = models.CharField(_("办理时间"), max_length=200, blank=True)

    # 咨询、监督、救济
    consult_phone = models.CharField(_("咨询电话"), max_length=100, blank=True)
    consult_address = models.CharField(_("咨询地址"), max_length=300, blank=True)
    complaint_channel = models.CharField(_("监督投诉渠道"), max_length=300, blank=True)
    review_channel = models.CharField(_("行政复议"), max_length=300, blank=True)
    litigation_channel = models.CharField(_("行政诉讼"), max_length=300, blank=True)

    joint_departments = models.ManyToManyField(
        Department, verbose_name=_("联办部门"), blank=True, related_name="joint_guides"
    )
    intermediary_services = models.TextField(_("中介服务"), blank=True)
    faq = models.JSONField(
        _("常见问题"), default=list, blank=True, help_text=_('[{"q": "问题", "a": "解答"}, …]')
    )

    topics = models.JSONField(
        _("主题分类"), default=list, blank=True, help_text=_('Topic 代码列表,如 ["birth"]')
    )
    city_wide = models.BooleanField(_("全市通办"), default=False)
    cross_province = models.BooleanField(_("跨省通办"), default=False)

    # 申请表单定义(随指南版本)
    form_schema = models.JSONField(_("申请表单定义"), default=dict, blank=True)

    class Meta:
        verbose_name = _("办事指南")
        verbose_name_plural = _("办事指南")
        ordering = ["item_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="catalog_guide_version"),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status__in=["draft", "submitted"]),
                name="catalog_one_open_draft_per_item",
            ),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"

    @property
    def is_instant(self) -> bool:
        return self.promised_days == 0


class ProcessStep(models.Model):
    """办理流程 step: 受理 → 审查 → 决定 → 办结 → 送达, each with its time limit."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("环节"), max_length=50)
    days = models.PositiveIntegerField(_("时限(工作日)"), default=0)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理流程")
        ordering = ["guide_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "order"], name="catalog_step_order"),
        ]

    def __str__(self):
        return self.name


class MaterialSpec(models.Model):
    """申请材料 of a guide; may be satisfied by an e-license or shared data (免于提交)."""

    class Source(models.TextChoices):
        APPLICANT = "applicant", _("申请人自备")
        GOVERNMENT = "government", _("政府部门核发")
        INTERMEDIARY = "intermediary", _("中介机构出具")
        OTHER = "other", _("其他")

    class Medium(models.TextChoices):
        PAPER = "paper", _("纸质")
        ELECTRONIC = "electronic", _("电子")
        BOTH = "both", _("纸质或电子")

    class Requirement(models.TextChoices):
        REQUIRED = "required", _("必要")
        CONDITIONAL = "conditional", _("容缺或情形必要")
        OPTIONAL = "optional", _("非必要")

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="materials")
    order = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("材料名称"), max_length=200)
    source = models.CharField(_("来源渠道"), max_length=16, choices=Source)
    source_note = models.CharField(_("来源说明"), max_length=200, blank=True)
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    medium = models.CharField(_("介质"), max_length=16, choices=Medium, default=Medium.BOTH)
    requirement = models.CharField(
        _("必要性"), max_length=16, choices=Requirement, default=Requirement.REQUIRED
    )
    condition = models.CharField(_("适用情形"), max_length=300, blank=True)
    blank_form = models.FileField(_("空白表格"), upload_to="catalog/forms/", blank=True)
    sample = models.FileField(_("填写样例"), upload_to="catalog/samples/", blank=True)
    license_type_code = models.CharField(
        _("可替代的电子证照类型代码"),
        max_length=40,
        blank=True,
        help_text=_("能提供该电子证照的,免于提交本材料"),
    )
    shared_data_item = models.CharField(
        _("可替代的共享数据项"),
        max_length=100,
        blank=True,
        help_text=_("可通过数据共享获取的,免于提交本材料,例如 registry.person"),
    )
    notes = models.TextField(_("填报须知"), blank=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["guide_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "order"], name="catalog_material_order"),
        ]

    def __str__(self):
        return self.name

    @property
    def exemptible(self) -> bool:
        return bool(self.license_type_code or self.shared_data_item)


class AcceptancePoint(models.Model):
    """A town center or village station where the item can be accepted, and how."""

    class Mode(models.TextChoices):
        ENTRUSTED = "entrusted", _("委托受理")
        AUTHORIZED = "authorized", _("授权办理")
        ASSISTED = "assisted", _("帮办代办")

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="acceptance_points")
    center = models.ForeignKey(
        ServiceCenter,
        verbose_name=_("服务中心"),
        on_delete=models.PROTECT,
        related_name="acceptance_points",
    )
    mode = models.CharField(_("下沉方式"), max_length=16, choices=Mode)

    class Meta:
        verbose_name = _("下沉受理点")
        verbose_name_plural = _("下沉受理点")
        constraints = [
            models.UniqueConstraint(fields=["guide", "center"], name="catalog_point_per_center"),
        ]

    def __str__(self):
        return f"{self.center} · {self.get_mode_display()}"


from tongban.catalog.search_models import SearchEntry  # noqa: E402, F401  (the search index)
