"""Self-service terminals (自助终端) enrolled at a service center, each with a card reader."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.pii.fields import EncryptedTextField


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class KioskTerminal(models.Model):
    code = models.CharField(_("终端编号"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    center = models.ForeignKey(
        "org.ServiceCenter",
        verbose_name=_("所在服务中心"),
        on_delete=models.PROTECT,
        related_name="kiosk_terminals",
    )
    reader_url = models.URLField(
        _("读卡器服务地址"),
        blank=True,
        help_text=_("终端本机读卡服务,如 http://10.0.0.21:8030;沙箱读卡器可留空"),
    )
    # The key both sides sign with (tongban.core.httpsign); AppKey is the terminal's code.
    reader_secret = EncryptedTextField(_("读卡器签名密钥"), default=new_secret)
    is_active = models.BooleanField(_("启用"), default=True)
    # The last card placement that signed someone in: the same placement never signs in twice.
    last_read_id = models.CharField(_("最近一次读卡"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("自助终端")
        verbose_name_plural = _("自助终端")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"
