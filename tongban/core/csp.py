"""Content-Security-Policy helpers (django-csp does the header, settings hold the policy)."""

from urllib.parse import urlsplit


def origin(url: str) -> str | None:
    """``https://host:port`` of an absolute http(s) URL, else ``None``."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def allow_form_target(response, url: str):
    """Let the page in ``response`` post a form that is redirected on to ``url``'s origin
    (CSP form-action also governs the redirects that follow a form submission)."""
    found = origin(url)
    if found:
        update = getattr(response, "_csp_update", None) or {}
        update["form-action"] = [*update.get("form-action", []), found]
        response._csp_update = update
    return response
