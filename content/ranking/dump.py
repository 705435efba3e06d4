"""The rank features `ranking.listFeatures` returns: Vespa's default dump set.

With ``ranking.listFeatures=true`` Vespa computes every feature the rank setup
*dumps* and returns them in each hit's ``rankfeatures``. The default dump set comes
from the feature blueprints: ``firstPhase``, ``nativeRank`` and its parts,
``queryTermCount``, ``term(n).connectedness/significance/weight`` for the first
``term.numTerms`` (5) query terms, and ``fieldMatch(f)`` with its outputs for every
single-value index field. This module lists those Vespid computes; it leaves out
``term(n).connectedness`` and the ``fieldMatch`` outputs Vespid does not model
(proximity, orderness, segments, ...), and ``attributeMatch``, which it lacks.
"""

from __future__ import annotations

from collections.abc import Mapping

from vespid.config import SchemaConfig

TOP_LEVEL = (
    "firstPhase",
    "nativeAttributeMatch",
    "nativeFieldMatch",
    "nativeProximity",
    "nativeRank",
    "queryTermCount",
)
FIELD_MATCH_OUTPUTS = ("", ".completeness", ".fieldCompleteness", ".matches", ".queryCompleteness")
DEFAULT_TERMS = 5
"""Vespa's default for the ``term.numTerms`` rank property."""


def dump_features(schema: SchemaConfig, properties: Mapping[str, str]) -> tuple[str, ...]:
    """The names of the features to list for hits of ``schema``, sorted.

    >>> from vespid.config import FieldConfig
    >>> s = SchemaConfig("s", fields=(FieldConfig("title", "string", index=True),))
    >>> [n for n in dump_features(s, {"term.numTerms": "1"}) if "(" in n]
    ['fieldMatch(title)', 'fieldMatch(title).completeness', 'fieldMatch(title).fieldCompleteness', \
'fieldMatch(title).matches', 'fieldMatch(title).queryCompleteness', 'term(0).significance', \
'term(0).weight']
    """
    names = list(TOP_LEVEL)
    for field in schema.fields:
        if field.index and field.type == "string":
            names += [f"fieldMatch({field.name}){output}" for output in FIELD_MATCH_OUTPUTS]
    for n in range(_term_count(properties)):
        names += [f"term({n}).significance", f"term({n}).weight"]
    return tuple(sorted(names))


def _term_count(properties: Mapping[str, str]) -> int:
    try:
        return max(int(properties.get("term.numTerms", DEFAULT_TERMS)), 0)
    except ValueError:
        return DEFAULT_TERMS
