"""Sliding sign-in sessions without a session write on every request.

A session lives ``SESSION_COOKIE_AGE`` seconds after the last request (the idle timeout).
Saving the session on every request (``SESSION_SAVE_EVERY_REQUEST``) would keep that exact,
at the cost of one database write per request, lists and API calls included. This
middleware renews the expiry at most once every ``SESSION_REFRESH_SECONDS``: the idle
timeout then holds to within that many seconds, and most requests write nothing.
"""

from django.conf import settings

from tongban.core import clock

REFRESHED_KEY = "_tongban_refreshed"


class SlidingSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(clock.now().timestamp())
            if now - session.get(REFRESHED_KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[REFRESHED_KEY] = now
        return response
