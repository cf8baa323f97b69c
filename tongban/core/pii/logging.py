"""``RedactFilter``: no ID number, mobile phone or personal field value reaches a log line.

Installed on the root handlers (settings.LOGGING). It rewrites ``record.msg``, the
arguments and the formatted exception: 18-character ID numbers and mainland mobile numbers
are masked wherever they appear, and any ``Personal`` value (read from a field marked
personal: names, addresses) is masked whole, whatever it looks like.
"""

import logging
import re

from tongban.core.pii.masking import Personal, mask, mask_id_number, mask_phone

# Bounded by non-digits only, so "id610124…" and "tel:+8613…" are caught too.
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")


def redact(text: str) -> str:
    text = ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    return MOBILE.sub(lambda m: mask_phone(m.group()), text)


def _mask_personal(value):
    return mask(value) if isinstance(value, Personal) else value


class RedactFilter(logging.Filter):
    """Formats the message itself (personal values masked first), then redacts the text."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):
            record.args = {key: _mask_personal(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_mask_personal(value) for value in record.args)
        record.msg = _mask_personal(record.msg)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
