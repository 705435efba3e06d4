"""DocumentTypeIndex as a state machine against a dict of documents."""

from __future__ import annotations

from typing import Any

from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from content.matching import DocumentTypeIndex
from tests.unit.content.test_matching import RANKED
from tests.unit.content.test_matching_evaluator import brute_force, document, trees
from vespid.messages import Item, SearchRequest, item_to_json

lids = st.integers(0, 12)


class IndexMachine(RuleBasedStateMachine):
    """Puts, re-puts and removes in any order; every search agrees with a scan."""

    def __init__(self) -> None:
        super().__init__()
        self.index = DocumentTypeIndex(RANKED)
        self.model: dict[int, dict[str, Any]] = {}

    @rule(lid=lids, doc=document)
    def put(self, lid: int, doc: dict[str, Any]) -> None:
        fields = dict(doc)
        fields["embedding"] = {"values": list(doc["embedding"])}
        self.index.put(lid, fields)
        self.model[lid] = doc

    @rule(lid=lids)
    def remove(self, lid: int) -> None:
        self.index.remove(lid)
        self.model.pop(lid, None)

    @rule(tree=trees())
    def search(self, tree: Item) -> None:
        request = SearchRequest(("music",), item_to_json(tree), ranking="years", hits=100)
        result = self.index.search(request)
        matched = sorted(lid for lid, doc in self.model.items() if brute_force(tree, doc))
        assert sorted(h.lid for h in result.hits) == matched
        assert result.total_count == len(matched)

    @invariant()
    def counts_documents(self) -> None:
        assert self.index.document_count == len(self.model)


IndexMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=20)
TestIndexMachine = IndexMachine.TestCase
