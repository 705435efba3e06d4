"""Tensor-valued rank features as `vespid.expression` tensors.

Ranking expressions read tensors from three places: tensor attributes (one tensor
per candidate, batched), query inputs and profile constants (one tensor shared by
all candidates). Dense attributes become a batch straight from their float32 matrix
(cells are row-major with dimensions sorted by name on both sides); mapped ones are
stacked from each candidate's cells. Inputs and constants may be written in
expression literal syntax (``[1, 2]``, ``{a: 1}``, ``tensor(x[2]):[1, 2]``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from content.attribute import (
    DenseTensorAttribute,
    LidArray,
    MappedTensorAttribute,
    MixedTensorAttribute,
    distances,
)
from vespid.document.tensor_json import Cells, canonical_tensor, cells_of
from vespid.document.tensor_type import (
    TensorType as DocumentTensorType,
    parse_tensor_type as parse_document_type,
)
from vespid.expression import TensorType, parse_expression, parse_tensor_type
from vespid.expression.ast import Neg, Node, Num, TensorLiteral
from vespid.expression.tensor import Tensor


def attribute_tensor(
    attribute: DenseTensorAttribute | MappedTensorAttribute | MixedTensorAttribute,
    lids: LidArray,
) -> Tensor:
    """Return the tensors of ``lids`` as one batched tensor (zeros / empty where missing)."""
    tensor_type = parse_tensor_type(str(attribute.tensor_type))
    if isinstance(attribute, MixedTensorAttribute):
        return _mixed_batch(attribute, tensor_type, lids)
    if isinstance(attribute, DenseTensorAttribute):
        matrix = attribute.vectors_for(lids)
        return Tensor.from_dense(
            tensor_type, matrix.reshape(lids.size, *tensor_type.dense_shape), batched=True
        )
    documents: list[Cells] = []
    for lid in lids.tolist():
        value = attribute.value_of(lid)
        documents.append({} if value is None else cells_of(attribute.tensor_type, value))
    return Tensor.stack(tensor_type, documents, batched=True)


def _mixed_batch(
    attribute: MixedTensorAttribute, tensor_type: TensorType, lids: LidArray
) -> Tensor:
    """One mapped dimension: subspaces are the labels the candidates use, filled by
    fancy indexing from the attribute's rows (no per-document Python)."""
    rows, owners = attribute.rows_for(lids)
    codes, subspace = np.unique(attribute.label_codes(rows), return_inverse=True)
    shape = tensor_type.dense_shape
    cells = np.zeros((lids.size, codes.size, *shape))
    present = np.zeros((lids.size, codes.size), dtype=bool)
    cells[owners, subspace] = attribute.vectors(rows).reshape(rows.size, *shape)
    present[owners, subspace] = True
    labels = [(attribute.label_name(int(code)),) for code in codes.tolist()]
    return Tensor(tensor_type, labels, cells, present, batched=True)


def closest_tensor(
    attribute: MixedTensorAttribute, metric: str, query: npt.NDArray[np.float32], lids: LidArray
) -> Tensor:
    """Return Vespa's ``closest(field)``: per candidate, ``{label: 1}`` for the mapped label
    of its vector nearest to ``query`` (empty without vectors)."""
    rows, owners = attribute.rows_for(lids)
    near = distances(metric, attribute.vectors(rows), query)
    order = np.lexsort((near, owners))
    first = order[np.r_[True, owners[order][1:] != owners[order][:-1]]] if order.size else order
    documents: list[Cells] = [{} for _ in range(lids.size)]
    for row, owner in zip(rows[first].tolist(), owners[first].tolist(), strict=True):
        documents[owner] = {(attribute.label(row),): 1.0}
    mapped_type = parse_tensor_type(f"tensor({attribute.mapped}{{}})")
    return Tensor.stack(mapped_type, documents, batched=True)


def shared_tensor(tensor_type: DocumentTensorType, cells: Cells) -> Tensor:
    """Return a tensor shared by all candidates from cells of ``tensor_type``."""
    return Tensor.from_cells(parse_tensor_type(str(tensor_type)), cells)


def tensor_json(tensor: Tensor, candidate: int) -> dict[str, Any]:
    """Return one candidate's tensor as canonical tensor JSON."""
    document_type = parse_document_type(str(tensor.type))
    return canonical_tensor(document_type, tensor.cells_of(candidate))


def literal_cells(text: str, tensor_type: DocumentTensorType) -> Cells:
    """Return the cells of a tensor literal of ``tensor_type``.

    Raises:
        vespid.expression.ExpressionError: when ``text`` does not parse.
        ValueError: when it is not a tensor literal with number cells.
    """
    source = text if text.lstrip().startswith("tensor") else f"{tensor_type}:{text}"
    node = parse_expression(source)
    if not isinstance(node, TensorLiteral):
        raise ValueError(f"'{text}' is not a tensor literal")
    return {labels: _constant(value) for labels, value in node.cells}


def _constant(node: Node) -> float:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Neg):
        return -_constant(node.operand)
    raise ValueError("tensor literal cells must be numbers")
