"""The wallet's pages (docs/wallet.md): 我的证照, a license's detail with its PDF and access
log, showing it by QR code (扫码亮证), and the verifier's scan page.

Views are thin: ``wallet`` reads, ``showing`` shows and scans. The holder's pages are for a
signed-in person; the scan page is for anyone who has the link (``showing`` explains why).
"""

from functools import wraps

from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tongban.errors import Conflict, InvalidInput, NotFound, RateLimited
from tongban.identity import access
from tongban.identity.views import person_required
from tongban.licenses import showing, wallet
from tongban.licenses.wallet_api import pdf_response

TEMPLATE = "licenses/{}.html"
SHOW_CHOICES = ((5, _("5 分钟")), (15, _("15 分钟")), (30, _("30 分钟")), (60, _("1 小时")))


def refusals(view):
    """``NotFound`` → 404, ``Conflict`` → 409, ``InvalidInput`` (a bad cursor) → 400:
    a Chinese message, nothing else."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            return _message(request, error.message, 404)
        except Conflict as error:
            return _message(request, error.message, 409)
        except InvalidInput as error:
            return _message(request, error.message, 400)

    return wrapped


def _message(request, text: str, status: int):
    return render(request, TEMPLATE.format("wallet_message"), {"message": text}, status=status)


@person_required
@refusals
def wallet_list(request):
    rows, cursor = wallet.my_licenses(request.user, cursor=request.GET.get("cursor") or None)
    entries = [
        {"license": row, "state": wallet.state(row), "state_label": wallet.state_label(row)}
        for row in rows
    ]
    context = {"entries": entries, "next_cursor": cursor}
    return render(request, TEMPLATE.format("wallet"), context)


@person_required
@refusals
def wallet_detail(request, identifier: str):
    license = wallet.my_license(request.user, identifier)
    return _detail(request, license)


def _detail(request, license, *, errors=None, status: int = 200):
    before = request.GET.get("before", "")
    log, next_before = wallet.access_log(license, before=int(before) if before.isdigit() else None)
    context = {
        "license": license,
        "state": wallet.state(license),
        "state_label": wallet.state_label(license),
        "can_show": wallet.in_force(license) and access.can(request.user, "licenses.show", license),
        "log": log,
        "next_before": next_before,
        "show_choices": SHOW_CHOICES,
        "errors": errors or {},
    }
    return render(request, TEMPLATE.format("wallet_detail"), context, status=status)


@person_required
@refusals
def wallet_pdf(request, identifier: str):
    license = wallet.my_license(request.user, identifier)
    return pdf_response(license, wallet.download(license, by=request.user, request=request))


@require_POST
@person_required
@refusals
def wallet_show(request, identifier: str):
    """亮证: a new token and its QR code, drawn on the page (never stored as an image)."""
    license = wallet.my_license(request.user, identifier)
    single_use = request.POST.get("mode", "single") != "timed"
    minutes = request.POST.get("minutes", "")
    seconds = int(minutes) * 60 if minutes.isdigit() and not single_use else None
    try:
        token = showing.create_show(
            license, by=request.user, single_use=single_use, seconds=seconds, request=request
        )
    except InvalidInput as error:
        return _detail(request, license, errors=error.fields, status=422)
    url = request.build_absolute_uri(showing.scan_path(token))
    context = {"license": license, "token": token, "url": url, "qr": showing.qr_data_uri(url)}
    return render(request, TEMPLATE.format("show"), context)


def scan(request, token: str):
    """The verifier's page: GET checks the code and asks who is viewing (nothing shown yet,
    so a link preview spends nothing); POST shows the license and logs the view."""
    viewer = request.user if request.user.is_authenticated else None
    context = {"viewer": viewer, "errors": {}, "label": ""}
    try:
        show = showing.check(token, ip=request.META.get("REMOTE_ADDR"))
        if request.method == "POST":
            context["label"] = request.POST.get("verifier", "")[: showing.LABEL_MAX]
            context["surface"] = showing.view(
                show, viewer=viewer, label=context["label"], request=request
            )
    except (showing.TokenInvalid, showing.TokenGone) as error:
        return _scan_refused(request, error.message, error.status)
    except RateLimited as error:
        response = _scan_refused(request, error.message, 429)
        response["Retry-After"] = str(error.retry_after)
        return response
    except InvalidInput as error:
        context["errors"] = error.fields
        return render(request, TEMPLATE.format("scan"), context, status=422)
    return render(request, TEMPLATE.format("scan"), context)


def _scan_refused(request, text: str, status: int):
    return render(request, TEMPLATE.format("scan"), {"refused": text}, status=status)


urlpatterns = [
    path("my/licenses/", wallet_list, name="wallet"),
    path("my/licenses/<str:identifier>/", wallet_detail, name="wallet_detail"),
    path("my/licenses/<str:identifier>/pdf", wallet_pdf, name="wallet_pdf"),
    path("my/licenses/<str:identifier>/show", wallet_show, name="wallet_show"),
    path("licenses/scan/<str:token>", scan, name="scan"),
]
