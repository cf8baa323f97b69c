"""The local conclusion date of each case, kept beside its time for the indicators."""

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

BATCH = 2000


def backfill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    rows = Case.objects.filter(concluded_at__isnull=False).only("pk", "concluded_at")
    batch = []
    for case in rows.iterator(chunk_size=BATCH):
        case.concluded_on = timezone.localdate(case.concluded_at)
        batch.append(case)
        if len(batch) == BATCH:
            Case.objects.bulk_update(batch, ["concluded_on"])
            batch = []
    Case.objects.bulk_update(batch, ["concluded_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_material_source_bundle"),
        ("catalog", "0003_guide_fee_items"),
        ("identity", "0003_accounts_levels_enterprises"),
        ("org", "0002_finance_role"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="concluded_on",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="办结日期"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["concluded_on", "promised_due"], name="cases_case_concluded_on"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
