"""The archives pages: find an archived case, open its package, export for the bureau.

Staff in a TOTP-verified session who may read archives (``rules``); a package outside their
reach is a 404. Every download (a file or the whole package) and every export is audited.
"""

import datetime
import tempfile
from pathlib import PurePosixPath
from urllib.parse import quote

from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from tongban.archives import export, services
from tongban.errors import InvalidInput
from tongban.identity import access
from tongban.identity.decorators import staff_page

DOWNLOAD_TYPES = {".pdf": "application/pdf", ".json": "application/json", ".zip": "application/zip"}


def archives_staff(action: str = "archives.view"):
    return staff_page(action, refused=_refused, not_found_404=True)


def _refused(request):
    return render(request, "archives/refused.html", status=403)


@archives_staff()
def search(request):
    params = request.GET
    errors = {}
    rows, next_cursor = [], None
    try:
        rows, next_cursor = services.search(
            request.user,
            case_number=params.get("case_number", ""),
            archive_number=params.get("archive_number", ""),
            item=params.get("item", ""),
            since=_date(params.get("since"), "since"),
            until=_date(params.get("until"), "until"),
            cursor=params.get("cursor") or None,
        )
    except InvalidInput as exc:
        errors = exc.fields
    next_query = params.copy()
    if next_cursor:
        next_query["cursor"] = next_cursor
    context = {
        "rows": rows,
        "params": params,
        "errors": errors,
        "next_query": next_query.urlencode() if next_cursor else "",
        "may_export": access.can(request.user, "archives.export"),
    }
    return render(request, "archives/search.html", context)


@archives_staff()
def detail(request, number: str):
    package = services.get(request.user, number)
    context = {
        "package": package,
        "files": package.manifest.get("files", []),
        "checks": package.checks.all()[:50],
    }
    return render(request, "archives/detail.html", context)


@archives_staff()
def package_file(request, number: str):
    package = services.get(request.user, number)
    path = request.GET.get("path", "")
    data = services.read_file(package, path)
    services.record_download(request.user, package, path, request=request)
    suffix = PurePosixPath(path).suffix.lower()
    kind = DOWNLOAD_TYPES.get(suffix, "application/octet-stream")
    response = HttpResponse(data, content_type=kind)
    response["Content-Disposition"] = _attachment(PurePosixPath(path).name)
    return response


@archives_staff()
def package_zip(request, number: str):
    package = services.get(request.user, number)
    data = services.read_package(package)
    services.record_download(request.user, package, request=request)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = _attachment(f"{package.number}.zip")
    return response


@archives_staff("archives.export")
@require_http_methods(["GET", "POST"])
def export_page(request):
    if request.method == "GET":
        return render(request, "archives/export.html", {"errors": {}, "params": {}})
    try:
        since = _date(request.POST.get("since"), "since", required=True)
        until = _date(request.POST.get("until"), "until")
    except InvalidInput as exc:
        return render(
            request,
            "archives/export.html",
            {"errors": exc.fields, "params": request.POST},
            status=400,
        )
    # FileResponse closes the file once it has been sent (the temporary file goes with it).
    target = tempfile.TemporaryFile()  # noqa: SIM115
    export.write(export.packages_between(since, until).iterator(), target, by=request.user)
    target.seek(0)
    name = f"archives-{since.isoformat()}-{(until or since).isoformat()}.zip"
    return FileResponse(target, as_attachment=True, filename=name, content_type="application/zip")


def _date(value, field: str, *, required: bool = False) -> datetime.date | None:
    if not value:
        if required:
            raise InvalidInput(fields={field: ["请填写日期 / a date is required"]})
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(
            fields={field: ["日期格式应为 YYYY-MM-DD / dates are YYYY-MM-DD"]}
        ) from exc


def _attachment(name: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(name)}"
