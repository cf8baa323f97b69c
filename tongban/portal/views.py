from django.shortcuts import render

from tongban.portal import home as blocks


def home(request):
    """The citizen's front door: search first, then life events, departments and audiences,
    hot items from live cases, and, signed in, the person's pending cases and messages.

    In elderly mode the template shows a few big tiles instead of the full browse."""
    context = {**blocks.public(), "mine": blocks.personal(request.user)}
    return render(request, "portal/home.html", context)
