"""indicators_api, mounted by ``metrics.api`` at /api/v1/metrics: the self-evaluation
indicators for the county, a department (``?department=<code>``) or a town
(``?town=<statistical code>``)."""

from ninja import Field, Query, Router, Schema

from tongban.identity import access
from tongban.identity.apiauth import UserAuth
from tongban.metrics import indicators

router = Router(tags=["metrics"])


class IndicatorQuery(Schema):
    department: str = Field("", max_length=50, description="部门代码")
    town: str = Field("", max_length=12, description="镇(街道)统计用区划代码")


class IndicatorOut(Schema):
    key: str
    name: str = Field(description="指标名称")
    value: float | None = Field(description="值(比例为 0–1;分母为 0 时为空)")
    target: float | None = Field(description="目标值")
    met: bool | None = Field(description="是否达标")
    numerator: int
    denominator: int


@router.get(
    "/indicators",
    response=list[IndicatorOut],
    auth=UserAuth(),
    summary="自评估指标(全县、部门或镇街)",
)
def list_indicators(request, filters: Query[IndicatorQuery]):
    access.require(request.auth, "metrics.view_dashboard")
    scope = indicators.scope_of(department=filters.department, town=filters.town)
    return [indicator.as_dict() for indicator in indicators.compute(scope)]
