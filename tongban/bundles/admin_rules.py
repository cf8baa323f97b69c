"""Who may build, publish and oversee 一件事 (``tongban.identity.access``).

Bundles are catalog data: the catalog administrator builds them (``bundles.edit``: the
catalog's edit permission) and publishes them (``bundles.publish``: the catalog's publish
permissions). Filings are seen in the admin (``bundles.admin_view_case``) by staff of a
department that handles one of their items, and by supervisors (every filing).
"""

from django.db.models import Exists, OuterRef

from tongban.bundles.models import BundleCase, BundleChild
from tongban.cases.rules import SCOPED, VIEW
from tongban.catalog import services as catalog
from tongban.identity import access

access.rule("bundles.edit")(lambda user, obj: access.holds(user, catalog.PERM_EDIT))
access.rule("bundles.publish")(lambda user, obj: access.holds(user, *catalog.PERMS_PUBLISH))


@access.rule("bundles.admin_view_case")
def view_case(user, bundle_case) -> bool:
    if not access.holds(user, VIEW):
        return False
    if bundle_case is None:
        return True
    return viewable(user, BundleCase.objects.filter(pk=bundle_case.pk)).exists()


@access.scope_rule("bundles.admin_view_case")
def viewable(user, queryset):
    if not access.holds(user, VIEW):
        return queryset.none()
    found = access.reach(user, VIEW, scoped=SCOPED)
    if found is access.ALL:
        return queryset
    handled = BundleChild.objects.filter(
        bundle_case=OuterRef("pk"), bundle_item__item__department__in=found
    )
    return queryset.filter(Exists(handled))
