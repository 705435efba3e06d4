"""The names of Vespa's rank features, for telling a feature from an unknown function.

Vespa registers its features in searchlib (``features/setup.cpp``); the config model adds
a few that it expands itself before the content nodes see them. A name outside these
sets, that is no user function and no constant of the profile, is an unknown function.
Whether the content node computes a feature is its own concern (it refuses the query);
here only the name is checked.
"""

from __future__ import annotations

SEARCH_FEATURES = frozenset(
    {"age", "attribute", "attributeMatch", "bm25", "closeness", "closest",
     "debugAttributeWait", "debugWait", "distance", "distanceToPath", "dotProduct",
     "elementCompleteness", "elementSimilarity", "euclideanDistance", "fieldInfo",
     "fieldLength", "fieldMatch", "fieldTermMatch", "firstPhase", "flowCompleteness",
     "foreach", "freshness", "itemRawScore", "match", "matchCount", "matches",
     "nativeAttributeMatch", "nativeDotProduct", "nativeFieldMatch", "nativeProximity",
     "nativeRank", "now", "query", "queryTermCount", "random", "randomNormal",
     "randomNormalStable", "rawScore", "subqueries", "tensorFromLabels",
     "tensorFromWeightedSet", "term", "termDistance", "termInfo", "textSimilarity", "value",
     "jaroWinklerDistance", "proximity", "queryCompleteness", "reverseProximity",
     "termEditDistance", "termFieldMd", "constant", "globalSequence", "onnx", "onnxModel",
     "great_circle_distance", "rankingExpression", "averageFieldLength",
     "queryTermDocumentFrequency", "numDocs", "num_docs_indexed", "bm25_for_labels",
     "matches_for_labels", "countMatches", "firstPhaseMax", "firstPhaseRank", "secondPhase",
     "elementwiseBm25", "elementwiseMatches", "tensorFromLabelsWithOffset",
     "tensorFromStructs", "randomNormalMatch", "internalMaxReduceProdJoin",
     "maxReduceProdJoin"}
)  # fmt: skip
"""Features searchlib registers (Vespa's ``setup_search_features`` and the blueprints
of newer releases)."""

MODEL_FEATURES = frozenset(
    {"lightgbm", "xgboost", "tensorflow", "onnx_vespa", "vespa", "normalize_linear",
     "reciprocal_rank", "reciprocal_rank_fusion", "tokenInputIds",
     "tokenTypeIds", "tokenAttentionMask", "customTokenInputIds"}
)  # fmt: skip
"""Features the config model expands or computes itself (models read from `models/`,
global-phase helpers)."""

RANK_FEATURES = SEARCH_FEATURES | MODEL_FEATURES
"""Every name that is a rank feature."""

UNTYPED_FEATURES = frozenset(
    {"tensorFromLabels", "tensorFromWeightedSet", "tensorFromStructs", "onnx", "onnxModel",
     "onnx_vespa", "vespa", "lightgbm", "xgboost",
     "tensorFromLabelsWithOffset", "queryTermDocumentFrequency", "bm25_for_labels",
     "matches_for_labels", "elementwiseBm25", "elementwiseMatches",
     "tensorflow", "tokenInputIds", "tokenTypeIds", "tokenAttentionMask",
     "customTokenInputIds", "rankingExpression"}
)  # fmt: skip
"""Features that give a tensor whose type the package does not state where we look
(it depends on attribute contents or a model file): expressions reading them are not
type checked."""

ARITY: dict[str, tuple[int, int | None]] = {
    "attribute": (1, 2), "bm25": (1, 1), "closeness": (1, 2), "distance": (1, 2),
    "closest": (1, 2), "query": (1, 1), "constant": (1, 1), "fieldMatch": (1, 1),
    "fieldLength": (1, 1), "fieldTermMatch": (2, 2), "matchCount": (1, 1),
    "matches": (1, 2), "nativeRank": (0, None), "nativeFieldMatch": (0, None),
    "nativeProximity": (0, None), "now": (0, 0), "firstPhase": (0, 0), "age": (1, 1),
    "freshness": (1, 1), "rawScore": (1, 1), "itemRawScore": (1, 1), "dotProduct": (2, 2),
    "queryTermCount": (0, 0), "term": (1, 1), "textSimilarity": (1, 1),
    "elementCompleteness": (1, 1), "tensorFromLabels": (1, 2),
    "tensorFromWeightedSet": (1, 2), "averageFieldLength": (1, 1),
    "queryTermDocumentFrequency": (1, 1), "num_docs_indexed": (0, 0),
}  # fmt: skip
"""How many parameters a rank feature takes, (least, most; None: any number), for the
features whose parameters Vespa's documentation fixes."""
