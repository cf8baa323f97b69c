"""The result document (决定书 / 办结通知书) of a concluded case, as a PDF download.

For whoever may see the case (``cases.view``): its applicant, the enterprise's
representatives, staff of its department. Staff need a TOTP-verified session.
"""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.urls import reverse

from tongban.cases import results
from tongban.errors import NotFound
from tongban.identity.models import User


@login_required
def result_document(request, number: str):
    user = request.user
    verified = getattr(user, "is_verified", None)
    if user.kind == User.Kind.STAFF and not (verified and verified()):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    try:
        case = results.result_case(user, number)
    except NotFound as error:
        raise Http404(error.message) from error
    response = HttpResponse(results.sealed_result(case), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="result-{case.number}.pdf"'
    return response
