"""Display modes that follow a person from page to page: elderly mode (长辈版) and kiosk.

Elderly mode is a cookie, not an account setting: it must work before sign-in, on a shared
family phone, and without JavaScript (the switch is a form). Kiosk mode is set by the
``kiosk`` app's middleware on an enrolled self-service terminal (``request.kiosk_terminal``).
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

ELDER_COOKIE = "tb_elder"
ELDER_MAX_AGE = 365 * 24 * 3600


def is_elder(request) -> bool:
    return request.COOKIES.get(ELDER_COOKIE) == "1"


def ui(request) -> dict:
    """Template context: ``ui.elder``, ``ui.kiosk`` (the terminal or None), and the
    consultation line every page offers as a one-tap call."""
    return {
        "ui": {
            "elder": is_elder(request),
            "kiosk": getattr(request, "kiosk_terminal", None),
            "hotline": settings.TONGBAN_HOTLINE,
        }
    }


@require_POST
def switch_elder(request):
    """Turn elderly mode on (``on=1``) or off, and go back to the page the person was on."""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if request.POST.get("on") == "1":
        response.set_cookie(
            ELDER_COOKIE, "1", max_age=ELDER_MAX_AGE, samesite="Lax", secure=request.is_secure()
        )
    else:
        response.delete_cookie(ELDER_COOKIE, samesite="Lax")
    return response
