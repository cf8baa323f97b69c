"""The search index of the catalog: one row per item that has a version in force.

``SearchEntry`` holds the item's filter values (denormalized, so a search reads one table)
and its index terms in four weight classes, already segmented by ``catalog.search.text``.
The full-text index over the terms is database-specific and created by migration
``0002_searchentry``:

- SQLite: an FTS5 table ``catalog_searchentry_fts`` (``unicode61`` tokenizer) over the four
  term columns, with this table as external content, kept in step by three triggers;
- PostgreSQL: a generated ``document`` column (``tsvector``, config ``simple``, the four
  classes weighted A–D) with a GIN index for matching, and a generated ``head`` column (name
  and keywords, A and B) kept uncompressed in the row for ranking.

On SQLite, a migration that alters this table makes Django rebuild it, which drops the
triggers: such a migration must create them again (copy them from ``0002_searchentry``).
The index is rebuilt with ``manage.py reindex_catalog``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """检索索引条目: an item's filters and index terms, rebuilt whenever its guide changes."""

    item = models.OneToOneField(
        "catalog.ServiceItem",
        verbose_name=_("事项"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="search_entry",
    )
    guide = models.ForeignKey(
        "catalog.Guide",
        verbose_name=_("索引的指南版本"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    implementation_code = models.CharField(_("实施编码"), max_length=60, db_index=True)
    name = models.CharField(_("事项名称"), max_length=200)

    # Filters
    department_code = models.CharField(_("实施部门代码"), max_length=32, db_index=True)
    item_type = models.CharField(_("事项类型"), max_length=2)
    service_object = models.CharField(_("服务对象"), max_length=16)
    online_depth = models.PositiveSmallIntegerField(_("网办深度"))
    city_wide = models.BooleanField(_("全市通办"), default=False)
    cross_province = models.BooleanField(_("跨省通办"), default=False)
    is_active = models.BooleanField(_("在用"), default=True)
    topics = models.CharField(
        _("主题分类"), max_length=500, blank=True, help_text=_("以空格分隔并首尾加空格")
    )
    towns = models.TextField(
        _("可受理的服务中心"),
        blank=True,
        help_text=_("受理点的统计用区划代码(村级受理点同时计入其所属镇),以空格分隔并首尾加空格"),
    )

    # Index terms, space-separated, by weight class
    name_terms = models.TextField(_("名称词(A)"), blank=True)
    keyword_terms = models.TextField(_("关键词(B)"), blank=True)
    context_terms = models.TextField(_("部门、材料、结果(C)"), blank=True)
    text_terms = models.TextField(_("指南正文(D)"), blank=True)

    indexed_at = models.DateTimeField(_("索引时间"), auto_now=True)

    class Meta:
        verbose_name = _("检索索引条目")
        verbose_name_plural = _("检索索引")

    def __str__(self):
        return f"{self.implementation_code} {self.name}"
