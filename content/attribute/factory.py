"""Choosing the attribute implementation for a field's type."""

from __future__ import annotations

from content.attribute.array import ArrayAttribute
from content.attribute.base import FLOAT_TYPES, INTEGER_TYPES, element_type
from content.attribute.mixed_tensor import MixedTensorAttribute
from content.attribute.multi import MultiValueAttribute
from content.attribute.single import NumericAttribute, StringAttribute
from content.attribute.tensor import DenseTensorAttribute, MappedTensorAttribute
from vespid.config import FieldConfig
from vespid.document.tensor_type import parse_tensor_type

AnyAttribute = (
    NumericAttribute
    | StringAttribute
    | MultiValueAttribute
    | DenseTensorAttribute
    | MappedTensorAttribute
    | MixedTensorAttribute
    | ArrayAttribute
)

_SCALARS = {"string", *INTEGER_TYPES, *FLOAT_TYPES}


def create_attribute(field: FieldConfig) -> AnyAttribute | None:
    """Return an empty attribute for ``field``, or None for types kept elsewhere.

    Arrays and struct-field attributes (``persons.name``) are `ArrayAttribute`s, which
    know each value's element (see `content.attribute.array`). Positions,
    whole maps and structs, and references have no attribute here (their matching
    is not supported yet); the caller treats them as unsearchable.
    """
    if field.type.startswith("tensor"):
        tensor_type = parse_tensor_type(field.type)
        if tensor_type.is_dense:
            return DenseTensorAttribute(field.name, tensor_type)
        if len(tensor_type.mapped) == 1:
            return MixedTensorAttribute(field.name, tensor_type)
        return MappedTensorAttribute(field.name, tensor_type)
    collection, element = element_type(field.type)
    if element not in _SCALARS:
        return None
    if field.struct_field or collection == "array":
        return ArrayAttribute(field.name, field.struct_field, element)
    if collection != "single":
        return MultiValueAttribute(field.name, collection, element)
    if element == "string":
        return StringAttribute(field.name, fast_search=field.fast_search)
    return NumericAttribute(field.name, element, fast_search=field.fast_search)
