"""Rule formulas: simpleeval expressions, checked and compiled once when a rule set loads.

simpleeval parses the expression; we then accept only a small whitelist of nodes (numbers, the
documented names, arithmetic, comparisons, ``and/or/not``, ``a if c else b`` and a fixed set of
numeric functions) and compile the tree into nested closures. The result never calls Python ``eval``,
cannot reach attributes, imports, strings or builtins, and evaluates in about a microsecond, which
matters when a province's forms are scored in one run. Formulas see plain Decimals only.
"""

from __future__ import annotations

import ast
import difflib
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from simpleeval import SimpleEval

from perfscore.decimals import RANGE_TEXT, in_range  # a constant's limits are a form figure's: one definition

MAX_FORMULA_LENGTH = 500
MAX_DEPTH = 30
MAX_EXPONENT = 10

# What a formula gives: points or an amount (`NUMBER`), or true/false (`CONDITION`, an adjustment's `when`).
# Python would let `actual >= target` stand for 1 or 0 points, and `weight` stand for "true": a formula
# of the wrong kind is a mistake in the rule file, found when it loads (and by `rules check`).
NUMBER, CONDITION, MIXED = "number", "condition", "mixed"


class FormulaError(ValueError):
    """A formula that does not parse, uses an unknown name or function, or a forbidden construct."""


class EvalError(ArithmeticError):
    """A formula that parsed but could not be evaluated for these inputs (e.g. division by zero)."""


def _clamp(x: Decimal, lo: Decimal, hi: Decimal) -> Decimal:
    return lo if x < lo else hi if x > hi else x


def _floor(x: Decimal) -> Decimal:
    return Decimal(x).to_integral_value(rounding="ROUND_FLOOR")


def _ceil(x: Decimal) -> Decimal:
    return Decimal(x).to_integral_value(rounding="ROUND_CEILING")


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "min": min,
    "max": max,
    "abs": abs,
    "clamp": _clamp,
    "floor": _floor,
    "ceil": _ceil,
}

FUNCTION_ARITY: dict[str, tuple[int, int]] = {
    "min": (2, 8), "max": (2, 8), "abs": (1, 1), "clamp": (3, 3), "floor": (1, 1), "ceil": (1, 1),
}

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.Mod: operator.mod, ast.FloorDiv: operator.floordiv,
}
_CMPOPS: dict[type, Callable[[Any, Any], bool]] = {
    ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.Eq: operator.eq, ast.NotEq: operator.ne,
}

_PARSER = SimpleEval()

Env = Mapping[str, Any]
Node = Callable[[Env], Any]


class Formula:
    """A compiled formula: call it with a mapping of names to Decimals."""

    __slots__ = ("_fn", "names", "source")

    def __init__(self, source: str, allowed_names: frozenset[str] | set[str], result: str = NUMBER):
        self.source = source
        if not isinstance(source, str) or not source.strip():
            raise FormulaError("empty formula")
        if len(source) > MAX_FORMULA_LENGTH:
            raise FormulaError(f"formula longer than {MAX_FORMULA_LENGTH} characters")
        try:
            tree = _PARSER.parse(source.strip())
        except SyntaxError as exc:
            raise FormulaError(f"does not parse: {exc.msg} at column {exc.offset}") from None
        except Exception as exc:  # noqa: BLE001 - simpleeval raises its own errors for oversized input
            raise FormulaError(f"does not parse: {exc}") from None
        used: set[str] = set()
        self._fn = _compile(tree, frozenset(allowed_names), used, 0)
        self.names = frozenset(used)
        _check_result(_kind(tree), result)

    def __call__(self, env: Env) -> Any:
        try:
            value = self._fn(env)
        except (ZeroDivisionError, InvalidOperation, ArithmeticError) as exc:
            raise EvalError(f"{self.source}: {type(exc).__name__}") from None
        except KeyError as exc:
            raise EvalError(f"{self.source}: no value for {exc.args[0]}") from None
        except TypeError as exc:
            raise EvalError(f"{self.source}: {exc}") from None
        return value

    def __repr__(self) -> str:
        return f"Formula({self.source!r})"


def _check_result(kind: str, expected: str) -> None:
    if kind == expected:
        return
    if expected == NUMBER:
        raise FormulaError("gives true/false, not a number" if kind == CONDITION else
                           "gives a number on one branch and true/false on another; it must give a number")
    raise FormulaError("gives a number, not true/false: a condition compares (e.g. rate < 0.6)" if kind == NUMBER
                       else "gives a number on one branch and true/false on another; it must give true/false")


def _kind(node: ast.AST) -> str:
    """The kind of value a (compiled, so well-formed) formula tree gives; arithmetic and comparisons
    on true/false are refused."""
    if isinstance(node, ast.Expression):
        return _kind(node.body)
    if isinstance(node, ast.Expr):
        return _kind(node.value)
    if isinstance(node, ast.Name):
        return CONDITION if node.id in ("True", "False") else NUMBER
    if isinstance(node, ast.Constant):
        return NUMBER
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            return CONDITION
        return _numeric(node.operand, "arithmetic")
    if isinstance(node, ast.BinOp):
        _numeric(node.left, "arithmetic")
        return _numeric(node.right, "arithmetic")
    if isinstance(node, ast.Compare):
        for operand in (node.left, *node.comparators):
            _numeric(operand, "a comparison")
        return CONDITION
    if isinstance(node, ast.BoolOp):
        kinds = {_kind(v) for v in node.values}
        return kinds.pop() if len(kinds) == 1 else MIXED
    if isinstance(node, ast.IfExp):
        _kind(node.test)
        kinds = {_kind(node.body), _kind(node.orelse)}
        return kinds.pop() if len(kinds) == 1 else MIXED
    if isinstance(node, ast.Call):
        for arg in node.args:
            _numeric(arg, f"{getattr(node.func, 'id', 'a function')}()")
        return NUMBER
    return MIXED


def _numeric(node: ast.AST, where: str) -> str:
    if _kind(node) != NUMBER:
        raise FormulaError(f"true/false used as a number in {where}: {ast.unparse(node)[:60]}")
    return NUMBER


def _suggest(word: str, candidates: set[str] | frozenset[str]) -> str:
    match = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _compile(node: ast.AST, names: frozenset[str], used: set[str], depth: int) -> Node:
    if depth > MAX_DEPTH:
        raise FormulaError("formula nested too deeply")
    d = depth + 1
    if isinstance(node, ast.Expression | ast.Expr):
        return _compile(node.body if isinstance(node, ast.Expression) else node.value, names, used, d)
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FormulaError(f"only numbers are allowed as constants, not {value!r}")
        number = Decimal(str(value))
        if not in_range(number):
            size = "large" if number.adjusted() > 0 else "small"
            raise FormulaError(f"constant {value} is too {size} (a number must be {RANGE_TEXT})")
        return lambda env: number
    if isinstance(node, ast.Name):
        key = node.id
        if key in ("True", "False"):
            flag = key == "True"
            return lambda env: flag
        if key not in names:
            raise FormulaError(f"unknown name {key!r}{_suggest(key, names)}; allowed: {', '.join(sorted(names))}")
        used.add(key)
        return operator.itemgetter(key)  # env[key], without a Python frame
    if isinstance(node, ast.UnaryOp):
        operand = _compile(node.operand, names, used, d)
        if isinstance(node.op, ast.USub):
            return lambda env: -operand(env)
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, ast.Not):
            return lambda env: not operand(env)
        raise FormulaError(f"operator {type(node.op).__name__} is not allowed")
    if isinstance(node, ast.BinOp):
        left, right = _compile(node.left, names, used, d), _compile(node.right, names, used, d)
        if isinstance(node.op, ast.Pow):
            if not (isinstance(node.right, ast.Constant) and isinstance(node.right.value, int)
                    and not isinstance(node.right.value, bool) and abs(node.right.value) <= MAX_EXPONENT):
                raise FormulaError(f"powers are limited to a constant integer exponent of at most {MAX_EXPONENT}")
            exponent = node.right.value
            return lambda env: left(env) ** exponent
        binop = _BINOPS.get(type(node.op))
        if binop is None:
            raise FormulaError(f"operator {type(node.op).__name__} is not allowed")
        return lambda env: binop(left(env), right(env))
    if isinstance(node, ast.Compare):
        first = _compile(node.left, names, used, d)
        rest = []
        for op_node, comparator in zip(node.ops, node.comparators, strict=True):
            op = _CMPOPS.get(type(op_node))
            if op is None:
                raise FormulaError(f"comparison {type(op_node).__name__} is not allowed")
            rest.append((op, _compile(comparator, names, used, d)))
        if len(rest) == 1:  # the common `actual >= target`: no loop
            op, right = rest[0]
            return lambda env: op(first(env), right(env))

        def compare(env: Env) -> bool:
            left = first(env)
            for op, right_fn in rest:
                right = right_fn(env)
                if not op(left, right):
                    return False
                left = right
            return True

        return compare
    if isinstance(node, ast.BoolOp):
        parts = [_compile(v, names, used, d) for v in node.values]
        if isinstance(node.op, ast.And):
            def all_of(env: Env) -> Any:
                value: Any = True
                for part in parts:
                    value = part(env)
                    if not value:
                        return value
                return value
            return all_of

        def any_of(env: Env) -> Any:
            value: Any = False
            for part in parts:
                value = part(env)
                if value:
                    return value
            return value
        return any_of
    if isinstance(node, ast.IfExp):
        test, body, orelse = (_compile(n, names, used, d) for n in (node.test, node.body, node.orelse))
        return lambda env: body(env) if test(env) else orelse(env)
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise FormulaError("only the documented functions can be called")
        fname = node.func.id
        if fname not in FUNCTIONS:
            raise FormulaError(f"unknown function {fname!r}{_suggest(fname, set(FUNCTIONS))}; "
                               f"allowed: {', '.join(sorted(FUNCTIONS))}")
        if node.keywords:
            raise FormulaError(f"{fname}() takes no keyword arguments")
        lo, hi = FUNCTION_ARITY[fname]
        if not lo <= len(node.args) <= hi:
            raise FormulaError(f"{fname}() takes {lo}{'' if lo == hi else f'–{hi}'} arguments, got {len(node.args)}")
        func = FUNCTIONS[fname]
        args = [_compile(a, names, used, d) for a in node.args]
        if len(args) == 1:  # fixed arities spelled out: a generator per call costs more than the call
            (a0,) = args
            return lambda env: func(a0(env))
        if len(args) == 2:
            a0, a1 = args
            return lambda env: func(a0(env), a1(env))
        return lambda env: func(*[a(env) for a in args])
    if isinstance(node, ast.Attribute):
        raise FormulaError("attribute access is not allowed in formulas")
    raise FormulaError(f"{type(node).__name__} is not allowed in formulas")
