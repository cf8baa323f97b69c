"""The reviews services: rating rules, the rectification loop of a bad review, the overdue
sweep, and the figures the indicators read."""

import datetime

import pytest

from tongban.audit.models import AuditRecord
from tongban.cases.models import Case
from tongban.cases.signals import case_concluded
from tongban.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tongban.notify.models import Message
from tongban.org.tests.factories import DepartmentFactory
from tongban.reviews import services
from tongban.reviews.models import Rectification, RectificationStep, Review
from tongban.reviews.tests.factories import (
    Role,
    concluded,
    handler,
    supervisor,
    town_window,
)

pytestmark = pytest.mark.django_db
S = Rectification.Status


@pytest.fixture(autouse=True)
def monday(travel):
    travel(2026, 6, 1)  # a Monday; 2026-06-02 is the next working day


@pytest.fixture
def case():
    return concluded(phone="13800138000")


def bad(case, **kwargs) -> Review:
    kwargs.setdefault("comment", "窗口人员态度生硬,材料被退回两次")
    return services.rate(case.applicant, case=case, level=1, channel="web", **kwargs)


def test_a_real_name_bad_review_runs_the_whole_loop_and_counts_once_accepted(case, travel):
    staff = handler(case.department)
    boss = supervisor()
    review = bad(case)
    rect = review.rectification
    assert (rect.status, rect.visit_due) == (S.OPENED, datetime.date(2026, 6, 2))
    assert rect.rectify_due == datetime.date(2026, 6, 23)  # 15 working days, 端午 19 June off
    assert services.bad_review_figures() == (0, 1)

    services.visit_back(rect, by=staff, note="已电话回访,情况属实")
    services.rectify(rect, by=staff, note="列入台账:窗口人员培训", plan=True)
    assert rect.status == S.RECTIFYING
    services.rectify(rect, by=staff, note="已完成培训并一次性告知材料")
    services.feed_back(rect, by=staff, note="已整改:培训窗口人员,一次性告知")
    assert rect.status == S.FED_BACK and rect.appeal_due == datetime.date(2026, 6, 8)
    told = Message.objects.filter(recipient=case.applicant, template_code="reviews.feedback")
    assert sorted(told.values_list("channel", flat=True)) == ["in_app", "sms"]
    assert services.bad_review_figures() == (0, 1)

    services.appeal(rect, by=case.applicant, note="整改不到位,仍需多跑一次")
    assert rect.status == S.APPEALED
    travel(2026, 6, 3)
    services.rereview(rect, by=boss, outcome="upheld", note="差评成立,重新整改")
    assert (rect.status, rect.rectify_due) == (S.RECTIFYING, datetime.date(2026, 6, 25))

    services.rectify(rect, by=staff, note="开通网上预审,材料一次提交")
    services.feed_back(rect, by=staff, note="已开通网上预审")
    services.accept(rect, by=case.applicant, note="认可")
    rect.refresh_from_db()
    assert rect.status == S.ACCEPTED and rect.closed_at is not None
    assert services.bad_review_figures() == (1, 1)
    verbs = list(rect.steps.values_list("verb", flat=True))
    assert verbs == [
        "open", "visit_back", "plan", "rectify", "feed_back", "appeal", "rereview",
        "rectify", "feed_back", "accept",
    ]  # fmt: skip
    actions = AuditRecord.objects.filter(action__startswith="reviews.rectification.")
    assert actions.count() == len(verbs)


def test_a_good_review_opens_no_rectification(case):
    review = services.rate(case.applicant, case=case, level=5, channel="mobile")
    assert not Rectification.objects.filter(review=review).exists()
    assert review.scores == {"overall": 5}
    assert services.bad_review_figures() == (0, 0)


def test_an_anonymous_bad_review_is_left_out_of_the_real_name_rate(case):
    review = bad(case, real_name=False)
    staff = handler(case.department)
    rect = review.rectification
    services.visit_back(rect, by=staff, note="匿名评价,核查窗口录像")
    services.explain(rect, by=staff, note="所需材料为法定要件")
    services.feed_back(rect, by=staff, note="已公开说明")
    assert rect.status == S.CLOSED  # nobody to accept or appeal
    assert services.bad_review_figures() == (0, 0)
    assert services.rating_figures()["bad"] == 1


def test_a_case_is_rated_once_per_person(case):
    services.rate(case.applicant, case=case, level=4, channel="web")
    with pytest.raises(Conflict):
        services.rate(case.applicant, case=case, level=1, channel="web")
    assert Review.objects.count() == 1


def test_only_the_applicant_rates_a_concluded_case_within_the_rating_days(case, travel):
    other = concluded().applicant
    with pytest.raises(NotFound):
        services.rate(other, case=case, level=5, channel="web")
    Case.objects.filter(pk=case.pk).update(status="approved")
    case.refresh_from_db()
    with pytest.raises(Conflict):
        services.rate(case.applicant, case=case, level=5, channel="web")
    Case.objects.filter(pk=case.pk).update(status="concluded")
    case.refresh_from_db()
    travel(2026, 7, 2)
    with pytest.raises(Conflict):
        services.rate(case.applicant, case=case, level=5, channel="web")


def test_validation_names_each_field_in_chinese_first(case):
    with pytest.raises(InvalidInput) as error:
        services.rate(
            case.applicant,
            case=case,
            level=9,
            channel="window_pad",
            scores={"overall": 7, "taste": 3},
            comment="长" * 501,
        )
    fields = error.value.fields
    assert set(fields) == {"level", "channel", "scores.overall", "scores.taste", "comment"}
    assert fields["level"][0].startswith("请选择评价等级")


def test_a_real_name_rating_needs_a_signed_in_person():
    window, _clerk = town_window()
    with pytest.raises(InvalidInput) as error:
        services.rate(None, window=window, level=5, channel="window_pad", real_name=True)
    assert "real_name" in error.value.fields


def test_an_anonymous_visit_rating_falls_on_the_window_and_its_clerk():
    window, clerk = town_window()
    review = services.rate(
        None,
        window=window,
        level=2,
        channel="qr",
        scores={"attitude": 1},
        real_name=False,
    )
    membership = clerk.memberships.get()
    assert (review.kind, review.department, review.staff) == ("visit", membership.department, clerk)
    assert review.center == window.center and review.reviewer is None
    assert review.rectification.window == window
    figures = services.rating_figures(town_code=window.center.statistical_code)
    assert (figures["reviews"], figures["bad"]) == (1, 1)
    assert services.rating_figures(town_code="999999999")["reviews"] == 0


def test_a_malicious_rating_found_on_rereview_leaves_every_figure(case):
    rect = bad(case).rectification
    services.appeal(rect, by=handler(case.department), note="评价人与办件无关,恶意差评")
    services.rereview(rect, by=supervisor(), outcome="malicious", note="经核实为恶意差评")
    rect.review.refresh_from_db()
    assert rect.status == S.CLOSED and rect.review.excluded == "malicious"
    assert services.bad_review_figures() == (0, 0)
    assert services.rating_figures()["reviews"] == 0


def test_a_departments_claim_rejected_goes_on_where_it_was(case):
    staff = handler(case.department)
    rect = bad(case).rectification
    services.visit_back(rect, by=staff, note="已回访")
    services.appeal(rect, by=staff, note="误评")
    services.rereview(rect, by=supervisor(), outcome="settled", note="差评有据,继续整改")
    assert rect.status == S.VISITED


def test_another_departments_staff_and_supervisors_cannot_work_it(case):
    rect = bad(case).rectification
    with pytest.raises(PermissionDenied):
        services.visit_back(rect, by=handler(DepartmentFactory()), note="x")
    with pytest.raises(PermissionDenied):
        services.visit_back(rect, by=supervisor(), note="x")
    with pytest.raises(PermissionDenied):
        services.rereview(rect, by=handler(case.department, Role.DEPT_ADMIN), outcome="x", note="x")
    with pytest.raises(NotFound):
        services.accept(rect, by=concluded().applicant)
    assert RectificationStep.objects.filter(rectification=rect).count() == 1


def test_a_step_out_of_order_is_a_conflict(case):
    rect = bad(case).rectification
    with pytest.raises(Conflict):
        services.feed_back(rect, by=handler(case.department), note="x")


def test_overdue_rectifications_are_escalated_once_to_admins_and_supervisors(case, travel):
    admin = handler(case.department, Role.DEPT_ADMIN)
    boss = supervisor()
    other_admin = handler(DepartmentFactory(), Role.DEPT_ADMIN)
    rect = bad(case).rectification
    travel(2026, 6, 2)
    assert services.escalate_overdue() == {"escalated": 0, "closed": 0}
    travel(2026, 6, 3)
    assert services.escalate_overdue() == {"escalated": 1, "closed": 0}
    assert services.escalate_overdue() == {"escalated": 0, "closed": 0}
    rect.refresh_from_db()
    assert rect.escalated_at is not None
    alerted = Message.objects.filter(template_code="reviews.overdue")
    assert set(alerted.values_list("recipient", flat=True)) == {admin.pk, boss.pk}
    assert other_admin.pk not in alerted.values_list("recipient", flat=True)


def test_feedback_left_unanswered_past_the_appeal_days_closes_as_rectified(case, travel):
    staff = handler(case.department)
    rect = bad(case).rectification
    services.visit_back(rect, by=staff, note="已回访")
    services.rectify(rect, by=staff, note="已改")
    services.feed_back(rect, by=staff, note="已改")
    travel(2026, 6, 9)
    assert services.escalate_overdue()["closed"] == 1
    rect.refresh_from_db()
    assert rect.status == S.CLOSED
    assert services.bad_review_figures() == (1, 1)


def test_a_conclusion_invites_the_applicant_in_app_and_by_sms(case):
    case_concluded.send(sender=Case, case_pk=case.pk, result_type="")
    case_concluded.send(sender=Case, case_pk=case.pk, result_type="")
    invited = Message.objects.filter(template_code="reviews.invite", recipient=case.applicant)
    assert sorted(invited.values_list("channel", flat=True)) == ["in_app", "sms"]
    assert f"/reviews/cases/{case.number}/" in invited.get(channel="in_app").body


def test_rating_figures_count_concluded_and_rated_cases_per_department(case):
    other = concluded()
    services.rate(case.applicant, case=case, level=5, channel="web")
    services.rate(other.applicant, case=other, level=2, channel="web", comment="慢")
    everything = services.rating_figures()
    assert everything == {
        "reviews": 2, "good": 1, "bad": 1, "cases_concluded": 2, "rated_cases": 2,
    }  # fmt: skip
    mine = services.rating_figures(department_ids=[case.department_id])
    assert (mine["reviews"], mine["good"], mine["cases_concluded"]) == (1, 1, 1)


def test_department_stats_give_satisfaction_and_the_rectification_rate(case):
    other = concluded(department=case.department)
    services.rate(case.applicant, case=case, level=3, channel="web")
    bad(other)
    (row,) = services.department_stats()
    assert row["department"] == case.department.name
    assert (row["reviews"], row["satisfaction"], row["bad"]) == (2, 50.0, 1)
    assert (row["real_name_bad"], row["rectification_rate"]) == (1, 0.0)
