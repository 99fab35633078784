"""A safe arithmetic language for `expression` features, parsed with `ast`, never `eval`.

The grammar is a whitelist: numbers, column names, + - * / **, unary + and -, parentheses,
and the one-argument functions log, log1p, exp, sqrt and abs. Anything else (attributes,
indexing, calls of other names, strings, comparisons, lambdas, comprehensions) is rejected
before any data is touched, so a config file cannot run code.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from mlcc_cli.errors import DataError

FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "log": np.log,
    "log1p": np.log1p,
    "exp": np.exp,
    "sqrt": np.sqrt,
    "abs": np.abs,
}
BINARY: dict[type[ast.operator], Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.divide,
    ast.Pow: np.power,
}
UNARY: dict[type[ast.unaryop], Callable[[np.ndarray], np.ndarray]] = {
    ast.UAdd: np.positive,
    ast.USub: np.negative,
}
ALLOWED = "column names, numbers, + - * / **, parentheses and log, log1p, exp, sqrt, abs(x)"

# Friendly names for the constructs people most often try; others fall back to the node type.
_NAMES: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access (`.`)",
    ast.Subscript: "indexing (`[...]`)",
    ast.Lambda: "a lambda",
    ast.IfExp: "a conditional (`if ... else`)",
    ast.Compare: "a comparison",
    ast.BoolOp: "`and` / `or`",
    ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.NamedExpr: "an assignment (`:=`)",
    ast.JoinedStr: "an f-string",
    ast.Starred: "unpacking (`*`)",
    ast.Await: "`await`",
}
_OPERATORS: dict[type[ast.AST], str] = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.Invert: "~",
    ast.Not: "not",
}


def _forbidden(node: ast.AST) -> str:
    """Describe a construct outside the whitelist in words a config author recognises."""
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
        if name in FUNCTIONS:
            return f"{name}() with other than exactly one plain argument"
        return f"a call of {name}()"
    if isinstance(node, ast.Constant):
        return f"the constant {node.value!r} (only int and float numbers are allowed)"
    if isinstance(node, ast.BinOp | ast.UnaryOp):
        symbol = _OPERATORS.get(type(node.op), type(node.op).__name__)
        return f"the operator `{symbol}` (in `{ast.unparse(node)}`)"
    return _NAMES.get(type(node), f"a {type(node).__name__} node")


def _check(node: ast.AST) -> ast.AST | None:
    """Return the first node outside the whitelist, or None when the tree is safe."""
    if isinstance(node, ast.Constant):
        ok = type(node.value) in (int, float)
        return None if ok and _finite_literal(node.value) else node
    if isinstance(node, ast.Name):
        return None
    if isinstance(node, ast.BinOp):
        if type(node.op) not in BINARY:
            return node
        return _check(node.left) or _check(node.right)
    if isinstance(node, ast.UnaryOp):
        return _check(node.operand) if type(node.op) in UNARY else node
    if isinstance(node, ast.Call):
        plain = isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS
        one_arg = len(node.args) == 1 and not node.keywords
        if not (plain and one_arg) or isinstance(node.args[0], ast.Starred):
            return node
        return _check(node.args[0])
    return node


def _finite_literal(value: int | float) -> bool:
    # A 400-digit integer literal cannot become a float; reject it here rather than later.
    try:
        float(value)
    except OverflowError:
        return False
    return True


def parse_expression(text: str, key: str) -> ast.Expression:
    """Parse `text` and check it against the whitelist; DataError naming `key` otherwise."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        at = f" at character {error.offset}" if error.offset else ""
        raise DataError(
            f"{key}: {text!r} is not a valid expression ({error.msg}{at}). "
            f"Expressions may use {ALLOWED}."
        ) from None
    except (ValueError, RecursionError, MemoryError) as error:
        raise DataError(f"{key}: {text!r} cannot be parsed ({error}).") from None
    bad = _check(tree.body)
    if bad is not None:
        raise DataError(
            f"{key}: {text!r} uses {_forbidden(bad)}, which is not allowed. "
            f"Expressions may use only {ALLOWED}."
        )
    return tree


def column_names(tree: ast.Expression) -> list[str]:
    """Columns an expression reads, in order of first appearance (function names excluded)."""
    names: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Name) and node.id not in names:
            names.append(node.id)
        elif isinstance(node, ast.Call):
            visit(node.args[0])  # the function's own Name is not a column
        else:
            for child in ast.iter_child_nodes(node):
                visit(child)

    visit(tree.body)
    return names


@dataclass(frozen=True)
class Evaluation:
    """The values of an expression plus the first operation that produced inf or NaN.

    `cause` describes the operation that first turned finite operands into a non-finite
    result (e.g. "division by zero in `a / b`"), or is None when no operation did.
    """

    values: np.ndarray
    cause: str | None


def evaluate(tree: ast.Expression, columns: Mapping[str, np.ndarray], n_rows: int) -> Evaluation:
    """Evaluate a checked expression on float64 columns; shape (n_rows,)."""
    causes: list[str] = []

    def run(node: ast.AST) -> np.ndarray:
        if isinstance(node, ast.Constant):
            return np.float64(node.value)  # floats, so 9**9**9 overflows to inf instead of hanging
        if isinstance(node, ast.Name):
            return columns[node.id]
        if isinstance(node, ast.BinOp):
            left, right = run(node.left), run(node.right)
            result = BINARY[type(node.op)](left, right)
            _note(causes, node, result, left, right)
            return result
        if isinstance(node, ast.UnaryOp):
            return UNARY[type(node.op)](run(node.operand))
        if isinstance(node, ast.Call):
            argument = run(node.args[0])
            result = FUNCTIONS[node.func.id](argument)
            _note(causes, node, result, argument)
            return result
        raise AssertionError(f"unchecked node {ast.dump(node)}")  # parse_expression forbids it

    with np.errstate(all="ignore"):  # non-finite results are counted and explained instead
        result = run(tree.body)
    values = np.array(np.broadcast_to(result, (n_rows,)), dtype=np.float64)
    return Evaluation(values=values, cause=causes[0] if causes else None)


def _note(causes: list[str], node: ast.AST, result: np.ndarray, *operands: np.ndarray) -> None:
    """Record why `node` produced inf/NaN from finite operands (first occurrence only)."""
    if causes:
        return
    fresh = ~np.isfinite(result)
    for operand in operands:
        fresh = fresh & np.isfinite(operand)
    if not np.any(fresh):
        return
    text = f"`{ast.unparse(node)}`"
    if isinstance(node, ast.Call):
        name = node.func.id
        domain = {"log": "a value <= 0", "log1p": "a value <= -1", "sqrt": "a negative value"}
        causes.append(
            f"{name} of {domain[name]} in {text}" if name in domain else f"overflow in {text}"
        )
        return
    # Only the rows that just went bad say which of a division's or power's failures it was.
    left = np.broadcast_to(operands[0], fresh.shape)[fresh]
    right = np.broadcast_to(operands[1], fresh.shape)[fresh]
    went_nan = np.isnan(np.broadcast_to(result, fresh.shape)[fresh])
    if isinstance(node.op, ast.Div) and np.any(right == 0):
        causes.append(f"division by zero in {text}")
    elif isinstance(node.op, ast.Pow) and np.any((left == 0) & (right < 0)):
        causes.append(f"zero raised to a negative power in {text}")
    elif isinstance(node.op, ast.Pow) and np.any(went_nan):
        causes.append(f"a negative number raised to a fractional power in {text}")
    else:
        causes.append(f"overflow (a result too large for a float) in {text}")
