"""Tells the rest of the platform whether a request comes from an enrolled kiosk.

``request.kiosk_terminal``: the terminal the signed enrolment cookie names (one query, once
per request), else ``None``. A kiosk session (``services.SESSION_KEY``) is kept alive only by
requests from its own terminal, each pushing its idle expiry ``KIOSK_IDLE_SECONDS`` on; seen
from another browser, it is ended.
"""

from django.conf import settings

from tongban.kiosk import services


class KioskMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        terminal = services.terminal_from_cookie(request.COOKIES.get(services.COOKIE))
        request.kiosk_terminal = terminal
        if services.is_kiosk_session(request):
            code = request.session.get(services.SESSION_KEY)
            if terminal is None or terminal.code != code:
                services.end_session(request, reason="elsewhere")
            else:
                request.session.set_expiry(settings.KIOSK_IDLE_SECONDS)
        return self.get_response(request)
