"""The reviews API under /api/v1/reviews (docs/reviews.md).

- ``POST /reviews``: a signed-in person rates their concluded case (一事一评).
- ``GET /reviews/stats``: the public figures per department.
- ``GET /reviews/rectifications``: staff (TOTP-verified session or bearer token) list the
  rectifications of their department (supervisors: all), keyset-paginated.
"""

import datetime

from ninja import Field, Query, Router, Schema, Status

from tongban.cases import tracking
from tongban.errors import PermissionDenied
from tongban.identity import access
from tongban.identity.apiauth import UserAuth
from tongban.pagination import DEFAULT_LIMIT, MAX_LIMIT, page
from tongban.reviews import services
from tongban.reviews.models import Channel, Rectification

router = Router(tags=["reviews"])


class ReviewIn(Schema):
    case_number: str = Field(max_length=32, description="办件编号")
    level: int = Field(description="评价等级:5 非常满意,4 满意,3 基本满意,2 不满意,1 非常不满意")
    scores: dict[str, int] = Field(
        default_factory=dict,
        description="分项评分(1–5):overall, efficiency, guide_accuracy, convenience, usability",
    )
    comment: str = Field("", max_length=500, description="意见建议")
    real_name: bool = Field(True, description="实名评价(否则匿名)")
    channel: str = Field(Channel.MOBILE, description="web、mobile、kiosk、sms、hotline")


class ReviewOut(Schema):
    id: int
    kind: str
    level: int
    scores: dict
    real_name: bool
    at: datetime.datetime
    rectification_id: int | None = Field(description="差评时开启的整改")


@router.post("", response={201: ReviewOut}, auth=UserAuth(), summary="评价办件(一事一评,每件一次)")
def rate_case(request, payload: ReviewIn):
    user = request.auth
    if user.kind != user.Kind.PERSON:
        raise PermissionDenied("仅办件申请人可以评价", "Only the applicant rates a case")
    case = tracking.my_case(user, payload.case_number)
    review = services.rate(
        user,
        case=case,
        level=payload.level,
        channel=payload.channel,
        scores=payload.scores,
        comment=payload.comment,
        real_name=payload.real_name,
    )
    rect = getattr(review, "rectification", None) if review.is_bad else None
    return Status(
        201,
        {
            "id": review.pk,
            "kind": review.kind,
            "level": review.level,
            "scores": review.scores,
            "real_name": review.real_name,
            "at": review.at,
            "rectification_id": rect.pk if rect else None,
        },
    )


class DepartmentStats(Schema):
    department_id: int
    department: str
    reviews: int
    satisfaction: float | None = Field(description="满意率 %(3–5 级占全部)")
    bad: int
    real_name_bad: int
    rectified: int
    rectification_rate: float | None = Field(description="实名差评整改率 %")


@router.get("/stats", response=list[DepartmentStats], auth=None, summary="各部门好差评统计(公开)")
def stats(request):
    return services.department_stats()


class RectificationsQuery(Schema):
    status: str = Field("", description="状态:opened、visited、rectifying、… 为空则全部")
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class RectificationOut(Schema):
    id: int
    department: str
    status: str
    level: int
    real_name: bool
    comment: str
    case_number: str | None
    window: str | None
    visit_due: datetime.date
    rectify_due: datetime.date
    appeal_due: datetime.date | None
    escalated_at: datetime.datetime | None
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None


class RectificationPage(Schema):
    results: list[RectificationOut]
    next_cursor: str | None


@router.get("/rectifications", response=RectificationPage, auth=UserAuth(), summary="差评整改台账")
def rectifications(request, query: Query[RectificationsQuery]):
    access.require(request.auth, "reviews.view_rectification")
    status = query.status if query.status in Rectification.Status.values else ""
    rows = services.desk(request.auth, status=status).select_related("review__case")
    found, next_cursor = page(rows, keys=("pk",), cursor=query.cursor, limit=query.limit)
    return {"results": [_row(rect) for rect in found], "next_cursor": next_cursor}


def _row(rect) -> dict:
    review = rect.review
    return {
        "id": rect.pk,
        "department": rect.department.name,
        "status": rect.status,
        "level": review.level,
        "real_name": review.real_name,
        "comment": review.comment,
        "case_number": review.case.number if review.case_id else None,
        "window": f"{rect.window.number} {rect.window.name}" if rect.window_id else None,
        "visit_due": rect.visit_due,
        "rectify_due": rect.rectify_due,
        "appeal_due": rect.appeal_due,
        "escalated_at": rect.escalated_at,
        "opened_at": rect.opened_at,
        "closed_at": rect.closed_at,
    }
