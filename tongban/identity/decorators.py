"""``staff_page``: the door of every staff page outside the admin.

A staff page needs a session verified by the account's TOTP device (others are sent to the
staff sign-in) and one permission (``access.can(user, action)``); a signed-in account without
it gets the page's own refusal. Written once here: the workbench, the archives, the finance
desk, the mail desk and the clerk's in-person check each only name their action and refusal.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.urls import reverse

from tongban.errors import NotFound
from tongban.identity import access


def verified_session(user) -> bool:
    """Signed in, and the session verified by a TOTP device (django_otp's middleware)."""
    verified = getattr(user, "is_verified", None)
    return bool(user.is_authenticated and verified and verified())


def staff_page(action: str, *, refused: Callable[..., HttpResponse], not_found_404: bool = False):
    """``refused(request)`` answers an account without ``action``; ``not_found_404``: a
    ``NotFound`` the view raises (an object outside the user's reach) is a plain 404."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not verified_session(request.user):
                return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            if not access.can(request.user, action):
                return refused(request)
            if not not_found_404:
                return view(request, *args, **kwargs)
            try:
                return view(request, *args, **kwargs)
            except NotFound as error:
                raise Http404(str(error)) from error

        return wrapped

    return decorate
