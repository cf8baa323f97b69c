"""Pages of person accounts (sign-in, 我的, real name, enterprises) and the clerk's in-person
real-name page. Thin: forms in, ``accounts`` / ``realname`` / ``enterprises`` do the work,
their ``TongbanError`` messages are shown on the form."""

from functools import wraps

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from tongban.core import clock, csp
from tongban.core.pii import mask
from tongban.errors import TongbanError
from tongban.identity import access, accounts, enterprises, realname
from tongban.identity.decorators import staff_page
from tongban.identity.forms import (
    AgentForm,
    EnrollForm,
    FindAccountForm,
    InPersonForm,
    PhoneCodeForm,
    PhonePasswordForm,
    RealNameForm,
    SetPasswordForm,
)
from tongban.identity.models import Agent, EnterpriseAccount, Level, User
from tongban.identity.oidc import views as oidc_views
from tongban.org.models import Window

BACKEND = "tongban.org.backends.RoleBackend"


def show_error(form, error: TongbanError) -> None:
    """Put a service error on the form: per field where the form has it, else on top."""
    placed = False
    for name, problems in error.fields.items():
        if name in form.fields:
            for problem in problems:
                form.add_error(name, problem)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def person_required(view):
    """Signed in as a person; staff accounts are sent to the admin."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.kind != User.Kind.PERSON:
            return render(request, "identity/staff_refused.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


# Sign-in --------------------------------------------------------------------------------


@sensitive_post_parameters("password", "code")
def login(request):
    next_url = _next_url(request, reverse("identity:account"))
    if request.user.is_authenticated and request.user.kind == User.Kind.PERSON:
        return redirect(next_url)
    action = request.POST.get("action") if request.method == "POST" else None
    code_form = PhoneCodeForm(request.POST if action in ("send", "code") else None)
    password_form = PhonePasswordForm(
        request.POST if action == "password" else None, auto_id="pw_%s"
    )
    if action == "send" and code_form.is_valid():
        _send_code(request, code_form)
    elif action == "code" and code_form.is_valid():
        user = _attempt(code_form, accounts.sign_in_with_code, request, "code")
        if user is not None:
            auth.login(request, user, backend=BACKEND)
            return redirect(next_url)
    elif action == "password" and password_form.is_valid():
        user = _attempt(password_form, accounts.sign_in_with_password, request, "password")
        if user is not None:
            auth.login(request, user, backend=BACKEND)
            return redirect(next_url)
    context = {"code_form": code_form, "password_form": password_form, "next": next_url}
    response = render(request, "identity/login.html", context)
    return csp.allow_form_target(response, oidc_views.registered_redirect(next_url))


def _send_code(request, form) -> None:
    try:
        accounts.send_code(form.cleaned_data["phone"], request=request)
    except TongbanError as error:
        show_error(form, error)
        return
    messages.success(
        request,
        _("验证码已发送至 %(phone)s,%(minutes)d 分钟内有效。")
        % {
            "phone": mask(accounts.normalize_phone(form.cleaned_data["phone"]), "phone"),
            "minutes": settings.IDENTITY_CODE_MINUTES,
        },
    )


def _attempt(form, sign_in, request, secret_field):
    secret = form.cleaned_data.get(secret_field) or ""
    if not secret:
        form.add_error(secret_field, _("请填写此项"))
        return None
    try:
        return sign_in(form.cleaned_data["phone"], secret, request=request)
    except TongbanError as error:
        show_error(form, error)
        return None


@require_POST
def logout(request):
    auth.logout(request)
    return redirect("portal:home")


# 我的 -------------------------------------------------------------------------------------


@person_required
def account(request):
    user = request.user
    context = {
        "level": Level(user.real_name_level),
        "verifications": user.verifications.select_related("window")[:10],
        "enterprises": enterprises.enterprises_of(user),
        "acting": enterprises.acting_enterprise(request),
    }
    return render(request, "identity/account.html", context)


@person_required
@sensitive_post_parameters("password", "password2")
def password(request):
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.set_password(request.user, form.cleaned_data["password"], request=request)
        except TongbanError as error:
            show_error(form, error)
        else:
            auth.update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已设置,今后也可以用手机号和密码登录。"))
            return redirect("identity:account")
    return render(request, "identity/password.html", {"form": form})


@person_required
@sensitive_post_parameters("id_number")
def realname_view(request):
    user = request.user
    form = RealNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            realname.verify_online(user, request=request, **form.cleaned_data)
        except TongbanError as error:
            show_error(form, error)
        else:
            messages.success(request, _("实名认证成功,您的实名等级已提升为 L2。"))
            return redirect(_next_url(request, reverse("identity:account")))
    required = request.GET.get("required", "")
    context = {
        "form": form,
        "level": Level(user.real_name_level),
        "required": int(required) if required.isdigit() and int(required) in Level.values else None,
        "attempts_left": max(0, _attempts_left(user)),
    }
    return render(request, "identity/realname.html", context)


def _attempts_left(user) -> int:
    return settings.IDENTITY_REALNAME_ATTEMPTS_PER_DAY - realname.attempts_today(user)


# Enterprises ----------------------------------------------------------------------------


@person_required
def enterprise_list(request):
    user = request.user
    rows = []
    for enterprise in enterprises.enterprises_of(user).order_by("pk"):
        manages = access.can(user, "identity.manage_agents", enterprise)
        rows.append(
            {
                "enterprise": enterprise,
                "is_rep": enterprise.legal_rep_id == user.pk,
                "scopes": _scope_labels(enterprises.scopes_for(user, enterprise)),
                "agents": _with_labels(enterprises.agents(enterprise)) if manages else None,
                "agent_form": AgentForm(prefix=f"e{enterprise.pk}") if manages else None,
            }
        )
    context = {
        "rows": rows,
        "enterprises": [row["enterprise"] for row in rows],
        "enroll_form": EnrollForm(),
        "can_enroll": user.real_name_level >= Level.L2,
        "acting": enterprises.acting_enterprise(request),
        "today": clock.today(),
    }
    return render(request, "identity/enterprises.html", context)


def _with_labels(agents) -> list[Agent]:
    found = list(agents)
    for agent in found:
        agent.scope_labels = _scope_labels(agent.scopes)
    return found


def _scope_labels(scopes) -> list[str]:
    return [str(label) for value, label in Agent.Scope.choices if value in scopes]


@require_POST
@person_required
def enroll(request):
    form = EnrollForm(request.POST)
    if form.is_valid():
        try:
            account = enterprises.enroll(request.user, form.cleaned_data["uscc"], request=request)
        except TongbanError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("已开通法人账号:%(name)s") % {"name": account.legal_entity.name}
            )
    else:
        messages.error(request, _("请填写统一社会信用代码"))
    return redirect("identity:enterprises")


@require_POST
@person_required
def add_agent(request, pk):
    enterprise = get_object_or_404(EnterpriseAccount, pk=pk)
    _require_manager(request, enterprise)
    form = AgentForm(request.POST, prefix=f"e{enterprise.pk}")
    if not form.is_valid():
        for problems in form.errors.values():
            messages.error(request, " ".join(problems))
        return redirect("identity:enterprises")
    try:
        enterprises.add_agent(enterprise, by=request.user, request=request, **form.cleaned_data)
    except TongbanError as error:
        detail = " ".join(p for problems in error.fields.values() for p in problems)
        messages.error(request, detail or error.message)
    else:
        messages.success(request, _("已添加经办人授权"))
    return redirect("identity:enterprises")


@require_POST
@person_required
def revoke_agent(request, pk, agent_pk):
    agent = get_object_or_404(Agent, pk=agent_pk, enterprise_id=pk)
    _require_manager(request, agent.enterprise)
    try:
        enterprises.revoke_agent(agent, by=request.user, request=request)
    except TongbanError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已撤销该经办人的授权"))
    return redirect("identity:enterprises")


def _require_manager(request, enterprise) -> None:
    """Only the legal representative reaches the agent forms (the services check again)."""
    if not access.can(request.user, "identity.manage_agents", enterprise):
        raise DjangoPermissionDenied


@require_POST
@person_required
def switch_acting(request):
    raw = request.POST.get("enterprise", "")
    enterprise = None
    if raw:
        enterprise = EnterpriseAccount.objects.filter(pk=raw if raw.isdigit() else 0).first()
        if enterprise is None:
            messages.error(request, _("未找到该企业"))
            return redirect("identity:enterprises")
    try:
        enterprises.switch_acting(request, enterprise)
    except TongbanError as error:
        messages.error(request, error.message)
    else:
        name = enterprise.legal_entity.name if enterprise else _("个人")
        messages.success(request, _("当前身份:%(name)s") % {"name": name})
    return redirect(_next_url(request, reverse("identity:account")))


# The clerk's in-person verification -----------------------------------------------------


def _clerk_refused(request):
    return render(request, "identity/clerk_refused.html", status=403)


# Staff in a session verified by their TOTP device, holding a clerk's place.
clerk_required = staff_page("identity.verify_in_person", refused=_clerk_refused)


@clerk_required
@sensitive_post_parameters("id_number", "phone")
def in_person(request):
    windows = access.scope(request.user, "identity.verify_in_person", Window.objects.all())
    person, form = None, None
    find = FindAccountForm(request.GET if "phone" in request.GET else None)
    if request.method == "POST":
        form = InPersonForm(request.POST, windows=windows)
        valid = form.is_valid()
        person = _find_person(form, request.POST.get("phone", ""))
        if valid and person is not None and _raise_to_l3(request, form, person):
            return redirect("identity:in_person")
    elif find.is_valid():
        person = _find_person(find, find.cleaned_data["phone"])
        if person is not None:
            form = InPersonForm(initial={"phone": find.cleaned_data["phone"]}, windows=windows)
    context = {"find": find, "person": person, "form": form, "windows": windows}
    return render(request, "identity/in_person.html", context)


def _find_person(form, phone):
    try:
        person = accounts.person_by_phone(phone)
    except TongbanError as error:
        show_error(form, error)
        return None
    if person is None or person.kind != User.Kind.PERSON:
        form.add_error(None, _("没有使用该手机号的个人账号,请申请人先用手机号登录一次。"))
        return None
    return person


def _raise_to_l3(request, form, person) -> bool:
    data = form.cleaned_data
    try:
        realname.verify_in_person(
            person,
            by=request.user,
            window=data["window"],
            id_number=data["id_number"],
            name=data["name"],
            request=request,
        )
    except TongbanError as error:
        show_error(form, error)
        return False
    messages.success(
        request,
        _("已完成现场核验:账号 %(phone)s 的实名等级为 L3。") % {"phone": person.masked_phone},
    )
    return True
