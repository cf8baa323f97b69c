"""Which Python expressions an uploaded process may evaluate.

Gateway conditions, multi-instance cardinalities and DMN entries are evaluated by the engine
as Python. An upload may only use a small, side-effect-free subset: names of process data
(no ``_`` prefix), literals, arithmetic, comparisons, ``and``/``or``/``not``, ``x if c else
y``, subscripts and calls of a few harmless builtins (``engine.SAFE_FUNCTIONS``). No
attributes, no lambdas, no comprehensions, no imports.
"""

import ast

from tongban.workflow.engine import SAFE_FUNCTIONS

ALLOWED_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Is,
    ast.IsNot,
    ast.IfExp,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.List,
    ast.Tuple,
    ast.Set,
    ast.Dict,
    ast.Subscript,
    ast.Slice,
    ast.Call,
)


def problem(expression: str) -> str | None:
    """Why ``expression`` may not run, in Chinese, or ``None`` when it may."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        return "表达式语法错误"
    for node in ast.walk(tree):
        if not isinstance(node, ALLOWED_NODES):
            return f"表达式中不允许使用 {type(node).__name__}"
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            return f"不允许使用以下划线开头的名称 {node.id}"
        if isinstance(node, ast.Call) and not _safe_call(node):
            return "表达式只能调用 " + "、".join(SAFE_FUNCTIONS)
        if isinstance(node, ast.Constant) and len(str(node.value)) > 1000:
            return "表达式中的常量过长"
    return None


def _safe_call(node: ast.Call) -> bool:
    return isinstance(node.func, ast.Name) and node.func.id in SAFE_FUNCTIONS and not node.keywords
