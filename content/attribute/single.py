"""Single-value attributes: one number or string per document, as numpy arrays by lid.

:class:`NumericAttribute` holds int/long/byte/bool as int64 and float/double as
float64, with a presence mask; a document without a value reads as Vespa's undefined
value (the type's minimum for integers, NaN for floats). :class:`StringAttribute`
dictionary-encodes its values: an int32 code per lid (-1 when missing) into a
:class:`StringDictionary`, so filters and sorting work on codes.

Complexity: put and remove O(1); a filter is one vectorised pass over the value
array (numbers) or the dictionary plus one gather (strings). With ``fast_search`` a
:class:`PostingDictionary` also maps each distinct value to its lids, so equality,
prefix and range filters touch only the matching documents (pyroaring posting lists, handed to
matching as they are).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
from pyroaring import BitMap

from content.attribute.base import (
    FLOAT_TYPES,
    UNDEFINED_INTEGER,
    Arrays,
    LidArray,
    ValueTest,
    grown,
)
from content.attribute.postings import PostingDictionary


class NumericAttribute:
    """A single number per lid."""

    value_kind = "numeric"

    def __init__(self, name: str, value_type: str, *, fast_search: bool = False) -> None:
        self.name = name
        self.value_type = value_type
        self.is_float = value_type in FLOAT_TYPES
        self.dictionary = (
            PostingDictionary(np.float64 if self.is_float else np.int64) if fast_search else None
        )
        self.undefined: float = float("nan") if self.is_float else UNDEFINED_INTEGER[value_type]
        self._values: npt.NDArray[Any] = np.zeros(0, np.float64 if self.is_float else np.int64)
        self._present = np.zeros(0, dtype=bool)

    def put(self, lid: int, value: Any) -> None:
        """Set ``lid``'s number; None clears it."""
        if value is None:
            self.remove(lid)
            return
        self.remove(lid)
        self._values = grown(self._values, lid + 1, 0)
        self._present = grown(self._present, lid + 1, False)
        number = float(value) if self.is_float else int(value)
        self._values[lid] = number
        self._present[lid] = True
        if self.dictionary is not None:
            self.dictionary.add(number, lid)

    def remove(self, lid: int) -> None:
        """Clear ``lid``'s number."""
        if lid < self._present.size and self._present[lid]:
            self._present[lid] = False
            if self.dictionary is not None:
                self.dictionary.discard(self._values[lid].item(), lid)

    def lids_where(self, test: ValueTest) -> LidArray:
        """Return the lids whose number passes ``test``."""
        if self.dictionary is not None:
            found = self.dictionary.lids_where(test)
            if found is not None:
                return found
        return np.flatnonzero(self.mask_where(test)).astype(np.uint32)

    def postings_where(self, test: ValueTest) -> BitMap | None:
        """With fast-search, the lids whose number passes ``test`` from the posting
        lists (a new set); None without fast-search or when a scan is cheaper."""
        return None if self.dictionary is None else self.dictionary.docids_where(test)

    def mask_where(self, test: ValueTest) -> npt.NDArray[np.bool_]:
        """Scan: whether each lid (over the attribute's capacity) holds a passing number."""
        mask: npt.NDArray[np.bool_] = self._present & test(self._values[: self._present.size])
        return mask

    def values_for(self, lids: LidArray) -> npt.NDArray[np.float64]:
        """Return each lid's number as float64, the undefined value where missing."""
        out = np.full(lids.size, self.undefined, dtype=np.float64)
        inside = lids < self._present.size
        known = lids[inside]
        hit = self._present[known]
        out[np.flatnonzero(inside)[hit]] = self._values[known[hit]]
        return out

    def presence_for(self, lids: LidArray) -> npt.NDArray[np.bool_]:
        """Return whether each lid holds a number."""
        inside = lids < self._present.size
        out = np.zeros(lids.size, dtype=bool)
        out[inside] = self._present[lids[inside]]
        return out

    def value_of(self, lid: int) -> int | float | None:
        """Return ``lid``'s number as a Python value, None when missing."""
        if lid >= self._present.size or not self._present[lid]:
            return None
        raw = self._values[lid]
        return float(raw) if self.is_float else int(raw)

    def save_state(self) -> Arrays:
        """A copy of the values (for a snapshot)."""
        size = self._present.size
        return {"values": self._values[:size].copy(), "present": self._present.copy()}

    def load_state(self, arrays: Arrays) -> None:
        """Take back what :meth:`save_state` returned."""
        values = np.array(arrays["values"], dtype=self._values.dtype)
        present = np.array(arrays["present"], dtype=bool)
        if values.shape != present.shape:
            raise ValueError(f"{self.name}: values and presence differ in length")
        self._values, self._present = values, present
        if self.dictionary is not None:
            lids = np.flatnonzero(present)
            self.dictionary.load(values[lids], lids)


class StringDictionary:
    """Distinct strings and their codes; codes are stable and never reused."""

    def __init__(self) -> None:
        self._codes: dict[str, int] = {}
        self._values: list[str] = []
        self._lowered: npt.NDArray[np.object_] | None = None

    def code(self, value: str) -> int:
        """Return the code of ``value``, adding it when new."""
        code = self._codes.get(value)
        if code is None:
            code = self._codes[value] = len(self._values)
            self._values.append(value)
            self._lowered = None
        return code

    def value(self, code: int) -> str:
        """Return the string of ``code``."""
        return self._values[code]

    def lowered(self) -> npt.NDArray[np.object_]:
        """Return every value lower-cased, indexed by code (what filters test)."""
        if self._lowered is None:
            self._lowered = np.array([v.lower() for v in self._values], dtype=object)
        return self._lowered

    def code_mask(self, test: ValueTest) -> npt.NDArray[np.bool_]:
        """Return, by code, whether the lower-cased value passes ``test``."""
        lowered = self.lowered()
        if lowered.size == 0:
            return np.zeros(0, dtype=bool)
        return np.asarray(test(lowered), dtype=bool)

    def save_state(self) -> npt.NDArray[np.uint8]:
        """The values by code, as JSON bytes."""
        return np.frombuffer(orjson.dumps(self._values), dtype=np.uint8)

    def load_state(self, saved: npt.NDArray[np.uint8]) -> None:
        """Take back what :meth:`save_state` returned."""
        values = orjson.loads(saved.tobytes())
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValueError("a string dictionary holds strings")
        self._values = values
        self._codes = {value: code for code, value in enumerate(values)}
        self._lowered = None

    def sort_ranks(self) -> npt.NDArray[np.int64]:
        """Return, by code, the rank of the value in sorted (binary) order."""
        order = np.argsort(np.array(self._values, dtype=object), kind="stable")
        ranks = np.empty(len(self._values), dtype=np.int64)
        ranks[order] = np.arange(len(self._values))
        return ranks


class StringAttribute:
    """A single string per lid, dictionary-encoded."""

    value_kind = "string"

    def __init__(self, name: str, *, fast_search: bool = False) -> None:
        self.name = name
        self.dictionary = StringDictionary()
        self.postings = PostingDictionary(np.int64) if fast_search else None
        self._codes = np.zeros(0, dtype=np.int32)

    def put(self, lid: int, value: Any) -> None:
        """Set ``lid``'s string; None clears it."""
        if value is None:
            self.remove(lid)
            return
        self.remove(lid)
        self._codes = grown(self._codes, lid + 1, -1)
        code = self.dictionary.code(str(value))
        self._codes[lid] = code
        if self.postings is not None:
            self.postings.add(code, lid)

    def remove(self, lid: int) -> None:
        """Clear ``lid``'s string."""
        if lid < self._codes.size and self._codes[lid] >= 0:
            if self.postings is not None:
                self.postings.discard(int(self._codes[lid]), lid)
            self._codes[lid] = -1

    def lids_where(self, test: ValueTest) -> LidArray:
        """Return the lids whose lower-cased string passes ``test``."""
        by_code = self.dictionary.code_mask(test)
        if self.postings is not None:
            found = self.postings.lids_where(lambda codes: by_code[codes])
            if found is not None:
                return found
        return np.flatnonzero(self._mask_of(by_code)).astype(np.uint32)

    def postings_where(self, test: ValueTest) -> BitMap | None:
        """With fast-search, the lids whose string passes ``test`` from the posting
        lists (a new set); None without fast-search or when a scan is cheaper."""
        if self.postings is None:
            return None
        by_code = self.dictionary.code_mask(test)
        return self.postings.docids_where(lambda codes: by_code[codes])

    def mask_where(self, test: ValueTest) -> npt.NDArray[np.bool_]:
        """Scan: whether each lid (over the attribute's capacity) holds a passing string."""
        return self._mask_of(self.dictionary.code_mask(test))

    def _mask_of(self, by_code: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        passing: npt.NDArray[np.bool_] = np.append(by_code, False)[self._codes]
        return passing

    def codes_for(self, lids: LidArray) -> npt.NDArray[np.int32]:
        """Return each lid's code, -1 where missing."""
        out = np.full(lids.size, -1, dtype=np.int32)
        inside = lids < self._codes.size
        out[inside] = self._codes[lids[inside]]
        return out

    def value_of(self, lid: int) -> str | None:
        """Return ``lid``'s string, None when missing."""
        if lid >= self._codes.size or self._codes[lid] < 0:
            return None
        return self.dictionary.value(int(self._codes[lid]))

    def save_state(self) -> Arrays:
        """A copy of the codes and the dictionary (for a snapshot)."""
        return {"codes": self._codes.copy(), "dictionary": self.dictionary.save_state()}

    def load_state(self, arrays: Arrays) -> None:
        """Take back what :meth:`save_state` returned."""
        self.dictionary.load_state(arrays["dictionary"])
        codes = np.array(arrays["codes"], dtype=np.int32)
        if codes.size and int(codes.max()) >= len(self.dictionary.lowered()):
            raise ValueError(f"{self.name}: a code is beyond the dictionary")
        self._codes = codes
        if self.postings is not None:
            lids = np.flatnonzero(codes >= 0)
            self.postings.load(codes[lids].astype(np.int64), lids)
