"""The portal's own records: 帮办代办 bookings (``assist.py`` holds the rules)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.pii.fields import BlindIndexField, EncryptedTextField, PersonalCharField


class AssistBooking(models.Model):
    """A person's booking of help at a service center, for a working day's half day.

    The elderly may have no account: ``user`` is empty then, and the booking is shown to the
    browser session that made it. Name and phone are personal data (masked, phone encrypted).
    """

    class Kind(models.TextChoices):
        HELP = "help", _("帮办(工作人员帮我办)")
        PROXY = "proxy", _("代办(工作人员替我办)")
        HOME = "home", _("上门(行动不便,上门服务)")

    class Slot(models.TextChoices):
        MORNING = "am", _("上午")
        AFTERNOON = "pm", _("下午")

    class Status(models.TextChoices):
        BOOKED = "booked", _("已预约")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    number = models.CharField(_("预约编号"), max_length=20, unique=True)
    kind = models.CharField(_("服务方式"), max_length=8, choices=Kind)
    item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name=_("事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    item_text = models.CharField(_("事项(自填)"), max_length=100, blank=True)
    center = models.ForeignKey(
        "org.ServiceCenter",
        verbose_name=_("服务中心"),
        on_delete=models.PROTECT,
        related_name="assist_bookings",
    )
    date = models.DateField(_("预约日期"))
    slot = models.CharField(_("时段"), max_length=2, choices=Slot)
    name = PersonalCharField(_("姓名"), max_length=50)
    phone = EncryptedTextField(_("联系电话"), kind="phone")
    phone_hash = BlindIndexField(source="phone", db_index=True)
    note = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.BOOKED)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("预约账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assist_bookings",
    )
    created_at = models.DateTimeField(_("预约时间"))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("办理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("帮办代办预约")
        verbose_name_plural = _("帮办代办预约")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["center", "date", "slot"], name="portal_assist_center_day")]

    def __str__(self):
        return self.number

    @property
    def item_name(self) -> str:
        if self.item_id and self.item.current_guide_id:
            return self.item.current_guide.name
        return self.item_text
