"""The reviews pages: the applicant's rating of a case, the window's rating pad (and its QR
code target), the department's rectification desk, the supervisor's appeal queue, the
reviewer's own rectification and the public statistics. Thin: every rule is in ``services``."""

from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongban.cases import tracking
from tongban.cases.models import Case
from tongban.errors import InvalidInput, NotFound, TongbanError
from tongban.identity import access
from tongban.identity.decorators import staff_page
from tongban.identity.views import person_required
from tongban.org.models import Window
from tongban.reviews import services
from tongban.reviews.models import CASE_INDICATORS, VISIT_INDICATORS, Channel, Level, Rectification

LEVELS = [(value, label) for value, label in Level.choices]


def not_found_404(view):
    """A ``NotFound`` from the services (someone else's case or review) is a plain 404."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(str(error)) from error

    return wrapped


def _refused(request):
    return render(request, "reviews/refused.html", status=403)


def _scores_from(post, indicators) -> dict:
    return {key: post.get(f"score_{key}", "") for key in indicators if post.get(f"score_{key}")}


@require_http_methods(["GET", "POST"])
@person_required
@not_found_404
def case_rating(request, number: str):
    """一事一评: the applicant rates their concluded case (once)."""
    case = tracking.my_case(request.user, number)
    existing = services.my_review(request.user, case)
    errors, status = {}, 200
    if request.method == "POST" and existing is None:
        try:
            services.rate(
                request.user,
                case=case,
                level=request.POST.get("level"),
                channel=Channel.WEB,
                scores=_scores_from(request.POST, CASE_INDICATORS),
                comment=request.POST.get("comment", ""),
                real_name=request.POST.get("anonymous") != "1",
            )
        except TongbanError as error:
            errors, status = error.fields or {"__all__": [error.message]}, error.status
        else:
            messages.success(request, _("感谢您的评价!"))
            return redirect("reviews:case", number=case.number)
    rateable = existing is None and _rateable(case)
    context = {
        "case": case,
        "review": existing,
        "rectification": getattr(existing, "rectification", None) if existing else None,
        "rateable": rateable,
        "levels": LEVELS,
        "indicators": CASE_INDICATORS.items(),
        "errors": errors,
        "posted": request.POST,
    }
    return render(request, "reviews/case.html", context, status=status)


def _rateable(case: Case) -> bool:
    try:
        services.check_rateable(case)
    except TongbanError:
        return False
    return True


@require_http_methods(["GET", "POST"])
def window_pad(request, pk: int):
    """一次一评: the window's rating pad, and the page its printed QR code opens. No sign-in;
    a signed-in person may rate under their name."""
    window = get_object_or_404(Window.objects.select_related("center"), pk=pk, is_active=True)
    errors, status, done = {}, 200, request.GET.get("done") == "1"
    if request.method == "POST":
        user = request.user if request.user.is_authenticated else None
        real_name = bool(user) and request.POST.get("real_name") == "1"
        channel = Channel.QR if request.POST.get("via") == "qr" else Channel.WINDOW_PAD
        case = _visit_case(request.POST.get("case_number", ""), window)
        try:
            services.rate(
                user if real_name else None,
                window=window,
                case=case,
                level=request.POST.get("level"),
                channel=channel,
                scores=_scores_from(request.POST, VISIT_INDICATORS),
                comment=request.POST.get("comment", ""),
                real_name=real_name,
            )
        except TongbanError as error:
            errors, status = error.fields or {"__all__": [error.message]}, error.status
        else:
            url = reverse("reviews:window", args=[window.pk]) + "?done=1"
            return redirect(url + ("&via=qr" if channel == Channel.QR else ""))
    context = {
        "window": window,
        "levels": LEVELS,
        "indicators": VISIT_INDICATORS.items(),
        "errors": errors,
        "done": done,
        "via": request.GET.get("via") or request.POST.get("via", ""),
    }
    return render(request, "reviews/window.html", context, status=status)


def _visit_case(number: str, window: Window):
    number = (number or "").strip().upper()
    if not number:
        return None
    return Case.objects.filter(number=number, window=window).first()


@staff_page("reviews.view_rectification", refused=_refused)
def desk(request):
    """整改台账: the department's rectifications (every department's for supervisors)."""
    status = request.GET.get("status", "")
    if status not in Rectification.Status.values:
        status = ""
    rows = services.desk(request.user, status=status).order_by("status", "rectify_due", "pk")
    context = {
        "rows": rows[:200],
        "status": status,
        "statuses": Rectification.Status.choices,
        "can_rereview": access.can(request.user, "reviews.rereview_rectification"),
    }
    return render(request, "reviews/desk.html", context)


@staff_page("reviews.rereview_rectification", refused=_refused)
def appeals(request):
    """申诉复核: the appeals waiting for a supervisor."""
    rows = services.appeals(request.user).order_by("pk")
    return render(request, "reviews/appeals.html", {"rows": rows[:200]})


STAFF_ACTIONS = {
    "visit_back": lambda rect, by, post: services.visit_back(rect, by=by, note=post["note"]),
    "plan": lambda rect, by, post: services.rectify(rect, by=by, note=post["note"], plan=True),
    "rectify": lambda rect, by, post: services.rectify(rect, by=by, note=post["note"]),
    "explain": lambda rect, by, post: services.explain(rect, by=by, note=post["note"]),
    "feed_back": lambda rect, by, post: services.feed_back(rect, by=by, note=post["note"]),
    "appeal": lambda rect, by, post: services.appeal(rect, by=by, note=post["note"]),
    "rereview": lambda rect, by, post: services.rereview(
        rect, by=by, outcome=post.get("outcome", ""), note=post["note"]
    ),
}


@require_http_methods(["GET", "POST"])
@staff_page("reviews.view_rectification", refused=_refused, not_found_404=True)
def rectification(request, pk: int):
    """One rectification: the review, its steps, and the forms of the next steps."""
    rect = services.get_rectification(request.user, pk)
    errors, status = {}, 200
    if request.method == "POST":
        action = STAFF_ACTIONS.get(request.POST.get("action", ""))
        post = {**request.POST.dict(), "note": request.POST.get("note", "")}
        try:
            if action is None:
                raise InvalidInput(fields={"action": ["未知操作 / unknown action"]})
            action(rect, request.user, post)
        except TongbanError as error:
            errors, status = error.fields or {"__all__": [error.message]}, error.status
        else:
            messages.success(request, _("已保存"))
            return redirect("reviews:rectification", pk=rect.pk)
    context = _detail(request, rect, errors)
    return render(request, "reviews/rectification.html", context, status=status)


def _detail(request, rect, errors) -> dict:
    user = request.user
    return {
        "rect": rect,
        "review": rect.review,
        "steps": rect.steps.select_related("actor"),
        "errors": errors,
        "can_handle": access.can(user, "reviews.handle_rectification", rect)
        and rect.status in services.OPEN,
        "can_rereview": access.can(user, "reviews.rereview_rectification", rect)
        and rect.status == Rectification.Status.APPEALED,
        "outcomes": Rectification.Outcome.choices,
        "S": Rectification.Status,
    }


@require_http_methods(["GET", "POST"])
@person_required
@not_found_404
def mine(request, pk: int):
    """The reviewer's view of the rectification of their bad review: accept or appeal."""
    rect = services.get_rectification(request.user, pk)
    if rect.review.reviewer_id != request.user.pk:
        raise Http404
    errors, status = {}, 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "accept":
                services.accept(rect, by=request.user, note=request.POST.get("note", ""))
            else:
                services.appeal(rect, by=request.user, note=request.POST.get("note", ""))
        except TongbanError as error:
            errors, status = error.fields or {"__all__": [error.message]}, error.status
        else:
            messages.success(request, _("已提交"))
            return redirect("reviews:mine", pk=rect.pk)
    context = {"rect": rect, "review": rect.review, "errors": errors, "S": Rectification.Status}
    return render(request, "reviews/mine.html", context, status=status)


def stats(request):
    """各部门好差评情况公开: public, no sign-in."""
    return render(request, "reviews/stats.html", {"rows": services.department_stats()})
