"""System checks for the audit settings: a wrong value must stop the platform, not a write."""

from django.conf import settings
from django.core import checks

from tongban.audit.hashing import ALGORITHMS


@checks.register(checks.Tags.compatibility)
def audit_settings(app_configs, **kwargs):
    problems = []
    if settings.AUDIT_HASH_ALGORITHM not in ALGORITHMS:
        problems.append(
            checks.Error(
                f"AUDIT_HASH_ALGORITHM must be one of {', '.join(ALGORITHMS)}, "
                f"not {settings.AUDIT_HASH_ALGORITHM!r}",
                id="audit.E001",
            )
        )
    if not 1 <= settings.AUDIT_CHAIN_PARTITIONS <= 32767:
        problems.append(
            checks.Error("AUDIT_CHAIN_PARTITIONS must be between 1 and 32767", id="audit.E002")
        )
    if getattr(settings, "PRODUCTION", False) and settings.AUDIT_HASH_ALGORITHM != "sm3":
        problems.append(
            checks.Warning(
                "审计日志在生产环境应使用 SM3(密评 GB/T 39786-2021)/ "
                "production audit records should be hashed with SM3",
                id="audit.W001",
            )
        )
    return problems
