"""The objects and actors the access harness requests every endpoint with.

Built once per test module inside a transaction that is rolled back at the end
(``conftest.world``), so each test (itself rolled back) sees the same rows.
"""

import datetime
import uuid
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from tongban.audit import services as audit
from tongban.catalog.tests.factories import published_item
from tongban.core import clock
from tongban.gateway.models import CallLog, Sensitivity
from tongban.gateway.scopes import SCOPES
from tongban.gateway.tests.factories import keyed_client
from tongban.identity.enterprises import ACTING_SESSION_KEY
from tongban.identity.models import (
    Agent,
    Consent,
    EnterpriseAccount,
    Level,
    RealNameVerification,
    SignInFailure,
)
from tongban.identity.tests.helpers import verified_login
from tongban.notify import services as notify
from tongban.notify.models import Message, ProviderCircuit
from tongban.org.models import StaffMembership, Window
from tongban.org.tests.factories import (
    DepartmentFactory,
    UserFactory,
    WindowFactory,
    staff_with_role,
)
from tongban.registry.tests.factories import LegalEntityFactory, PersonFactory
from tongban.signing import services as signing
from tongban.signing.tests.factories import one_page_pdf

Role = StaffMembership.Role
STAFF_ROLES = tuple(Role.values)
# The "with scope" gateway client holds every scope there is; the other holds none.
GATEWAY_SCOPES = sorted(SCOPES)


@dataclass
class World:
    users: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)
    gateway: dict = field(default_factory=dict)
    bearer: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)


def build() -> World:
    world = World()
    department = DepartmentFactory(code="harness")
    _people(world)
    window = WindowFactory(department=department, window_type=Window.Type.CONSULTATION)
    for role in STAFF_ROLES:
        world.users[role] = staff_with_role(role, department=department)
    # The clerk sits at the window (intake and in-person checks are done at a place).
    clerk_membership = world.users[Role.CLERK].memberships.get()
    clerk_membership.center, clerk_membership.window = window.center, window
    clerk_membership.save()
    world.users["staff_no_totp"] = staff_with_role(Role.SYSTEM_ADMIN, department=department)
    _objects(world, department, window)
    _sign_in(world)
    # The scoped client is cleared for every sensitivity; the other holds nothing.
    for name, scopes, cleared in (
        ("gateway_scoped", GATEWAY_SCOPES, Sensitivity.SENSITIVE),
        ("gateway_unscoped", [], Sensitivity.PUBLIC),
    ):
        world.gateway[name] = keyed_client(
            scopes=scopes, department_codes=["harness"], max_sensitivity=cleared
        )[1]
    return world


def _people(world: World) -> None:
    world.users["person_l1"] = UserFactory(real_name_level=Level.L1, phone="13900000001")
    for name in ("person_l2", "legal_rep", "agent"):
        world.users[name] = _real_named()
    legal_rep, agent = world.users["legal_rep"], world.users["agent"]
    entity = LegalEntityFactory(legal_rep_id_number=legal_rep.id_number)
    enterprise = EnterpriseAccount.objects.create(legal_entity=entity, legal_rep=legal_rep)
    Agent.objects.create(
        enterprise=enterprise,
        user=agent,
        scopes=[Agent.Scope.APPLY, Agent.Scope.VIEW],
        expires_on=clock.today() + datetime.timedelta(days=365),
        granted_by=legal_rep,
    )
    world.objects["enterprise"] = enterprise


def _real_named():
    """An L2 person: name and ID number those of a population-base record."""
    person = PersonFactory()
    return UserFactory(
        real_name_level=Level.L2,
        last_name=person.name[0],
        first_name=person.name[1:],
        id_number=person.id_number,
        phone=person.phone,
    )


def _objects(world: World, department, window) -> None:
    """At least one row of every model the admin lists, for the URLs naming an object."""
    clerk = world.users[Role.CLERK]
    item = published_item(department=department)
    world.objects.update(
        department=department,
        window=window,
        staffmembership=clerk.memberships.get(),
        user=clerk,
        item=item,
        serviceitem=item,
        guide=item.current_guide,
        person=PersonFactory(),
        legalentity=world.objects["enterprise"].legal_entity,
    )
    audit.record("harness", "access.harness", department)
    # A seal, its certificates and one use: the signing admin pages have rows to open.
    signing.sign_pdf(one_page_pdf(), department=department, reason="harness", by="harness")
    notify.save_template("harness", "inapp", body="您好", by="harness")
    Message.objects.create(
        recipient=world.users["person_l1"],
        channel="inapp",
        template_code="harness",
        template_version=1,
        body="您好",
        idempotency_key="harness",
        created_at=clock.now(),
    )
    ProviderCircuit.objects.create(provider="harness")
    _identity(world)
    _cases_and_workflow(world, department)
    _finance(world)
    _assist(world, window)
    Group.objects.create(name="harness")
    CallLog.objects.create(
        method="GET", route="/api/v1/harness", status=200, latency_ms=1, bytes_out=1
    )
    app = _third_party(world.users["system_admin"])
    _consent(world, app)
    _bearers(world, app)


def _identity(world: World) -> None:
    person = world.users["person_l2"]
    RealNameVerification.objects.create(
        user=person, level=Level.L2, method=RealNameVerification.Method.REGISTRY
    )
    SignInFailure.objects.create(username="harness", failures=1)
    world.objects["signinfailure"] = SignInFailure.objects.get(username="harness")


def _assist(world: World, window) -> None:
    """A 帮办代办 booking at the harness window's center, made by ``person_l1``."""
    from tongban.portal.models import AssistBooking

    world.objects["assistbooking"] = AssistBooking.objects.create(
        number="BB202601010001",
        kind=AssistBooking.Kind.HELP,
        center=window.center,
        date=clock.today(),
        slot=AssistBooking.Slot.MORNING,
        name="王秀兰",
        phone="13900000009",
        user=world.users["person_l1"],
        created_at=clock.now(),
    )


def _finance(world: World) -> None:
    """A paid order of the harness case with its callback, a refund, a statement, a
    reconciliation and a discrepancy, for the payments admin pages."""
    from tongban.payments.models import (
        Callback,
        Discrepancy,
        PaymentOrder,
        Reconciliation,
        Refund,
        Statement,
    )

    case = world.objects["case"]
    order = PaymentOrder.objects.filter(department=case.department).order_by("pk").first()
    if order is None:
        order = PaymentOrder.objects.create(
            number="JFHARNESS000001",
            case=case,
            department=case.department,
            payer=case.applicant,
            payer_name="harness",
            amount=100,
            provider="sandbox",
            status=PaymentOrder.Status.PAID,
            paid_amount=100,
        )
    Callback.objects.create(
        provider="sandbox",
        order=order,
        event_id="EVHARNESS000001",
        event="payment.paid",
        body="{}",
        signature_ok=True,
        outcome=Callback.Outcome.APPLIED,
    )
    Refund.objects.create(
        number="TFHARNESS000001",
        order=order,
        amount=1,
        reason="harness",
        requested_by=world.users["clerk"],
    )
    statement = Statement.objects.create(
        provider="sandbox", date=datetime.date(2026, 1, 1), content="", sha256="0" * 64
    )
    run = Reconciliation.objects.create(
        provider="sandbox",
        date=statement.date,
        statement=statement,
        status=Reconciliation.Status.DISCREPANT,
        run_by="harness",
    )
    Discrepancy.objects.create(
        reconciliation=run,
        kind=Discrepancy.Kind.MISSING_ON_CHANNEL,
        order=order,
        order_number=order.number,
    )


def _cases_and_workflow(world: World, department) -> None:
    """A case filed by the L2 person in the harness department, a holiday, and a running
    standard process with its first task."""
    from tongban.cases.models import HolidaySchedule
    from tongban.cases.tests.factories import file_case, form_item
    from tongban.workflow import services as workflow

    case = file_case(form_item(department=department), world.users["person_l2"])
    HolidaySchedule.objects.create(
        date=datetime.date(2031, 1, 1),
        kind=HolidaySchedule.Kind.HOLIDAY,
        year=2031,
        entered_at=clock.now(),
    )
    instance = workflow.start(
        workflow.template("standard"), subject=f"cases.Case:{case.pk}", departments=department
    )
    world.objects.update(
        case=case,
        processdefinition=instance.definition,
        processinstance=instance,
        task=instance.tasks.first(),
    )


def _consent(world: World, app) -> None:
    world.objects["consent"] = Consent.objects.create(
        user=world.users["person_l2"], client=app, scopes="openid profile"
    )


def _bearers(world: World, app) -> None:
    """``person_l2``'s access tokens at the harness OIDC client: every API scope, and the
    sign-in scopes only."""
    from oauth2_provider.models import AccessToken

    from tongban.identity.oidc.scopes import API_SCOPES

    later = timezone.now() + datetime.timedelta(hours=1)
    for name, scope in (
        ("bearer_scoped", " ".join(["openid", "profile", *sorted(API_SCOPES)])),
        ("bearer_openid", "openid profile"),
    ):
        token = f"harness-{name}"
        AccessToken.objects.create(
            user=world.users["person_l2"], application=app, token=token, expires=later, scope=scope
        )
        world.bearer[name] = token


def _third_party(user):
    """Rows of the installed apps' own models (tasks, OAuth2), whose admin pages exist too."""
    from django_tasks_db.models import DBTaskResult
    from oauth2_provider.models import AccessToken, Application, Grant, IDToken, RefreshToken

    later = timezone.now() + datetime.timedelta(hours=1)
    DBTaskResult.objects.create(
        args_kwargs={}, task_path="harness.task", backend_name="default", run_after=later
    )
    app = Application.objects.create(
        name="harness",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://harness.example/cb",
        algorithm=Application.RS256_ALGORITHM,
    )
    token = AccessToken.objects.create(user=user, application=app, token="harness", expires=later)
    RefreshToken.objects.create(user=user, application=app, token="harness", access_token=token)
    Grant.objects.create(
        user=user, application=app, code="harness", expires=later, redirect_uri="https://h.e/cb"
    )
    IDToken.objects.create(user=user, application=app, jti=uuid.uuid4(), expires=later)
    return app


def _sign_in(world: World) -> None:
    """A session per actor, kept as its cookie: staff verified by TOTP except one."""
    for name, user in world.users.items():
        client = Client()
        if user.kind == user.Kind.STAFF and name != "staff_no_totp":
            verified_login(client, user)
        else:
            client.force_login(user)
        if name in ("agent", "legal_rep"):
            session = client.session
            session[ACTING_SESSION_KEY] = world.objects["enterprise"].pk
            session.save()
        world.sessions[name] = client.cookies
