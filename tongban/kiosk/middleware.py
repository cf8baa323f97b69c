"""Tells the rest of the platform whether a request comes from an enrolled kiosk."""


class KioskMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.kiosk_terminal = None
        return self.get_response(request)
