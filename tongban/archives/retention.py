"""保管期限 and 档号: how long a case's archive is kept, and the number it is filed under.

Retention is chosen per result type (``settings.ARCHIVES_RETENTION``): by default licenses and
approval decisions permanently (永久), other documents 30 years, refusals 10 years — the
county's choice under 《机关文件材料归档范围和文书档案保管期限规定》(国家档案局令第8号)
with the periods of DA/T 22-2015. A period counts from 1 January of the year after the case
concluded, so a package kept 10 years from a 2026 conclusion is kept until 31 December 2036.

The 档号 follows the order of DA/T 13 (全宗号-年度-保管期限-机构代码-件号): fonds, year of
conclusion, retention code, the department's code and the case's id, e.g.
``610124-2026-D10-education-000042``. Every part is URL-safe.
"""

import datetime
import re

from django.conf import settings
from django.utils import timezone

from tongban.archives.models import Retention

YEARS = {Retention.YEARS_30: 30, Retention.YEARS_10: 10}
UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def retention_for(result_type: str) -> str:
    """The retention code (``Retention``) for a case concluded with ``result_type``."""
    code = settings.ARCHIVES_RETENTION.get(result_type or "", settings.ARCHIVES_DEFAULT_RETENTION)
    if code not in Retention.values:
        raise ValueError(f"ARCHIVES_RETENTION: unknown retention code {code!r}")
    return code


def keep_until(retention: str, concluded: datetime.date) -> datetime.date | None:
    """The last day the package is kept (``None``: permanently)."""
    years = YEARS.get(retention)
    if years is None:
        return None
    return datetime.date(concluded.year + years, 12, 31)


def archive_number(case, retention: str) -> str:
    """The case's 档号 (unique: it ends in the case's id)."""
    year = concluded_on(case).year
    department = UNSAFE.sub("-", case.department.code).strip("-")[:20] or "dept"
    return f"{settings.ARCHIVES_FONDS}-{year}-{retention}-{department}-{case.pk:06d}"


def concluded_on(case) -> datetime.date:
    return timezone.localdate(case.concluded_at)
