"""How personal data is shown: ``610124********1234``, ``138****5678``, ``王*明``.

Values read from a personal field are ``Personal`` strings: ordinary ``str`` that remember
their kind, so the log filter and ``mask`` know what they are even where no pattern would.
"""

import re

STAR = "*"
ADDRESS_KEEP = 6


class Personal(str):
    """A str read from a field marked personal; ``kind`` says how to mask it."""

    kind = "text"

    def __new__(cls, value: str, kind: str = "text"):
        self = super().__new__(cls, value)
        self.kind = kind
        return self

    def __reduce__(self):
        return (Personal, (str(self), self.kind))


def mask_id_number(value: str) -> str:
    """``610124********1234``: the address code and the last four kept."""
    text = str(value).strip()
    if len(text) <= 10:
        return STAR * len(text)
    return text[:6] + STAR * (len(text) - 10) + text[-4:]


def mask_phone(value: str) -> str:
    """``138****5678`` for a mobile; other numbers keep only their last four digits."""
    text = re.sub(r"[\s-]", "", str(value))
    if len(text) == 11:
        return text[:3] + STAR * 4 + text[-4:]
    if len(text) <= 4:
        return STAR * len(text)
    return STAR * (len(text) - 4) + text[-4:]


def mask_address(value: str) -> str:
    """The first six characters (county, town) and ``****``."""
    text = str(value).strip()
    if not text:
        return ""
    return text[:ADDRESS_KEEP] + STAR * 4


def mask_name(value: str) -> str:
    """``王*`` for two characters, ``王*明`` for three, ``欧**明`` for four."""
    text = str(value).strip()
    if len(text) <= 1:
        return text
    if len(text) == 2:
        return text[0] + STAR
    return text[0] + STAR * (len(text) - 2) + text[-1]


def mask_text(value: str) -> str:
    text = str(value)
    return text[:1] + STAR * 4 if text else ""


MASKS = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "address": mask_address,
    "name": mask_name,
    "text": mask_text,
}


def mask(value, kind: str | None = None) -> str:
    """``value`` masked by its kind (a ``Personal`` value knows its own); ``None`` → ``""``."""
    if value is None or value == "":
        return ""
    kind = kind or getattr(value, "kind", "text")
    return MASKS.get(kind, mask_text)(str(value))
