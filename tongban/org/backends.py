"""Authentication as Django's ModelBackend; authorization from roles only.

Settings make this the only backend. Per-user and group permissions and the ``is_superuser``
flag are ignored: what an account may do is what its active memberships' roles carry, so
every right can be traced to a granted, audited role.
"""

from django.contrib.auth.backends import ModelBackend

from tongban.org import roles, services


class RoleBackend(ModelBackend):
    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        cached = getattr(user_obj, services.PERMISSION_CACHE, None)
        if cached is None:
            cached = roles.permissions_for_roles(services.roles_of(user_obj))
            setattr(user_obj, services.PERMISSION_CACHE, cached)
        return set(cached)
