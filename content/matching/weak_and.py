"""weakAnd's cut: the score the ``target_hits``-th best document reaches.

weakAnd (`content.matching.evaluator`) scores each document matching any child by
the sum of the weights (IDF times term weight / 100) of the children it matches, and
keeps those scoring at least the ``target_hits``-th best. Such a score depends only on
which children matched the document, so both the generic evaluator and the lean text
path (`content.matching.text_query`) count documents per combination of children (a
bitmask) and walk the combinations best first, with these two functions, so they
always agree on the cut.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from content.ranking.match_data import FloatArray


def combination_scores(weights: list[float]) -> FloatArray:
    """The score of every combination of children (index = bitmask of the children).

    Each sums its children's weights in child order, exactly as summing per document.
    """
    combinations = np.arange(1 << len(weights))
    scores = np.zeros(combinations.size)
    for bit, weight in enumerate(weights):
        scores += np.where((combinations >> bit) & 1, weight, 0.0)
    return scores


def cut(scores: FloatArray, counts: npt.NDArray[np.int64], target_hits: int) -> float:
    """The score of the ``target_hits``-th best document, given the documents per combination.

    ``counts[0]`` (documents no child matched) must be 0, and the counts must add up to
    more than ``target_hits``.
    """
    best_first = np.argsort(-scores, kind="stable")
    reached = np.cumsum(counts[best_first])
    return float(scores[best_first[np.searchsorted(reached, target_hits)]])
