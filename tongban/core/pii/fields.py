"""Model fields for personal data.

``EncryptedTextField`` stores a token (``crypto.encrypt``) and gives back a ``Personal``
plaintext; it cannot be searched (only ``isnull``): pair it with a ``BlindIndexField``::

    id_number = EncryptedTextField(_("身份证号码"), kind="id_number")
    id_number_hash = BlindIndexField(source="id_number", unique=True)

    Person.objects.filter(id_number_hash=pii.blind_index(value, "id_number"))

``PersonalCharField`` is a plain, searchable column (names) whose values are still masked on
screens and in logs.
"""

from django.core.exceptions import FieldError
from django.db import models

from tongban.core.pii import crypto
from tongban.core.pii.masking import Personal

PERSONAL_KINDS = ("id_number", "phone", "address", "name", "text")


class PersonalMixin:
    personal = True

    def _init_kind(self, kind: str) -> None:
        if kind not in PERSONAL_KINDS:
            raise ValueError(f"kind must be one of {PERSONAL_KINDS}")
        self.pii_kind = kind

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.pii_kind != "text":
            kwargs["kind"] = self.pii_kind
        return name, path, args, kwargs


class EncryptedTextField(PersonalMixin, models.TextField):
    description = "Encrypted personal data"

    def __init__(self, *args, kind: str = "text", **kwargs):
        self._init_kind(kind)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return Personal(crypto.decrypt(value), self.pii_kind)

    def to_python(self, value):
        if value is None or isinstance(value, Personal):
            return value
        return Personal(str(value), self.pii_kind) if value != "" else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.name} is encrypted: search it through its blind index, not __{lookup_name}"
            )
        return super().get_lookup(lookup_name)


class PersonalCharField(PersonalMixin, models.CharField):
    description = "Personal data kept in clear (searchable), masked when shown"

    def __init__(self, *args, kind: str = "name", **kwargs):
        self._init_kind(kind)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.setdefault("kind", self.pii_kind)
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return value if value is None else Personal(value, self.pii_kind)


class BlindIndexField(models.CharField):
    """The keyed hash of another field, computed on every save (``bulk_create`` included)."""

    description = "Blind index of a personal field"

    def __init__(self, *args, source: str, kind: str | None = None, **kwargs):
        self.source = source
        self.index_kind = kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if self.index_kind:
            kwargs["kind"] = self.index_kind
        for key, default in (("editable", False), ("null", True), ("blank", True)):
            kwargs.pop(key, None)
            if getattr(self, key) != default:
                kwargs[key] = getattr(self, key)
        if kwargs.get("max_length") == 64:
            kwargs.pop("max_length")
        return name, path, args, kwargs

    def kind_for(self, model) -> str:
        if self.index_kind:
            return self.index_kind
        return getattr(model._meta.get_field(self.source), "pii_kind", "text")

    def value_for(self, instance) -> str | None:
        value = getattr(instance, self.source)
        if value is None or value == "":
            return None
        return crypto.blind_index(value, self.kind_for(type(instance)))

    def pre_save(self, model_instance, add):
        value = self.value_for(model_instance)
        setattr(model_instance, self.attname, value)
        return value


def encrypted_fields(model) -> list[EncryptedTextField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


def blind_index_fields(model) -> list[BlindIndexField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]


def personal_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if getattr(f, "personal", False)]
