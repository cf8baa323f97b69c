"""/login/provincial/: "使用陕西省统一身份认证登录", and the callback that signs the person in."""

from django.conf import settings
from django.contrib import auth
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from tongban.errors import TongbanError
from tongban.identity.oidc import federation, linking

BACKEND = "tongban.org.backends.RoleBackend"


def start(request):
    if not federation.enabled():
        raise Http404
    callback_url = request.build_absolute_uri(reverse("sso:provincial_callback"))
    try:
        url = federation.begin(request.session, callback_url, _next(request))
    except TongbanError as error:
        return _failed(request, error)
    return redirect(url)


def callback(request):
    if not federation.enabled():
        raise Http404
    try:
        claims, next_url = federation.complete(request.session, request.GET)
        user = linking.account_for(
            claims, issuer=settings.PROVINCIAL_OIDC_ISSUER.rstrip("/"), request=request
        )
    except TongbanError as error:
        return _failed(request, error)
    auth.login(request, user, backend=BACKEND)
    return redirect(next_url or reverse("identity:account"))


def _next(request) -> str:
    target = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return ""


def _failed(request, error: TongbanError):
    return render(
        request,
        "identity/oidc/federation_error.html",
        {"message": error.message},
        status=int(error.status),
    )
