"""Render deploy/nginx*.conf (the documented production configuration) for a machine.

The templates hold ``{{name}}`` fields and two optional blocks: ``#@tls`` … ``#@end`` (the
HTTPS server of production) and ``#@plain`` … ``#@end`` (plain HTTP, the loopback's).
"""

import re
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
FIELD = re.compile(r"\{\{(\w+)\}\}")
BLOCK = re.compile(r"^#@(tls|plain)\n(.*?)^#@end\n", re.S | re.M)


def render(template: str, values: dict[str, str], *, tls: bool = False) -> str:
    """Fill the fields and keep the TLS or the plain block; an unknown field is an error."""

    def block(match: re.Match) -> str:
        return match.group(2) if (match.group(1) == "tls") == tls else ""

    def field(match: re.Match) -> str:
        try:
            return str(values[match.group(1)])
        except KeyError:
            raise KeyError(f"nginx template field {match.group(1)!r} has no value") from None

    return FIELD.sub(field, BLOCK.sub(block, template))


def write_config(directory: Path, values: dict[str, str], *, tls: bool = False) -> Path:
    """Render the three files into ``directory``; the main file's path (``nginx -c``)."""
    directory.mkdir(parents=True, exist_ok=True)
    values = {
        **values,
        "locations": str(directory / "nginx-locations.conf"),
        "proxy_params": str(directory / "nginx-proxy.conf"),
    }
    for name in ("nginx.conf", "nginx-locations.conf", "nginx-proxy.conf"):
        text = render((DEPLOY / name).read_text(), values, tls=tls)
        (directory / name).write_text(text)
    return directory / "nginx.conf"
