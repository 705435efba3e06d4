"""The text index: linguistics, per-field posting lists, phrase and near matching.

Given a field's text, the terms it is indexed under (:class:`Analyzer`); given a term,
the documents holding it with frequencies and positions (:class:`FieldIndex`,
:class:`TermPostings`); given several terms, where they form a phrase or stand near
each other (`proximity`). Sets of lids are pyroaring bitmaps (:data:`DocIdSet`),
reached only through this package.
"""

from __future__ import annotations

from content.index.docidset import (
    DocIdSet,
    LidArray,
    docids_from_lids,
    docids_from_mask,
    lids_of,
)
from content.index.field_index import FieldIndex, TermPostings
from content.index.linguistics import ELEMENT_GAP, Analyzer, fold_accents, tokenize
from content.index.proximity import near_lids, phrase_frequencies, phrase_keys, phrase_lids

__all__ = [
    "ELEMENT_GAP",
    "Analyzer",
    "DocIdSet",
    "FieldIndex",
    "LidArray",
    "TermPostings",
    "docids_from_lids",
    "docids_from_mask",
    "fold_accents",
    "lids_of",
    "near_lids",
    "phrase_frequencies",
    "phrase_keys",
    "phrase_lids",
    "tokenize",
]
