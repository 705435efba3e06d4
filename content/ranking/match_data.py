"""What matching hands to ranking: the matched documents and how each query item hit.

Matching a query tree yields the candidate lids plus, for every ranked query term,
a :class:`MatchedTerm` per concrete field it searched (a term on a fieldset gives one
per field of the set), and for every ``nearestNeighbor`` item a :class:`NearestMatch`.
Text features (bm25, nativeRank, matchCount, fieldMatch) and closeness/distance are
computed from these over the candidates, vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from content.index import FieldIndex, LidArray, TermPostings

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class MatchedTerm:
    """One query term as matched in one field.

    For an indexed field, ``alternatives`` are the posting lists whose sum is the
    term's frequency (one per word; several for a prefix or substring expansion),
    or, when ``phrase`` is set, the consecutive words of a phrase. For an attribute
    the term has no postings; it matched exactly the documents in ``lids``.
    """

    term_index: int
    """Position of the query term among the query's ranked terms (``term(n)``)."""
    field: str
    lids: LidArray
    """Sorted lids where the term matched in this field."""
    weight: int = 100
    index: FieldIndex | None = None
    alternatives: tuple[TermPostings, ...] = ()
    phrase: bool = False
    label: str | None = None
    attribute_weights: FloatArray | None = None
    """For a multi-value attribute: per lid of ``lids``, the matched elements' summed
    weight (occurrences for arrays); None means weight 1 (single-value attributes)."""

    @property
    def document_frequency(self) -> int:
        """Number of documents where the term matched in this field."""
        return int(self.lids.size)


@dataclass(frozen=True, slots=True)
class NearestMatch:
    """A ``nearestNeighbor`` item: the field searched, the query vector and its hits."""

    field: str
    query_vector: npt.NDArray[np.float32]
    metric: str
    lids: LidArray
    """Sorted lids the operator returned."""
    distances: FloatArray
    """Distance of each lid in ``lids``."""
    label: str | None = None


@dataclass(slots=True)
class MatchData:
    """Everything matching learnt about a query, for ranking to use."""

    terms: list[MatchedTerm] = field(default_factory=list)
    nearest: list[NearestMatch] = field(default_factory=list)
    ranked_term_count: int = 0
    """How many ranked query terms the query has (fieldset expansions count once)."""
    raw_scores: dict[str, tuple[LidArray, FloatArray]] = field(default_factory=dict)
    """Per field, the lids with a dotProduct/wand/weightedSet raw score and the scores."""
