"""Keep the search index in step with the catalog (connected in ``CatalogConfig.ready``).

A guide version coming into force reindexes its item; an item taken out of use, moved to
another department or base item, and a department renamed, reindex theirs after the commit.
A failure is logged and never reaches the writer: ``manage.py reindex_catalog`` repairs it.
"""

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from tongban.catalog.models import Guide, ServiceItem
from tongban.catalog.signals import guide_published
from tongban.org.models import Department

logger = logging.getLogger(__name__)

# The item fields an entry copies (the guide's are covered by guide_published).
ITEM_FIELDS = frozenset({"is_active", "department", "base_item"})


def reindex_quietly(item_ids: list[int]) -> None:
    from tongban.catalog.search import reindex

    try:
        reindex(item_ids)
    except Exception:
        logger.exception("search index not updated for items %s", item_ids)


@receiver(guide_published, sender=Guide, dispatch_uid="catalog.search.guide_published")
def follow_publication(sender, guide, item, previous=None, **kwargs):
    reindex_quietly([item.pk])


@receiver(post_save, sender=ServiceItem, dispatch_uid="catalog.search.item_saved")
def follow_item(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw or instance.current_guide_id is None:
        return
    if update_fields is not None and not ITEM_FIELDS.intersection(update_fields):
        return
    item_id = instance.pk
    transaction.on_commit(lambda: reindex_quietly([item_id]))


@receiver(post_save, sender=Department, dispatch_uid="catalog.search.department_saved")
def follow_department(sender, instance, created, raw=False, **kwargs):
    if raw or created:
        return
    department_id = instance.pk

    def reindex_department():
        ids = list(
            ServiceItem.objects.filter(department_id=department_id).values_list("pk", flat=True)
        )
        if ids:
            reindex_quietly(ids)

    transaction.on_commit(reindex_department)
