"""Template text: variables written ``{变量名}``, declared on the template, filled at send.

``{{`` and ``}}`` write literal braces. Unknown variables are refused when a template is
saved; a missing value is refused when a message is sent.
"""

import re

VARIABLE = re.compile(r"\{\{|\}\}|\{([^{}\s]{1,40})\}")


def used_variables(text: str) -> set[str]:
    return {match.group(1) for match in VARIABLE.finditer(text) if match.group(1)}


def render(text: str, context: dict, *, missing=None) -> str:
    """Fill ``text``; ``missing(name)`` supplies absent values (a KeyError without it)."""

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)[0]
        if name in context:
            return str(context[name])
        if missing is None:
            raise KeyError(name)
        return missing(name)

    return VARIABLE.sub(fill, text)


def sample(name: str) -> str:
    """What a preview shows for a variable without a sample value."""
    return f"【{name}】"
