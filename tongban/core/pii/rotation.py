"""Re-encrypt every personal field of every model with the active key (key rotation).

Models are found through the app registry (every concrete ``EncryptedTextField``). Rows are
read in primary-key batches; a row is rewritten when any of its tokens uses another key or
algorithm, or always with ``reindex`` (which also recomputes the blind indexes, after
``PII_INDEX_KEY`` changed). Each batch is one transaction; one audit record per model says
what was done.
"""

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Cast

from tongban.audit import services as audit
from tongban.core.pii import crypto
from tongban.core.pii.fields import blind_index_fields, encrypted_fields

BATCH = 500


@dataclass
class Rotated:
    model: str
    rows: int = 0
    rewritten: int = 0

    def __str__(self):
        return f"{self.model}: 共 {self.rows} 行,重新加密 {self.rewritten} 行"


def personal_models() -> list[type[models.Model]]:
    return [
        model for model in apps.get_models() if not model._meta.proxy and encrypted_fields(model)
    ]


def rotate(*, by="rotate_pii_keys", reindex: bool = False, batch: int = BATCH) -> list[Rotated]:
    return [_rotate_model(model, by, reindex, batch) for model in personal_models()]


def _rotate_model(model, by, reindex: bool, batch: int) -> Rotated:
    fields = encrypted_fields(model)
    indexes = blind_index_fields(model)
    result = Rotated(model._meta.label)
    raw = {f"_raw_{f.name}": Cast(f.name, output_field=models.TextField()) for f in fields}
    last = None
    while True:
        page = model._base_manager.order_by("pk").annotate(**raw)
        if last is not None:
            page = page.filter(pk__gt=last)
        rows = list(page.values_list("pk", *raw)[:batch])
        if not rows:
            break
        last = rows[-1][0]
        result.rows += len(rows)
        stale = [row[0] for row in rows if reindex or any(_stale(token) for token in row[1:])]
        if stale:
            with transaction.atomic():
                objs = list(model._base_manager.filter(pk__in=stale).order_by("pk"))
                for obj in objs:
                    for index in indexes:
                        setattr(obj, index.attname, index.value_for(obj))
                model._base_manager.bulk_update(
                    objs, [f.name for f in fields] + [f.name for f in indexes]
                )
            result.rewritten += len(stale)
    with transaction.atomic():
        audit.record(
            by,
            "pii.rotate",
            object_type=model._meta.label_lower,
            note=f"{result};当前密钥 {crypto.active_key_id()},算法 {settings.PII_ALGORITHM}",
        )
    return result


def _stale(token) -> bool:
    return bool(token) and not crypto.is_current(token)
