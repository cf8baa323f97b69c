"""Every endpoint the project serves, and a real URL for each.

An endpoint is named by its URL pattern name (``admin:org_window_change``), by its route when
it has none (``admin/org/window/<path:object_id>/``), or, for an API operation, by method and
path as the OpenAPI document gives them (``GET /api/v1/org/staff``).
"""

import re
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver

ADMIN_MODEL = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/")
PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


@dataclass(frozen=True)
class Endpoint:
    key: str
    route: str  # the full route, converters and regex groups included
    name: str | None = None


def discover() -> dict[str, Endpoint]:
    """Every URL pattern (API operations by method and path instead of their patterns)."""
    found = {e.key: e for e in _patterns(get_resolver()) if not _is_api_operation(e)}
    for key, route in _api_operations():
        found[key] = Endpoint(key, route)
    return found


def _patterns(resolver, prefix: str = "", namespace: str | None = None):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _patterns(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield Endpoint(name or route, route, name)


def _is_api_operation(endpoint: Endpoint) -> bool:
    from tongban.api import api

    prefix = api.urls_namespace + ":"
    names = {"openapi-json", "openapi-view", "api-root"}
    return bool(endpoint.name and endpoint.name.startswith(prefix)) and (
        endpoint.name.removeprefix(prefix) not in names
    )


def _api_operations():
    from tongban.api import api

    for path, methods in api.get_openapi_schema()["paths"].items():
        for method in methods:
            yield f"{method.upper()} {path}", path


# Query strings some pages need to show anything: endpoint → f(world).
QUERIES = {
    "admin:catalog_guide_compare": lambda w: (
        f"old={w.objects['guide'].pk}&new={w.objects['guide'].pk}"
    ),
    "admin:autocomplete": lambda w: "app_label=org&model_name=window&field_name=department&term=",
}
# URL parameters named alike in several routes but meaning different objects: endpoint →
# {parameter: f(world)}. Parameters common to all routes are in ``_value``.
OBJECT_PARAMS = {
    "sso:revoke_consent": {"pk": lambda w: w.objects["consent"].pk},
    "portal:case_result": {"number": lambda w: w.objects["case"].number},
    "portal:assist_booking": {"number": lambda w: w.objects["assistbooking"].number},
    "portal:workbench_material": {"pk": lambda w: w.objects["case"].materials.first().pk},
    "portal:workbench_act": {"action": lambda w: "accept"},
    "identity:add_agent": {"pk": lambda w: w.objects["enterprise"].pk},
    "identity:revoke_agent": {
        "pk": lambda w: w.objects["enterprise"].pk,
        "agent_pk": lambda w: w.objects["enterprise"].agents.order_by("pk").first().pk,
    },
}


def url_for(endpoint: Endpoint, world) -> str:
    """The endpoint's URL with real objects of ``world`` for its parameters."""
    route, special = endpoint.route, OBJECT_PARAMS.get(endpoint.key, {})

    def value(name: str):
        return special[name](world) if name in special else _value(name, route, world)

    if " " in endpoint.key:  # an API operation: /api/v1/x/{name}
        url = re.sub(r"\{(\w+)\}", lambda m: str(value(m.group(1))), route)
    else:
        url = PARAM.sub(lambda m: str(value(m.group(1) or m.group(2))), route)
        url = "/" + re.sub(r"[\^$\\]", "", url).replace("/?", "/")  # regex routes
    query = QUERIES.get(endpoint.key)
    return f"{url}?{query(world)}" if query else url


def _value(param: str, route: str, world):
    objects = world.objects
    item = objects["item"]
    fixed = {
        "app_label": "org",
        "url": "harness-nowhere/",
        "code": item.implementation_code,
        "implementation_code": item.implementation_code,
        "version": 1,
        "provider": "sandbox",
        "uscc": objects["enterprise"].legal_entity.uscc,
        "center_id": objects["window"].center_id,
        "number": objects["case"].number,
        "content_type_id": ContentType.objects.get_for_model(objects["window"]).pk,
    }
    if param in fixed:
        return fixed[param]
    if param == "object_id" and route.startswith("admin/r/"):
        return objects["window"].pk
    if param in ("object_id", "pk", "id"):
        return _instance(route, world).pk
    raise LookupError(f"no value for <{param}> in {route}: add one to endpoints._value")


def _instance(route: str, world):
    match = ADMIN_MODEL.match(route)
    if match is None:
        raise LookupError(f"which object is <pk> in {route}? add it to endpoints.OBJECT_PARAMS")
    model = apps.get_model(match["app"], match["model"])
    known = world.objects.get(model._meta.model_name)
    found = known or model._default_manager.order_by("pk").first()
    if found is None:
        raise LookupError(f"no {model._meta.label} for {route}: add one to world._objects")
    return found
