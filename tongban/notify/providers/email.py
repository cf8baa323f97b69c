"""E-mail through Django's mail (SMTP in production, the console in development)."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage

from tongban.notify.providers.base import Outgoing, PermanentError, Provider, RetryableError
from tongban.notify.providers.registry import register


@register("email")
class EmailProvider(Provider):
    channel = "email"

    def send(self, message: Outgoing) -> str:
        mail = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.address],
            headers={"Message-ID": f"<{message.client_msg_id}@tongban>"},
        )
        try:
            mail.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentError(f"收件地址被拒绝: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise RetryableError(f"邮件服务不可用: {exc}") from exc
        return message.client_msg_id
