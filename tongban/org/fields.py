"""Model fields for identifiers that other apps store too."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.org.validators import USCC_LENGTH, normalize_uscc, validate_uscc


class USCCField(models.CharField):
    """A 统一社会信用代码, stored compact and upper-case so uniqueness means what it says.

    Normalizing in ``to_python`` runs before the validators in ``full_clean`` (and so in every
    form), which lets people type ``91350100 m000100y43`` and still be understood.
    """

    default_validators = [validate_uscc]
    description = _("统一社会信用代码")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", USCC_LENGTH)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_uscc(value) if value else value
