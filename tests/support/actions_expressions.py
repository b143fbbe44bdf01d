"""A small evaluator of GitHub Actions `${{ }}` expressions, enough for the action's own YAML.

It follows the documented semantics: loose equality (strings compared case-insensitively, other
types coerced to numbers), `&&`/`||` returning an operand, truthiness ('' and 0 and null false,
every other string true, 'false' included), and text substitution of `${{ }}` into strings.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Value = Any
_TOKEN = re.compile(
    r"\s*(?:(?P<num>-?\d+(?:\.\d+)?)|(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|<=|>=|&&|\|\||[!<>().,\[\]*])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))"
)
_SUBSTITUTION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
STATUS_FUNCTIONS = ("always", "success", "failure", "cancelled")


class ExpressionError(ValueError):
    """An expression this evaluator cannot read."""


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ExpressionError(f"cannot read {text[pos:]!r} in {text!r}")
        kind = match.lastgroup or ""
        out.append(_Token(kind, match.group(kind)))
        pos = match.end()
    return out


def to_number(value: Value) -> float:
    """GitHub's number coercion."""
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip()) if value.strip() else 0.0
        except ValueError:
            return math.nan
    return math.nan


def truthy(value: Value) -> bool:
    """GitHub's truthiness: '' / 0 / null / false are false, any other string is true."""
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return value != ""
    return True


def to_text(value: Value) -> str:
    """How a value is written into a string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2)
    return str(value)


def loose_equal(left: Value, right: Value) -> bool:
    """`==`: strings case-insensitively, mixed types as numbers."""
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    if type(left) is type(right) and not isinstance(left, (int, float, str)):
        return bool(left == right)
    return to_number(left) == to_number(right)


class _Parser:
    def __init__(
        self,
        text: str,
        contexts: Mapping[str, Value],
        functions: Mapping[str, Callable[..., Value]],
    ) -> None:
        self.tokens = _tokens(text)
        self.pos = 0
        self.contexts = contexts
        self.functions = functions
        self.text = text

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, text: str | None = None) -> _Token:
        token = self.peek()
        if token is None or (text is not None and token.text != text):
            raise ExpressionError(f"expected {text or 'more'} in {self.text!r}")
        self.pos += 1
        return token

    def parse(self) -> Value:
        value = self.or_()
        if self.peek() is not None:
            raise ExpressionError(f"unexpected {self.peek()} in {self.text!r}")
        return value

    def or_(self) -> Value:
        value = self.and_()
        while (token := self.peek()) is not None and token.text == "||":
            self.take()
            right = self.and_()
            value = value if truthy(value) else right
        return value

    def and_(self) -> Value:
        value = self.compare()
        while (token := self.peek()) is not None and token.text == "&&":
            self.take()
            right = self.compare()
            value = right if truthy(value) else value
        return value

    def compare(self) -> Value:
        value = self.unary()
        while (token := self.peek()) is not None and token.text in (
            "==",
            "!=",
            "<",
            ">",
            "<=",
            ">=",
        ):
            op = self.take().text
            right = self.unary()
            if op == "==":
                value = loose_equal(value, right)
            elif op == "!=":
                value = not loose_equal(value, right)
            else:
                a, b = to_number(value), to_number(right)
                value = {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
        return value

    def unary(self) -> Value:
        token = self.peek()
        if token is not None and token.text == "!":
            self.take()
            return not truthy(self.unary())
        return self.postfix(self.primary())

    def primary(self) -> Value:
        token = self.take()
        if token.text == "(":
            value = self.or_()
            self.take(")")
            return value
        if token.kind == "num":
            return float(token.text)
        if token.kind == "str":
            return token.text[1:-1].replace("''", "'")
        if token.kind == "name":
            name = token.text
            nxt = self.peek()
            if nxt is not None and nxt.text == "(":
                return self.call(name)
            literals = {"true": True, "false": False, "null": None}
            if name in literals:
                return literals[name]
            if name not in self.contexts:
                raise ExpressionError(f"unknown context {name!r} in {self.text!r}")
            return self.contexts[name]
        raise ExpressionError(f"unexpected {token.text!r} in {self.text!r}")

    def call(self, name: str) -> Value:
        self.take("(")
        args: list[Value] = []
        while (token := self.peek()) is not None and token.text != ")":
            args.append(self.or_())
            if (token := self.peek()) is not None and token.text == ",":
                self.take()
        self.take(")")
        function = self.functions.get(name.lower())
        if function is None:
            raise ExpressionError(f"unknown function {name!r} in {self.text!r}")
        return function(*args)

    def postfix(self, value: Value) -> Value:
        while (token := self.peek()) is not None and token.text in (".", "["):
            self.take()
            if token.text == ".":
                key: Value = self.take().text
                if key == "*":
                    value = list(value.values()) if isinstance(value, dict) else []
                    key = None
            else:
                key = self.or_()
                self.take("]")
            if key is not None:
                value = _index(value, key)
        return value


def _index(value: Value, key: Value) -> Value:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        # `needs.*.result`: the filter applies the property to every element.
        return [_index(item, key) for item in value]
    if isinstance(value, dict):
        for name, item in value.items():
            if isinstance(name, str) and name.casefold() == str(key).casefold():
                return item
        return None
    if isinstance(value, list) and isinstance(key, (int, float)):
        index = int(key)
        return value[index] if 0 <= index < len(value) else None
    return None


def _contains(haystack: Value, needle: Value) -> bool:
    if isinstance(haystack, list):
        return any(loose_equal(item, needle) for item in haystack)
    return to_text(needle).casefold() in to_text(haystack).casefold()


def _format(template: Value, *args: Value) -> str:
    text = to_text(template)
    out = re.sub(r"\{(\d+)\}", lambda m: to_text(args[int(m.group(1))]), text)
    return out.replace("{{", "{").replace("}}", "}")


BASE_FUNCTIONS: dict[str, Callable[..., Value]] = {
    "contains": _contains,
    "startswith": lambda a, b: to_text(a).casefold().startswith(to_text(b).casefold()),
    "endswith": lambda a, b: to_text(a).casefold().endswith(to_text(b).casefold()),
    "format": _format,
    "join": lambda a, sep=",": (
        to_text(sep).join(to_text(x) for x in a) if isinstance(a, list) else to_text(a)
    ),
    "tojson": lambda a: json.dumps(a, indent=2),
    "fromjson": lambda a: json.loads(to_text(a)),
}


def evaluate(
    text: str,
    contexts: Mapping[str, Value],
    status: Mapping[str, Callable[[], bool]] | None = None,
) -> Value:
    """Evaluate one expression (the text between `${{` and `}}`, or a bare `if:`)."""
    functions = dict(BASE_FUNCTIONS)
    functions.update(status or {})
    return _Parser(text, contexts, functions).parse()


def substitute(
    text: str,
    contexts: Mapping[str, Value],
    status: Mapping[str, Callable[[], bool]] | None = None,
) -> str:
    """Replace every `${{ expr }}` in `text` by its value, as text: what the runner does."""
    return _SUBSTITUTION.sub(lambda m: to_text(evaluate(m.group(1), contexts, status)), text)


def evaluate_template(
    value: Value,
    contexts: Mapping[str, Value],
    status: Mapping[str, Callable[[], bool]] | None = None,
) -> Value:
    """A YAML value with expressions: a lone `${{ x }}` keeps its type, others become text."""
    if not isinstance(value, str):
        return value
    whole = _SUBSTITUTION.fullmatch(value.strip())
    # `${{ a }}-${{ b }}` also "fully matches" lazily: only one expression keeps its type.
    if whole is not None and len(_SUBSTITUTION.findall(value)) == 1:
        return evaluate(whole.group(1), contexts, status)
    return substitute(value, contexts, status)


def uses_status_function(condition: str) -> bool:
    """Whether an `if:` calls always(), success(), failure() or cancelled() itself."""
    return any(re.search(rf"\b{name}\s*\(", condition) for name in STATUS_FUNCTIONS)


def expressions_in(text: str) -> list[str]:
    """The bodies of every `${{ }}` in `text`."""
    return [m.group(1).strip() for m in _SUBSTITUTION.finditer(text)]
