"""证照核验 pages, public: ``/licenses/verify/`` (enter an identifier, or upload a license
PDF) and ``/licenses/verify/<identifier>/`` (where a license's QR code leads).

Thin: ``verification`` checks, counts the attempts per client address and logs each
verification; the pages show its answer, or why there is none (400, 404, 429).
"""

from django.shortcuts import redirect, render
from django.urls import path

from tongban.errors import InvalidInput, NotFound, RateLimited
from tongban.licenses import identifiers, verification
from tongban.licenses.identifiers import InvalidIdentifier

TEMPLATE = "licenses/verify.html"


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def verify_form(request):
    """The form; a posted identifier goes to its page, a posted PDF is checked here."""
    context: dict = {"errors": {}}
    if request.method != "POST":
        return render(request, TEMPLATE, context)
    upload = request.FILES.get("file")
    if upload is None:
        return _entered(request, (request.POST.get("identifier") or "").strip(), context)
    try:
        context["pdf"] = verification.check_pdf(
            upload.read(verification.MAX_PDF_BYTES + 1),
            ip=_ip(request),
            actor=request.user,
            channel="page",
        )
    except InvalidInput as error:
        context["errors"] = error.fields
        return render(request, TEMPLATE, context, status=422)
    except RateLimited as error:
        return _limited(request, error)
    return render(request, TEMPLATE, context)


def _entered(request, text: str, context: dict):
    """A well-formed identifier goes to its page; anything else is answered here."""
    if not text:
        context["errors"]["identifier"] = ["请输入证照标识或上传证照文件 / enter an identifier"]
        return render(request, TEMPLATE, context, status=422)
    try:
        parsed = identifiers.parse(text)
    except InvalidIdentifier as error:
        context.update(invalid=error, identifier=text[:120])
        return render(request, TEMPLATE, context, status=400)
    return redirect("licenses:verify_identifier", identifier=str(parsed))


def verify_identifier(request, identifier: str):
    context: dict = {"errors": {}, "identifier": identifier}
    try:
        context["result"] = verification.verify(
            identifier, ip=_ip(request), actor=request.user, channel="page"
        )
    except InvalidIdentifier as error:
        context["invalid"] = error
        return render(request, TEMPLATE, context, status=400)
    except NotFound as error:
        context["not_found"] = error
        return render(request, TEMPLATE, context, status=404)
    except RateLimited as error:
        return _limited(request, error)
    return render(request, TEMPLATE, context)


def _limited(request, error: RateLimited):
    response = render(request, TEMPLATE, {"errors": {}, "limited": error}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


urlpatterns = [
    path("licenses/verify/", verify_form, name="verify"),
    path("licenses/verify/<str:identifier>/", verify_identifier, name="verify_identifier"),
]
