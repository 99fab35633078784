"""The safe expression language: whitelist, evaluation against numpy, failure explanations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlcc_cli.errors import DataError
from mlcc_cli.features import Expression
from mlcc_cli.features.expressions import column_names, evaluate, parse_expression

KEY = "features.3.expression"
A = np.array([1.0, 2.0, 4.0, 0.5])
B = np.array([3.0, -1.0, 0.25, 8.0])
COLUMNS = {"a": A, "b": B}


def run(text: str) -> np.ndarray:
    return evaluate(parse_expression(text, KEY), COLUMNS, len(A)).values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a + b", A + B),
        ("a - b * 2", A - B * 2),
        ("(a - b) * 2", (A - B) * 2),
        ("a / b", A / B),
        ("a ** 2", A**2),
        ("2 ** a", 2.0**A),
        ("-a + +b", -A + B),
        ("-a ** 2", -(A**2)),  # Python precedence: power binds tighter than unary minus
        ("a ** -1", A**-1.0),
        ("log(a)", np.log(A)),
        ("log1p(a * b + 5)", np.log1p(A * B + 5)),
        ("exp(-a)", np.exp(-A)),
        ("sqrt(a)", np.sqrt(A)),
        ("abs(b)", np.abs(B)),
        ("log(abs(b)) / sqrt(a + 1)", np.log(np.abs(B)) / np.sqrt(A + 1)),
        ("1.5e2 * a", 150.0 * A),
        ("7", np.full(4, 7.0)),
        ("  a + 1  ", A + 1),
    ],
)
def test_safe_expressions_equal_numpy(text: str, expected: np.ndarray) -> None:
    np.testing.assert_allclose(run(text), expected, rtol=0, atol=1e-12)
    assert run(text).dtype == np.float64


@pytest.mark.parametrize(
    ("text", "construct"),
    [
        ("__import__('os')", "call of __import__()"),
        ("().__class__", "attribute access"),
        ("open('x')", "call of open()"),
        ("a if b else c", "conditional"),
        ("[a for a in b]", "list comprehension"),
        ("lambda: 1", "lambda"),
        ("'str'", "constant 'str'"),
        ("a < b", "comparison"),
        ("exec('1')", "call of exec()"),
        ("x.real", "attribute access"),
        ("globals()", "call of globals()"),
        ("a[0]", "indexing"),
        ("a and b", "`and` / `or`"),
        ("a // b", "operator `//`"),
        ("a % b", "operator `%`"),
        ("~a", "operator `~`"),
        ("True + a", "constant True"),
        ("1j * a", "constant 1j"),
        ("log(a, 2)", "log() with other than exactly one"),
        ("log(x=a)", "log() with other than exactly one"),
        ("sqrt(*a)", "sqrt() with other than exactly one"),
        ("a.b(c)", "call of a.b()"),
        ("(y := 2)", "assignment"),
        ("f'{a}'", "f-string"),
        ("9" * 400, "constant"),
    ],
)
def test_unsafe_expressions_are_rejected(text: str, construct: str) -> None:
    with pytest.raises(DataError) as caught:
        parse_expression(text, KEY)
    message = str(caught.value)
    assert message.startswith(KEY)
    assert repr(text) in message
    assert construct in message


@pytest.mark.parametrize("text", ["a +", "(a", "a b", "import os", "a = 1", ""])
def test_syntax_errors_name_the_key(text: str) -> None:
    with pytest.raises(DataError, match=rf"^{KEY}: .* is not a valid expression"):
        parse_expression(text, KEY)


def test_column_names_skip_function_names_and_repeats() -> None:
    tree = parse_expression("log(rooms) / (people + rooms) - sqrt(exp(age))", KEY)
    assert column_names(tree) == ["rooms", "people", "age"]


def test_a_column_may_share_a_function_name() -> None:
    # `log` as a bare name is a column; `log(...)` is the function.
    tree = parse_expression("log(log)", KEY)
    assert column_names(tree) == ["log"]
    values = evaluate(tree, {"log": A}, 4).values
    np.testing.assert_array_equal(values, np.log(A))


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("a / (b - 3)", "division by zero in `a / (b - 3)`"),
        ("log(b)", "log of a value <= 0 in `log(b)`"),
        ("log1p(b)", "log1p of a value <= -1 in `log1p(b)`"),
        ("sqrt(b)", "sqrt of a negative value in `sqrt(b)`"),
        ("b ** 0.5", "negative number raised to a fractional power"),
        ("(b - 3) ** -1", "zero raised to a negative power"),
        ("exp(a * 1000)", "overflow in `exp(a * 1000)`"),
        ("a * 1e308 * 10", "overflow (a result too large for a float)"),
        ("a + b", None),
    ],
)
def test_evaluation_names_the_first_operation_that_broke(text: str, cause: str | None) -> None:
    result = evaluate(parse_expression(text, KEY), COLUMNS, len(A))
    if cause is None:
        assert result.cause is None
    else:
        assert result.cause is not None and cause in result.cause


def test_missing_inputs_are_not_blamed_on_the_expression() -> None:
    result = evaluate(parse_expression("a + 1", KEY), {"a": np.array([1.0, np.nan])}, 2)
    assert result.cause is None
    assert np.isnan(result.values[1])


# ------------------------------------------------------------- the Expression transform

FRAME = pd.DataFrame({"a": A, "b": B, "y": [0, 1, 0, 1]})


def test_expression_adds_a_column_equal_to_numpy() -> None:
    out = Expression("z", "log(a) * b", key="features.3").fit_transform(FRAME)
    np.testing.assert_array_equal(out["z"].to_numpy(), np.log(A) * B)
    assert list(out.columns) == ["a", "b", "y", "z"]


def test_constant_expression_fills_every_row() -> None:
    out = Expression("one", "2 - 1").fit_transform(FRAME)
    np.testing.assert_array_equal(out["one"].to_numpy(), np.ones(4))


def test_division_by_zero_counts_rows_and_names_the_step() -> None:
    frame = FRAME.assign(b=[0.0, 1.0, 0.0, 2.0])
    with pytest.raises(
        DataError, match=r"features\.3 \(expression\).* 2 of 4 rows.*division by zero"
    ):
        Expression("z", "a / b", key="features.3").fit(frame)


def test_log_of_non_positive_found_in_a_later_split() -> None:
    expression = Expression("z", "log(a)", key="features.3").fit(FRAME)
    later = FRAME.assign(a=[1.0, -2.0, 0.0, 3.0])
    with pytest.raises(DataError, match=r"2 of 4 rows.*log of a value <= 0"):
        expression.transform(later)


def test_huge_powers_overflow_quickly_instead_of_hanging() -> None:
    # Python ints would compute 9**9**9 exactly (and take forever); floats overflow to inf.
    with pytest.raises(DataError, match="overflow"):
        Expression("z", "9 ** 9 ** 9 + a", key="features.3").fit(FRAME)


def test_unknown_column_is_reported_with_a_suggestion() -> None:
    with pytest.raises(DataError, match=r"features\.3\.expression: column 'aa' not found\. Did"):
        Expression("z", "aa + b", key="features.3").fit(FRAME)


def test_expression_cannot_read_or_replace_the_label() -> None:
    with pytest.raises(DataError, match="leaks the answer"):
        Expression("z", "y * 2", key="features.3", label="y").fit(FRAME)
    with pytest.raises(DataError, match="is the label"):
        Expression("y", "a * 2", key="features.3", label="y").fit(FRAME)


def test_tampered_saved_state_is_checked_again() -> None:
    state = Expression("z", "a + b").fit(FRAME).get_state()
    state["params"]["expression"] = "__import__('os')"
    restored = Expression.from_state(state)
    with pytest.raises(DataError, match="call of __import__"):
        restored.transform(FRAME)
