"""Print an expression tree as parseable text: ``parse_expression(to_text(n)) == n``.

Parentheses are added only where Vespa's precedence needs them; numbers print as
integers when they are whole, else with Python's shortest round-tripping repr.
"""

from __future__ import annotations

import math
import re

from vespid.expression.ast import (
    BINARY_PRECEDENCE,
    RIGHT_ASSOCIATIVE,
    Binary,
    Call,
    Feature,
    If,
    In,
    Lambda,
    LambdaCall,
    NamedArg,
    Neg,
    Node,
    Not,
    Num,
    Reduce,
    Rename,
    Slice,
    Str,
    TensorCall,
    TensorGenerate,
    TensorLiteral,
)

_PLAIN_LABEL = re.compile(r"-?[0-9]+|[A-Za-z_@][A-Za-z0-9_@$]*")
_ATOM = 10
_IN = -1


def to_text(node: Node) -> str:
    """Return parseable text for ``node``."""
    match node:
        case Num(value):
            return number_text(value)
        case Str(value):
            return string_text(value)
        case Neg(operand):
            inner = to_text(operand)
            return f"-({inner})" if _needs_group(operand) or inner[0].isdigit() else f"-{inner}"
        case Not(operand):
            return f"!({to_text(operand)})" if _needs_group(operand) else f"!{to_text(operand)}"
        case Binary(op, left, right):
            return _binary(op, left, right)
        case In(operand, items):
            return f"{_grouped(operand, _IN + 1)} in [{_join(items)}]"
        case If(condition, then, otherwise, probability):
            extra = "" if probability is None else f", {number_text(probability)}"
            return f"if({to_text(condition)}, {to_text(then)}, {to_text(otherwise)}{extra})"
        case Feature(name, args, output):
            text = name + (f"({_join(args)})" if args else "")
            return text + (f".{output}" if output is not None else "")
        case Call(name, args):
            return f"{name}({_join(args)})"
        case NamedArg(name, value):
            return f"{name}:{to_text(value)}"
        case Lambda(params, body):
            return f"f({','.join(params)})({to_text(body)})"
        case LambdaCall(name, args, function):
            return f"{name}({_join((*args, function))})"
        case Reduce(operand, aggregator, dimensions):
            return f"reduce({', '.join((to_text(operand), aggregator, *dimensions))})"
        case TensorCall(name, args, names):
            return f"{name}({', '.join((*(to_text(a) for a in args), *names))})"
        case Rename(operand, from_, to):
            return f"rename({to_text(operand)}, {_names(from_)}, {_names(to)})"
        case TensorGenerate(tensor_type, body):
            return f"{tensor_type}({to_text(body)})"
        case TensorLiteral():
            return _literal(node)
        case Slice(operand, address):
            grouped = isinstance(operand, Binary | In | Neg | Not)
            base = f"({to_text(operand)})" if grouped else to_text(operand)
            return base + _address(address)
    raise TypeError(f"expected an expression node, got {type(node).__name__}")


def number_text(value: float) -> str:
    """A number as the parser reads it back to the same float."""
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"expected a finite number to print, got {value}")
    value = float(value)
    if value.is_integer() and abs(value) < 2.0**53:
        return str(int(value))
    return repr(value)


def string_text(value: str) -> str:
    """A string literal with ``"`` and ``\\`` escaped."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def label_text(label: str) -> str:
    """A tensor label, quoted unless it is a plain name or integer."""
    return label if _PLAIN_LABEL.fullmatch(label) else string_text(label)


def _precedence(node: Node) -> int:
    if isinstance(node, Binary):
        return BINARY_PRECEDENCE[node.op]
    if isinstance(node, In):
        return _IN
    return _ATOM


def _needs_group(node: Node) -> bool:
    return isinstance(node, Binary | In)


def _grouped(node: Node, minimum: int) -> str:
    text = to_text(node)
    return f"({text})" if _precedence(node) < minimum else text


def _binary(op: str, left: Node, right: Node) -> str:
    precedence = BINARY_PRECEDENCE[op]
    right_assoc = op in RIGHT_ASSOCIATIVE
    left_text = _grouped(left, precedence + 1 if right_assoc else precedence)
    right_text = _grouped(right, precedence if right_assoc else precedence + 1)
    return f"{left_text} {op} {right_text}"


def _join(items: tuple[Node, ...]) -> str:
    return ", ".join(to_text(i) for i in items)


def _names(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"({', '.join(names)})"


def _address(address: tuple[tuple[str | None, Node], ...]) -> str:
    if len(address) == 1 and address[0][0] is None:
        value = address[0][1]
        return f"{{{label_text(value.value)}}}" if isinstance(value, Str) else f"[{to_text(value)}]"
    entries = ", ".join(f"{dim}:{_address_value(value)}" for dim, value in address)
    return f"{{{entries}}}"


def _address_value(value: Node) -> str:
    return label_text(value.value) if isinstance(value, Str) else f"({to_text(value)})"


def _literal(node: TensorLiteral) -> str:
    tensor_type = node.type
    if _is_full_dense(node):
        return f"{tensor_type}:[{', '.join(to_text(v) for _, v in node.cells)}]"
    names = tensor_type.dimension_names
    cells = ", ".join(
        "{" + ",".join(f"{n}:{label_text(x)}" for n, x in zip(names, labels, strict=True))
        + "}:" + to_text(value)
        for labels, value in node.cells
    )  # fmt: skip
    return f"{tensor_type}:{{{cells}}}"


def _is_full_dense(node: TensorLiteral) -> bool:
    tensor_type = node.type
    if tensor_type.mapped_names or not tensor_type.dimensions:
        return False
    import itertools

    expected = [
        tuple(str(i) for i in index)
        for index in itertools.product(*(range(s) for s in tensor_type.dense_shape))
    ]
    return [labels for labels, _ in node.cells] == expected
