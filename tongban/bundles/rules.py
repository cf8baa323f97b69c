"""Who may see which 一件事 filing (``tongban.identity.access`` rules).

- ``bundles.view_case``: the applicant sees their own filing, and people acting for the
  filing's enterprise with the ``view`` scope see the enterprise's (as for its child cases);
  nobody else, staff included (they see a filing's context on its child cases in the
  workbench, which ``cases.view`` governs). The pages and API answer 404 to anyone else.
- ``bundles.file``: a person files a bundle for themselves (staff file at a window, case by
  case); real-name level and the enterprise's ``apply`` scope are checked when filing.

The administration rules (``bundles.edit``, ``bundles.publish``, ``bundles.admin_view_case``)
live in ``admin_rules``, imported here.
"""

from tongban.bundles import admin_rules  # noqa: F401
from tongban.identity import access


@access.rule("bundles.view_case")
def view_case(user, bundle_case) -> bool:
    return access.owns(user, bundle_case, enterprise="enterprise", scope="view")


@access.scope_rule("bundles.view_case")
def own_cases(user, queryset):
    return access.own_rows(user, queryset, enterprise="enterprise", scope="view")


@access.rule("bundles.file")
def file(user, bundle) -> bool:
    return getattr(user, "is_authenticated", False) and user.kind == user.Kind.PERSON
