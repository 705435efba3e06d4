"""Static types of expressions: the tensor type (or number) each node produces.

`infer_type` lets the config server refuse, at prepare time, expressions whose tensor
types cannot work (``query(q) * attribute(v)`` with ``x[3]`` against ``x[4]``, reducing
over a dimension the tensor lacks, slicing a number) and tells services the type of
each rank feature an expression yields. A number is ``TensorType()`` (no dimensions).
Rules follow Vespa: joins take the union of dimensions (equal sizes, same kind), cell
types widen to float or double, reductions drop dimensions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from vespid.expression.ast import (
    Binary,
    Call,
    Feature,
    If,
    In,
    Lambda,
    LambdaCall,
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
from vespid.expression.errors import ExpressionCompileError, ExpressionEvaluationError
from vespid.expression.inline import (
    FeatureRef,
    FunctionDef,
    feature_ref,
    inline_functions,
    map_children,
)
from vespid.expression.printer import to_text
from vespid.expression.tensor_build import slice_dimension
from vespid.expression.tensor_ops import compute_cell_type, join_cell_type
from vespid.expression.tensor_type import Dimension, TensorType

NUMBER = TensorType()
"""The type of a plain number."""

FeatureTypes = Callable[[FeatureRef], TensorType | None]
"""The type of each rank feature; None means a number."""

_EMPTY: Mapping[str, FunctionDef] = {}


class ExpressionTypeError(ExpressionCompileError):
    """Tensor types that do not fit together; the message quotes the sub-expression."""


def infer_type(
    node: Node, feature_types: FeatureTypes, functions: Mapping[str, FunctionDef] = _EMPTY
) -> TensorType:
    """The type ``node`` evaluates to, with ``functions`` inlined; raise on a mismatch."""
    return _Inference(feature_types).type_of(inline_functions(node, functions), {})


class _Inference:
    def __init__(self, feature_types: FeatureTypes) -> None:
        self.feature_types = feature_types

    def type_of(self, node: Node, bound: Mapping[str, TensorType]) -> TensorType:
        match node:
            case Num() | Str():
                return NUMBER
            case In(operand, _):
                return _computed(self.type_of(operand, bound))
            case Feature(name, args, output):
                if name in bound and not args and output is None:
                    return bound[name]
                return self.feature_types(feature_ref(node)) or NUMBER
            case Neg(operand) | Not(operand):
                return _computed(self.type_of(operand, bound))
            case Binary(_, left, right):
                return _join(self.type_of(left, bound), self.type_of(right, bound), node)
            case Call():
                return self._call(node, bound)
            case If(_, then, otherwise):
                return _branches(self.type_of(then, bound), self.type_of(otherwise, bound), node)
            case Reduce(operand, _, dimensions):
                return _reduce(self.type_of(operand, bound), dimensions, node)
            case LambdaCall():
                return self._lambda_call(node, bound)
            case TensorCall():
                return self._tensor_call(node, bound)
            case Rename(operand, from_, to):
                return _rename(self.type_of(operand, bound), from_, to, node)
            case TensorLiteral(tensor_type, _):
                return tensor_type
            case TensorGenerate(tensor_type, body):
                self.type_of(body, {**bound, **dict.fromkeys(tensor_type.dimension_names, NUMBER)})
                return tensor_type
            case Slice(operand, address):
                return _slice(self.type_of(operand, bound), address, node)
        raise ExpressionTypeError(f"cannot type '{to_text(node)}'")

    def _call(self, node: Call, bound: Mapping[str, TensorType]) -> TensorType:
        types = [self.type_of(a, bound) for a in node.args]
        if len(types) == 1:
            return _computed(types[0])
        second = node.args[1]
        if (
            node.name in ("max", "min")
            and isinstance(second, Feature)
            and not second.args
            and second.output is None
            and types[0].dimension(second.name) is not None
        ):
            return _reduce(types[0], (second.name,), node)
        return _join(types[0], types[1], node)

    def _lambda_call(self, node: LambdaCall, bound: Mapping[str, TensorType]) -> TensorType:
        types = [self.type_of(a, bound) for a in node.args]
        params = node.function.params
        if node.name != "map_subspaces":
            self.type_of(node.function.body, {**bound, **dict.fromkeys(params, NUMBER)})
        if node.name in ("join", "merge"):
            return _join(types[0], types[1], node)
        if node.name == "filter_subspaces":
            return types[0]
        if node.name == "map":
            return _computed(types[0])
        dense = TensorType(types[0].cell_type, types[0].indexed)
        body = self.type_of(node.function.body, {**bound, **dict.fromkeys(params, dense)})
        mapped = tuple(d for d in types[0].dimensions if d.mapped)
        return (
            TensorType(body.cell_type, (*mapped, *body.dimensions))
            if mapped or body.dimensions
            else NUMBER
        )

    def _tensor_call(self, node: TensorCall, bound: Mapping[str, TensorType]) -> TensorType:
        types = [self.type_of(a, bound) for a in node.args]
        name, names = node.name, node.names
        if name in ("l2_normalize", "l1_normalize", "softmax", "argmax", "argmin"):
            for dim in names:
                _require(types[0], dim, node)
            return _computed(types[0])
        if name == "matmul":
            return _reduce(_join(types[0], types[1], node), names, node)
        if name == "xw_plus_b":
            return _join(_reduce(_join(types[0], types[1], node), names, node), types[2], node)
        if name == "cell_cast":
            return TensorType(names[0], types[0].dimensions)
        if name in ("cell_order", "top"):
            return _computed(types[-1])
        if name == "expand":
            return _expand(types[0], names[0], node)
        if name == "concat":
            return _concat(types[0], types[1], names[0], node)
        return _unpack_bits(types[0], names, node)


def _computed(t: TensorType) -> TensorType:
    return TensorType(compute_cell_type(t.cell_type), t.dimensions) if t.dimensions else NUMBER


def _join(a: TensorType, b: TensorType, node: Node) -> TensorType:
    dims = {d.name: d for d in a.dimensions}
    for d in b.dimensions:
        other = dims.get(d.name)
        if other is not None and other.mapped != d.mapped:
            dims[d.name] = Dimension(d.name)  # generalized to mapped, as Vespa's Java does
            continue
        if other is not None and other != d:
            raise ExpressionTypeError(
                f"cannot combine {a} with {b} in '{to_text(node)}': dimension {d.name} is "
                f"{other} in one and {d} in the other"
            )
        dims[d.name] = d
    if not dims:
        return NUMBER
    if a.dimensions and b.dimensions:
        cell_type = join_cell_type(a.cell_type, b.cell_type)
    else:
        cell_type = compute_cell_type((a if a.dimensions else b).cell_type)
    return TensorType(cell_type, tuple(dims.values()))


def _branches(a: TensorType, b: TensorType, node: Node) -> TensorType:
    if a.dimensions and b.dimensions and a.dimensions != b.dimensions:
        raise ExpressionTypeError(
            f"expected both branches of '{to_text(node)}' to have one type, got {a} and {b}"
        )
    if not a.dimensions:
        return b if b.dimensions else NUMBER
    return TensorType(join_cell_type(a.cell_type, b.cell_type), a.dimensions) if b.dimensions else a


def _require(t: TensorType, name: str, node: Node) -> Dimension:
    dimension = t.dimension(name)
    if dimension is None:
        what = str(t) if t.dimensions else "a number"
        raise ExpressionTypeError(f"{what} has no dimension '{name}' (in '{to_text(node)}')")
    return dimension


def _reduce(t: TensorType, dimensions: tuple[str, ...], node: Node) -> TensorType:
    for name in dimensions:
        _require(t, name, node)
    kept = tuple(d for d in t.dimensions if dimensions and d.name not in dimensions)
    return TensorType(t.cell_type, kept) if kept else NUMBER


def _rename(t: TensorType, from_: tuple[str, ...], to: tuple[str, ...], node: Node) -> TensorType:
    mapping = dict(zip(from_, to, strict=True))
    for name in from_:
        _require(t, name, node)
    renamed = tuple(Dimension(mapping.get(d.name, d.name), d.size) for d in t.dimensions)
    if len({d.name for d in renamed}) != len(renamed):
        raise ExpressionTypeError(f"renaming {t} gives a dimension name twice in '{to_text(node)}'")
    return TensorType(t.cell_type, renamed)


def _slice(t: TensorType, address: tuple[tuple[str | None, Node], ...], node: Node) -> TensorType:
    if not t.dimensions:
        raise ExpressionTypeError(f"cannot take cells of a number in '{to_text(node)}'")
    try:
        names = [
            slice_dimension(t, dim, value.value if isinstance(value, Str) else None)
            for dim, value in address
        ]
    except ExpressionEvaluationError as e:
        raise ExpressionTypeError(f"{e.message} (in '{to_text(node)}')") from e
    kept = tuple(d for d in t.dimensions if d.name not in names)
    return TensorType(t.cell_type, kept) if kept else NUMBER


def _expand(t: TensorType, name: str, node: Node) -> TensorType:
    if t.dimension(name) is not None:
        raise ExpressionTypeError(f"{t} already has dimension '{name}' (in '{to_text(node)}')")
    return TensorType(
        t.cell_type if t.dimensions else "double", (*t.dimensions, Dimension(name, 1))
    )


def _concat(a: TensorType, b: TensorType, name: str, node: Node) -> TensorType:
    size_a = a.dimension(name).size if a.dimension(name) is not None else 1  # type: ignore[union-attr]
    size_b = b.dimension(name).size if b.dimension(name) is not None else 1  # type: ignore[union-attr]
    if size_a is None or size_b is None:
        raise ExpressionTypeError(
            f"cannot concat along mapped dimension '{name}' in '{to_text(node)}'"
        )
    rest_a = TensorType(a.cell_type, tuple(d for d in a.dimensions if d.name != name))
    rest_b = TensorType(b.cell_type, tuple(d for d in b.dimensions if d.name != name))
    joined = _join(rest_a, rest_b, node)
    cell_type = joined.cell_type if joined.dimensions else join_cell_type(a.cell_type, b.cell_type)
    return TensorType(cell_type, (*joined.dimensions, Dimension(name, size_a + size_b)))


def _unpack_bits(t: TensorType, names: tuple[str, ...], node: Node) -> TensorType:
    if not t.indexed:
        raise ExpressionTypeError(
            f"unpack_bits needs an indexed dimension, got {t} in '{to_text(node)}'"
        )
    last = t.indexed[-1]
    cell_type = names[0] if names and names[0] not in ("big", "little") else "float"
    dims = tuple(d for d in t.dimensions if d.name != last.name)
    return TensorType(cell_type, (*dims, Dimension(last.name, (last.size or 0) * 8)))


def resolve_reductions(node: Node, feature_types: FeatureTypes) -> Node:
    """``node`` with each ``max(t, x)``/``min(t, x)`` whose ``t`` has a dimension ``x``
    written as ``reduce(t, max, x)``, so ``x`` is no longer taken for a rank feature."""
    inference = _Inference(feature_types)

    def rewrite(n: Node, bound: Mapping[str, TensorType]) -> Node:
        inner = {**bound, **_bound_by(n)}
        n = map_children(n, lambda child: rewrite(child, inner))
        dimension = _dimension_argument(n, bound)
        if not isinstance(n, Call) or dimension is None:
            return n
        if inference.type_of(n.args[0], bound).dimension(dimension) is None:
            return n
        return Reduce(n.args[0], n.name, (dimension,))

    return rewrite(node, {})


def _dimension_argument(node: Node, bound: Mapping[str, TensorType]) -> str | None:
    """For ``max(a, x)``/``min(a, x)`` with a free bare name ``x``: ``x``."""
    if not (isinstance(node, Call) and node.name in ("max", "min") and len(node.args) == 2):
        return None
    second = node.args[1]
    bare = isinstance(second, Feature) and not second.args and second.output is None
    if isinstance(second, Feature) and bare and second.name not in bound:
        return second.name
    return None


def _bound_by(node: Node) -> dict[str, TensorType]:
    if isinstance(node, Lambda):
        return dict.fromkeys(node.params, NUMBER)
    if isinstance(node, TensorGenerate):
        return dict.fromkeys(node.type.dimension_names, NUMBER)
    return {}
