"""Ranking on the content node: rank profiles compiled once, evaluated over candidates.

Given the matched lids and what matching learnt (:class:`MatchData`), a
:class:`RankProgram` computes first-phase and second-phase scores and the hits'
match- and summary-features, reading rank features from :class:`RankFeatures`.
A profile ranking by a positive-weighted sum of bm25 features is also recognised
(`content.ranking.bm25_sum`) for the lean text path, which reads each term's bm25
contributions from a cache kept with its postings (`content.ranking.bm25_terms`).
"""

from __future__ import annotations

from content.ranking.dump import dump_features
from content.ranking.features import RankContext, RankFeatures
from content.ranking.inputs import QueryInputs
from content.ranking.match_data import MatchData, MatchedTerm, NearestMatch
from content.ranking.program import Ranking, RankProgram

__all__ = [
    "MatchData",
    "MatchedTerm",
    "NearestMatch",
    "QueryInputs",
    "RankContext",
    "RankFeatures",
    "RankProgram",
    "Ranking",
    "dump_features",
]
