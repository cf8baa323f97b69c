"""The provider's pages: the consent page of the authorization endpoint, RP-initiated
logout, and "我的授权" where a person sees and revokes what department systems may read.

The protocol itself (token, userinfo, JWKS, discovery) is django-oauth-toolkit's.
"""

from urllib.parse import parse_qs, urlencode, urlsplit

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.forms import AllowForm
from oauth2_provider.http import OAuth2ResponseRedirect
from oauth2_provider.models import get_application_model
from oauth2_provider.scopes import get_scopes_backend
from oauth2_provider.views import AuthorizationView, RPInitiatedLogoutView, TokenView

from tongban.core import csp
from tongban.errors import TongbanError
from tongban.identity import enterprises, throttles
from tongban.identity.oidc import consents

SELF = "self"


class ConsentForm(AllowForm):
    acting_as = forms.CharField(required=False)


def registered_redirect(next_url: str) -> str:
    """The client redirect a sign-in continues to, when ``next_url`` is this provider's
    authorization request with a redirect URI registered for its client; else "".

    The sign-in form's post is redirected through /oidc/authorize/ straight to the client when
    a remembered consent covers the request, and CSP form-action governs those redirects too.
    """
    parts = urlsplit(next_url or "")
    if parts.netloc or parts.path != reverse("oauth2_provider:authorize"):
        return ""
    query = parse_qs(parts.query)
    client_id = (query.get("client_id") or [""])[0]
    redirect_uri = (query.get("redirect_uri") or [""])[0]
    application = get_application_model().objects.filter(client_id=client_id).first()
    if application is None or not application.redirect_uri_allowed(redirect_uri):
        return ""
    return redirect_uri


class ThrottledTokenView(TokenView):
    """The token endpoint; an address whose requests fail too often (wrong client secret,
    code or verifier) is answered 429 until its window ends (identity.throttles)."""

    def post(self, request, *args, **kwargs):
        wait = throttles.OIDC_TOKEN.blocked(request)
        if wait is not None:
            refused = JsonResponse(
                {"error": "slow_down", "error_description": throttles.OIDC_TOKEN.message_en},
                status=429,
            )
            refused["Retry-After"] = str(wait)
            return refused
        response = super().post(request, *args, **kwargs)
        if response.status_code in (400, 401):
            throttles.OIDC_TOKEN.failed(request)
        return response


class ConsentAuthorizationView(AuthorizationView):
    """Authorization code requests: skip the page when a remembered consent covers them."""

    template_name = "identity/oidc/authorize.html"
    form_class = ConsentForm

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not _may_sign_in_elsewhere(user):
            self.oauth2_data = {}
            return render(request, "identity/oidc/staff_refused.html", status=403)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        try:
            scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            return self.error_response(error, application=None)
        application = get_application_model().objects.get(client_id=credentials["client_id"])
        prompt = set(request.GET.get("prompt", "").split())
        if prompt & {"login", "consent", "select_account", "create"}:
            return super().get(request, *args, **kwargs)
        consent = consents.active(request.user, application)
        if consents.covers(consent, request.user, scopes):
            return self._approve(request, application, scopes, credentials)
        if "none" in prompt:
            return self._refuse(application, credentials, "consent_required")
        return super().get(request, *args, **kwargs)

    def render_to_response(self, context, **kwargs):
        """The consent form posts here and is then redirected to the client: CSP
        form-action must allow the client's (registered, validated) redirect origin."""
        response = super().render_to_response(context, **kwargs)
        form = context.get("form")
        target = form.initial.get("redirect_uri", "") if form is not None else ""
        return csp.allow_form_target(response, target)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scopes = context.get("scopes") or []
        described = get_scopes_backend().get_all_scopes()
        context["scope_items"] = [(scope, described.get(scope, scope)) for scope in scopes]
        if "enterprise" in scopes:
            context["identities"] = _identities(self.request.user)
        return context

    def form_valid(self, form):
        if form.cleaned_data.get("allow"):
            application = (
                get_application_model()
                .objects.filter(client_id=form.cleaned_data["client_id"])
                .first()
            )
            if application is None:
                raise Http404
            scopes = form.cleaned_data["scope"].split()
            try:
                enterprise = _chosen_enterprise(self.request.user, form, scopes)
                consents.grant(
                    self.request.user,
                    application,
                    scopes,
                    enterprise=enterprise,
                    request=self.request,
                )
            except TongbanError as error:
                form.add_error(None, error.message)
                return self.form_invalid(form)
        return super().form_valid(form)

    def form_invalid(self, form):
        scopes = (form.cleaned_data.get("scope") or "").split()
        self.oauth2_data = {**form.cleaned_data, "scopes": scopes}
        application = get_application_model().objects.filter(
            client_id=form.cleaned_data.get("client_id")
        )
        return self.render_to_response(
            self.get_context_data(form=form, application=application.first(), scopes=scopes)
        )

    def _approve(self, request, application, scopes, credentials):
        try:
            uri, _headers, _body, _status = self.create_authorization_response(
                request=request, scopes=" ".join(scopes), credentials=credentials, allow=True
            )
        except OAuthToolkitError as error:
            return self.error_response(error, application)
        return self.redirect(uri, application)

    def _refuse(self, application, credentials, error: str):
        params = {"error": error}
        if credentials.get("state"):
            params["state"] = credentials["state"]
        separator = "&" if "?" in credentials["redirect_uri"] else "?"
        return OAuth2ResponseRedirect(
            f"{credentials['redirect_uri']}{separator}{urlencode(params)}",
            application.get_allowed_schemes(),
        )


def _may_sign_in_elsewhere(user) -> bool:
    """Staff carry their sign-in to department systems only from a TOTP-verified session."""
    if user.kind != user.Kind.STAFF and not user.is_staff:
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def _identities(user) -> list[dict]:
    found = [{"value": SELF, "label": _("本人(%(name)s)") % {"name": user.display_name}}]
    for enterprise in enterprises.enterprises_of(user):
        role = _("法定代表人") if enterprise.legal_rep_id == user.pk else _("经办人")
        found.append(
            {
                "value": str(enterprise.pk),
                "label": f"{enterprise.legal_entity.name}({role})",
                "uscc": enterprise.legal_entity.uscc,
            }
        )
    return found


def _chosen_enterprise(user, form, scopes):
    choice = form.cleaned_data.get("acting_as") or SELF
    if "enterprise" not in scopes or choice == SELF:
        return None
    enterprise = (
        enterprises.enterprises_of(user).filter(pk=choice).first() if choice.isdigit() else None
    )
    if enterprise is None:
        raise TongbanError(
            _("您无权代表所选法人,请重新选择"), "You may not act for this enterprise"
        )
    return enterprise


class LogoutView(RPInitiatedLogoutView):
    """RP-initiated logout: ends the platform session and the client's tokens."""

    template_name = "identity/oidc/logout_confirm.html"


@login_required
def my_consents(request):
    """我的授权: the department systems this person lets sign them in."""
    return render(
        request, "identity/oidc/consents.html", {"consents": consents.for_user(request.user)}
    )


@require_POST
@login_required
def revoke_consent(request, pk: int):
    try:
        consent = consents.revoke(request.user, pk, request=request)
    except TongbanError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("已撤销对“%(name)s”的授权,下次登录时将重新征得您的同意。")
            % {"name": consent.client.name},
        )
    return redirect("sso:consents")
