"""The person's pages: 我的空间(一人一档) and 企业空间(一企一档).

Views ask ``spaces`` and render; nothing here writes. Anonymous visitors are sent to sign
in; a person below real-name level L2 gets a page saying how to reach it. Each list on a
page turns its own pages (``cases_before``, ``licenses``, ``materials_before``,
``ratings_before``, ``cursor`` for the reads), keeping the others where they are.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse

from tongban.errors import InvalidInput, NotFound, PermissionDenied
from tongban.registry import sections, spaces


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


def _before(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else None


def _section(request, name: str, rows, next_page, param: str) -> dict:
    """A section's rows, the link to its next page and whether it is past its first."""
    query = request.GET.copy()
    if next_page is not None:
        query[param] = next_page
    return {
        name: rows,
        f"{name}_next": f"?{query.urlencode()}#{name}" if next_page is not None else "",
        f"{name}_paged": bool(request.GET.get(param)),
    }


def _licenses(request, load):
    """The wallet's page of a space; a broken cursor starts again at the first page."""
    try:
        return load(request.GET.get("licenses") or None)
    except InvalidInput:
        return load(None)


@person_page
def my_space(request):
    user = request.user
    space = spaces.person_space(user)
    cases = sections.person_cases(user, before=_before(request, "cases_before"))
    licenses = _licenses(request, lambda cursor: sections.person_licenses(user, cursor=cursor))
    materials = sections.materials_on_file(user, before=_before(request, "materials_before"))
    ratings = sections.person_ratings(user, before=_before(request, "ratings_before"))
    context = {
        "space": space,
        "messages_summary": sections.messages_summary(user),
        **_section(request, "cases", *cases, "cases_before"),
        **_section(request, "licenses", *licenses, "licenses"),
        **_section(request, "materials", *materials, "materials_before"),
        **_section(request, "ratings", *ratings, "ratings_before"),
        **_reads_page(space.person, request.GET.get("cursor")),
    }
    return render(request, "registry/person_space.html", context)


@person_page
def enterprise_space(request, uscc: str):
    enterprise = spaces.enterprise_by_uscc(request.user, uscc)
    space = spaces.enterprise_space(request.user, enterprise)
    cases = sections.enterprise_cases(enterprise, before=_before(request, "cases_before"))
    licenses = sections.enterprise_licenses(enterprise, before=_before(request, "licenses"))
    ratings = sections.enterprise_ratings(enterprise, before=_before(request, "ratings_before"))
    context = {
        "space": space,
        **_section(request, "cases", *cases, "cases_before"),
        **_section(request, "licenses", *licenses, "licenses"),
        **_section(request, "ratings", *ratings, "ratings_before"),
        **_reads_page(enterprise.legal_entity, request.GET.get("cursor")),
    }
    return render(request, "registry/enterprise_space.html", context)
