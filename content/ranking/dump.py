"""The rank features `ranking.listFeatures` returns: Vespa's default dump set, then the
profile's `rank-features`.

With ``ranking.listFeatures=true`` Vespa computes every feature the rank setup
*dumps* and returns them in each hit's ``rankfeatures``. The default dump set comes
from the feature blueprints: ``firstPhase``, ``nativeRank`` and its parts,
``queryTermCount``, ``term(n).connectedness/significance/weight`` for the first
``term.numTerms`` (5) query terms, and ``fieldMatch(f)`` with its outputs for every
single-value index field. This module lists those Vespid computes; it leaves out
``term(n).connectedness`` and the ``fieldMatch`` outputs Vespid does not model
(proximity, orderness, segments, ...), and ``attributeMatch``, which it lacks. A
profile's ``rank-features`` are added; ``ignore-default-rank-features`` drops the
default set.
"""

from __future__ import annotations

from collections.abc import Mapping

from vespid.config import RankProfileConfig, SchemaConfig

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


def dump_features(schema: SchemaConfig, profile: RankProfileConfig) -> tuple[str, ...]:
    """The names of the features to list for hits of ``schema`` ranked by ``profile``:
    the default set (sorted), then the profile's `rank-features`.

    >>> from vespid.config import FieldConfig
    >>> s = SchemaConfig("s", fields=(FieldConfig("title", "string", index=True),))
    >>> p = RankProfileConfig("p", rank_properties=(("term.numTerms", "1"),))
    >>> [n for n in dump_features(s, p) if "(" in n]
    ['fieldMatch(title)', 'fieldMatch(title).completeness', 'fieldMatch(title).fieldCompleteness', \
'fieldMatch(title).matches', 'fieldMatch(title).queryCompleteness', 'term(0).significance', \
'term(0).weight']
    """
    own = list(profile.rank_features)
    if profile.ignore_default_rank_features:
        return tuple(own)
    names = list(TOP_LEVEL)
    for field in schema.fields:
        if field.index and field.type == "string":
            names += [f"fieldMatch({field.name}){output}" for output in FIELD_MATCH_OUTPUTS]
    for n in range(_term_count(dict(profile.rank_properties))):
        names += [f"term({n}).significance", f"term({n}).weight"]
    defaults = sorted(names)
    return tuple(defaults + [f for f in own if f not in defaults])


def _term_count(properties: Mapping[str, str]) -> int:
    try:
        return max(int(properties.get("term.numTerms", DEFAULT_TERMS)), 0)
    except ValueError:
        return DEFAULT_TERMS
