"""Attributes: per-document values in memory by lid, for filters, sorting and ranking.

Given a field, its values for any set of lids as numpy arrays, and the lids whose
values pass a vectorised test (see `content.attribute.base`). :func:`create_attribute`
picks the implementation for a field's type.
"""

from __future__ import annotations

from content.attribute.array import (
    ArrayAttribute,
    ElementKeys,
    element_keys,
    lids_of_keys,
)
from content.attribute.base import LidArray, ValueTest, element_type
from content.attribute.distance import METRICS, closeness, closest_distances, distances
from content.attribute.factory import AnyAttribute, create_attribute
from content.attribute.mixed_tensor import MixedTensorAttribute
from content.attribute.multi import MultiValueAttribute
from content.attribute.predicates import token_test
from content.attribute.single import NumericAttribute, StringAttribute, StringDictionary
from content.attribute.tensor import DenseTensorAttribute, MappedTensorAttribute

__all__ = [
    "METRICS",
    "AnyAttribute",
    "ArrayAttribute",
    "DenseTensorAttribute",
    "ElementKeys",
    "LidArray",
    "MappedTensorAttribute",
    "MixedTensorAttribute",
    "MultiValueAttribute",
    "NumericAttribute",
    "StringAttribute",
    "StringDictionary",
    "ValueTest",
    "closeness",
    "closest_distances",
    "create_attribute",
    "distances",
    "element_keys",
    "element_type",
    "lids_of_keys",
    "token_test",
]
