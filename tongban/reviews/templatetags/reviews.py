"""``{% review_panel case %}``: the 评价 section of the applicant's case page — a link to rate
a concluded case (within REVIEWS_RATE_DAYS days), or the rating given and its rectification's
progress. Nothing before the conclusion. One query (two with a bad rating)."""

from django import template
from django.template.loader import render_to_string

from tongban.cases.models import Status
from tongban.errors import Conflict
from tongban.reviews import services

register = template.Library()


@register.simple_tag(takes_context=True)
def review_panel(context, case) -> str:
    if case.status != Status.CONCLUDED:
        return ""
    request = context.get("request")
    user = getattr(request, "user", None)
    review = services.my_review(user, case)
    rateable = review is None and _rateable(case)
    if review is None and not rateable:
        return ""
    return render_to_string(
        "reviews/panel.html",
        {
            "case": case,
            "review": review,
            "rectification": getattr(review, "rectification", None) if review else None,
            "rateable": rateable,
        },
    )


def _rateable(case) -> bool:
    try:
        services.check_rateable(case)
    except Conflict:
        return False
    return True
