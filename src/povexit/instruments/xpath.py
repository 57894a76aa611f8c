"""Compile the XPath subset our XLSForms use (``relevant``, ``constraint``, ``calculation``) to Polars.

Ingest re-applies the form's own logic to every submission, vectorised: a required field whose
``relevant`` holds must have a value; a value must satisfy its ``constraint``; a ``calculate`` is
recomputed. Supported: ``${field}``, ``.``, numbers, strings, ``and or not() = != < <= > >= + - *
div mod``, ``selected() count-selected() string-length() regex() if() coalesce() concat() round()
number() string() true() false()``. Anything else (``instance(…)``, ``position(..)``, ``today()``)
raises :class:`Unsupported` and the caller skips that expression (attachment look-ups cannot be
re-evaluated off the tablet).

Semantics follow XPath 1.0 as ODK applies it: an empty numeric field is NaN, so every comparison with
it is false; relational operators compare numbers; ``=`` compares strings unless a side is a number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

NUMERIC_KINDS = frozenset({"int", "dec"})


class Unsupported(ValueError):
    """The expression uses something ingest cannot evaluate (e.g. an attachment look-up)."""


# ---- parsing -------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<ref>\$\{[A-Za-z_][A-Za-z0-9_.-]*\})
      | (?P<num>\d+(?:\.\d*)?|\.\d+)
      | (?P<str>'[^']*'|"[^"]*")
      | (?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,|\[|\]|/|\.\.|\.)
      | (?P<name>[A-Za-z_][A-Za-z0-9_-]*(?::[A-Za-z_][A-Za-z0-9_-]*)?)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Str:
    value: str


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class Self:
    pass


@dataclass(frozen=True)
class Func:
    name: str
    args: tuple[object, ...]


@dataclass(frozen=True)
class Bin:
    op: str
    left: object
    right: object


@dataclass(frozen=True)
class Neg:
    operand: object


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise Unsupported(f"cannot parse {text[pos:pos + 20]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


class _Parser:
    def __init__(self, text: str):
        self.toks = _tokens(text)
        self.i = 0
        self.text = text

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise Unsupported(f"unexpected end of {self.text!r}")
        self.i += 1
        return tok

    def accept(self, *values: str) -> str | None:
        tok = self.peek()
        if tok is not None and tok[1] in values and tok[0] in ("op", "name"):
            self.i += 1
            return tok[1]
        return None

    def expect(self, value: str) -> None:
        if self.accept(value) is None:
            raise Unsupported(f"expected {value!r} in {self.text!r}")

    def parse(self) -> object:
        node = self.or_()
        if self.peek() is not None:
            raise Unsupported(f"unexpected {self.peek()[1]!r} in {self.text!r}")
        return node

    def or_(self) -> object:
        node = self.and_()
        while self.accept("or"):
            node = Bin("or", node, self.and_())
        return node

    def and_(self) -> object:
        node = self.eq()
        while self.accept("and"):
            node = Bin("and", node, self.eq())
        return node

    def eq(self) -> object:
        node = self.rel()
        while (op := self.accept("=", "!=")) is not None:
            node = Bin(op, node, self.rel())
        return node

    def rel(self) -> object:
        node = self.add()
        while (op := self.accept("<", "<=", ">", ">=")) is not None:
            node = Bin(op, node, self.add())
        return node

    def add(self) -> object:
        node = self.mul()
        while (op := self.accept("+", "-")) is not None:
            node = Bin(op, node, self.mul())
        return node

    def mul(self) -> object:
        node = self.unary()
        while (op := self.accept("*", "div", "mod")) is not None:
            node = Bin(op, node, self.unary())
        return node

    def unary(self) -> object:
        if self.accept("-"):
            return Neg(self.unary())
        return self.primary()

    def primary(self) -> object:
        kind, val = self.take()
        if kind == "num":
            return Num(float(val))
        if kind == "str":
            return Str(val[1:-1])
        if kind == "ref":
            return Ref(val[2:-1])
        if kind == "op" and val == "(":
            node = self.or_()
            self.expect(")")
            return node
        if kind == "op" and val == ".":
            return Self()
        if kind == "name":
            if self.accept("("):
                args: list[object] = []
                if not self.accept(")"):
                    while True:
                        args.append(self.or_())
                        if self.accept(")"):
                            break
                        self.expect(",")
                node = Func(val, tuple(args))
                if self.peek() is not None and self.peek()[1] in ("/", "["):
                    raise Unsupported(f"path expressions are not supported: {self.text!r}")
                return node
            raise Unsupported(f"path expressions are not supported: {self.text!r}")
        raise Unsupported(f"unexpected {val!r} in {self.text!r}")


@lru_cache(maxsize=4096)
def parse(text: str) -> object:
    return _Parser(text).parse()


def references(text: str) -> set[str]:
    """``${…}`` names an expression reads (works even when the expression is unsupported)."""
    return set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}", text or ""))


# ---- compiling -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Typed:
    kind: str  # "num" | "str" | "bool"
    expr: pl.Expr

    def num(self) -> pl.Expr:
        if self.kind == "num":
            return self.expr
        if self.kind == "bool":
            return self.expr.cast(pl.Float64)
        return self.expr.str.strip_chars().cast(pl.Float64, strict=False)

    def str(self) -> pl.Expr:
        if self.kind == "str":
            return self.expr
        if self.kind == "bool":
            return pl.when(self.expr).then(pl.lit("true")).otherwise(pl.lit("false"))
        e = self.expr
        as_int = e.cast(pl.Int64, strict=False).cast(pl.String)
        return pl.when(e.is_null() | e.is_nan()).then(pl.lit("")).when(e == e.floor()).then(as_int) \
            .otherwise(e.cast(pl.String))

    def bool(self) -> pl.Expr:
        if self.kind == "bool":
            return self.expr
        if self.kind == "num":
            return ((self.expr != 0) & ~self.expr.is_nan()).fill_null(False)
        return self.expr.str.len_chars() > 0


class _Compiler:
    def __init__(self, kinds: Mapping[str, str], self_name: str | None):
        self.kinds = kinds
        self.self_name = self_name

    def ref(self, name: str) -> Typed:
        kind = self.kinds.get(name)
        if kind is None:
            raise Unsupported(f"unknown field ${{{name}}}")
        col = pl.col(name)
        if kind in NUMERIC_KINDS:
            return Typed("num", col.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False))
        return Typed("str", col.cast(pl.String).fill_null(""))

    def c(self, node: object) -> Typed:
        if isinstance(node, Num):
            return Typed("num", pl.lit(node.value, dtype=pl.Float64))
        if isinstance(node, Str):
            return Typed("str", pl.lit(node.value, dtype=pl.String))
        if isinstance(node, Ref):
            return self.ref(node.name)
        if isinstance(node, Self):
            if self.self_name is None:
                raise Unsupported("'.' outside a field")
            return self.ref(self.self_name)
        if isinstance(node, Neg):
            return Typed("num", -self.c(node.operand).num())
        if isinstance(node, Bin):
            return self.binary(node)
        if isinstance(node, Func):
            return self.func(node)
        raise Unsupported(repr(node))

    def binary(self, node: Bin) -> Typed:
        op = node.op
        left, right = self.c(node.left), self.c(node.right)
        if op == "and":
            return Typed("bool", left.bool() & right.bool())
        if op == "or":
            return Typed("bool", left.bool() | right.bool())
        if op in ("+", "-", "*", "div", "mod"):
            a, b = left.num(), right.num()
            out = {"+": a + b, "-": a - b, "*": a * b, "div": a / b, "mod": a % b}[op]
            return Typed("num", out)
        if op in ("<", "<=", ">", ">="):
            a, b = left.num(), right.num()
            out = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
            return Typed("bool", out.fill_null(False))
        # = and !=
        if "bool" in (left.kind, right.kind):
            a, b = left.bool(), right.bool()
        elif "num" in (left.kind, right.kind):
            a, b = left.num(), right.num()
            eq = (a == b).fill_null(False)
            return Typed("bool", eq if op == "=" else ~eq)
        else:
            a, b = left.str(), right.str()
        eq = (a == b).fill_null(False)
        return Typed("bool", eq if op == "=" else ~eq)

    def func(self, node: Func) -> Typed:
        name, args = node.name, node.args
        ca = [self.c(a) for a in args] if name not in ("true", "false") else []
        if name == "selected" and len(ca) == 2:
            hay = pl.lit(" ") + ca[0].str().str.replace_all(r"\s+", " ") + pl.lit(" ")
            needle = pl.lit(" ") + ca[1].str().str.strip_chars() + pl.lit(" ")
            return Typed("bool", hay.str.contains(needle, literal=True).fill_null(False))
        if name == "count-selected" and len(ca) == 1:
            s = ca[0].str().str.strip_chars()
            n = s.str.split(" ").list.len()
            return Typed("num", pl.when(s == "").then(pl.lit(0)).otherwise(n).cast(pl.Float64))
        if name == "not" and len(ca) == 1:
            return Typed("bool", ~ca[0].bool())
        if name == "string-length" and len(ca) == 1:
            return Typed("num", ca[0].str().str.len_chars().cast(pl.Float64))
        if name == "regex" and len(ca) == 2 and isinstance(args[1], Str):
            return Typed("bool", ca[0].str().str.contains(args[1].value).fill_null(False))
        if name == "if" and len(ca) == 3:
            cond = ca[0].bool()
            if ca[1].kind == "num" and ca[2].kind == "num":
                return Typed("num", pl.when(cond).then(ca[1].num()).otherwise(ca[2].num()))
            return Typed("str", pl.when(cond).then(ca[1].str()).otherwise(ca[2].str()))
        if name == "coalesce" and len(ca) == 2:
            a, b = ca[0].str(), ca[1].str()
            return Typed("str", pl.when(a != "").then(a).otherwise(b))
        if name == "concat":
            return Typed("str", pl.concat_str([a.str() for a in ca]))
        if name == "round" and len(ca) in (1, 2):
            digits = int(args[1].value) if len(args) == 2 and isinstance(args[1], Num) else 0
            x = ca[0].num()
            # XPath/ODK rounds half away from zero
            scale = 10.0 ** digits
            return Typed("num", (x * scale).abs().add(0.5).floor().mul(x.sign()).truediv(scale))
        if name == "number" and len(ca) == 1:
            return Typed("num", ca[0].num())
        if name == "string" and len(ca) == 1:
            return Typed("str", ca[0].str())
        if name == "true" and not args:
            return Typed("bool", pl.lit(True))
        if name == "false" and not args:
            return Typed("bool", pl.lit(False))
        raise Unsupported(f"function {name}() is not supported")


def compile_expr(text: str, kinds: Mapping[str, str], self_name: str | None = None) -> Typed:
    """Compile ``text``; ``kinds`` maps field names to their kind (``int``/``dec`` are numeric)."""
    return _Compiler(kinds, self_name).c(parse(text))


def compile_bool(text: str, kinds: Mapping[str, str], self_name: str | None = None) -> pl.Expr:
    return compile_expr(text, kinds, self_name).bool()
