"""The supervisor's page (效能监察): per department, running / yellow / red case counts and the
warned cases, red first. Staff in a TOTP-verified session holding the supervisor role."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse

from tongban.cases import supervision
from tongban.core import clock
from tongban.identity import access

PAGE_SIZE = 25


def supervisor_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        verified = getattr(user, "is_verified", None)
        if not user.is_authenticated or not (verified and verified()):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not access.can(user, "cases.supervise"):
            return render(request, "portal/supervision/refused.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


@supervisor_required
def overview(request):
    department = _department(request.GET.get("department"))
    figures = supervision.figures()
    page = Paginator(supervision.warned_cases(department), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    today = clock.today()
    rows = [(case, supervision.days_over(case, today)) for case in page.object_list]
    context = {
        "figures": figures,
        "page": page,
        "rows": rows,
        "department": department,
        "department_name": next((f.name for f in figures if f.department_id == department), ""),
        "totals": {
            "running": sum(f.running for f in figures),
            "yellow": sum(f.yellow for f in figures),
            "red": sum(f.red for f in figures),
        },
    }
    return render(request, "portal/supervision/overview.html", context)


def _department(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None
