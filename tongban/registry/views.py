"""The person's pages: 我的空间(一人一档) and 企业空间(一企一档).

Views ask ``spaces`` and render; nothing here writes. Anonymous visitors are sent to sign
in; a person below real-name level L2 gets a page saying how to reach it.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse

from tongban.errors import InvalidInput, NotFound, PermissionDenied
from tongban.registry import spaces


def person_page(view):
    """Sign-in first; ``PermissionDenied`` and ``NotFound`` become Chinese pages."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            return view(request, *args, **kwargs)
        except spaces.RealNameRequired as error:
            context = {"message": error.message, "realname_url": reverse("identity:realname")}
            return render(request, "registry/realname_required.html", context, status=403)
        except PermissionDenied as error:
            return render(request, "registry/denied.html", {"message": error.message}, status=403)
        except NotFound as error:
            return render(request, "registry/denied.html", {"message": error.message}, status=404)

    return wrapper


def _reads_page(subject, cursor: str | None) -> dict:
    """One page of reads; a broken cursor starts again at the first page, saying so."""
    try:
        items, next_cursor = spaces.data_reads(subject, cursor=cursor)
        problem = ""
    except InvalidInput as error:
        items, next_cursor = spaces.data_reads(subject)
        problem = error.fields.get("cursor", [error.message])[0]
        cursor = None
    return {"reads": items, "next_cursor": next_cursor, "cursor": cursor, "cursor_error": problem}


@person_page
def my_space(request):
    space = spaces.person_space(request.user)
    context = {"space": space, **_reads_page(space.person, request.GET.get("cursor"))}
    return render(request, "registry/person_space.html", context)


@person_page
def enterprise_space(request, uscc: str):
    enterprise = spaces.enterprise_by_uscc(request.user, uscc)
    space = spaces.enterprise_space(request.user, enterprise)
    reads = _reads_page(enterprise.legal_entity, request.GET.get("cursor"))
    return render(request, "registry/enterprise_space.html", {"space": space, **reads})
