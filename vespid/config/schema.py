"""Derived schema config: what services know of a document type, its fields and rank profiles.

The config server flattens everything a service must not have to work out itself:
schema and document inheritance are resolved, rank profiles carry every inherited
input, constant, function and phase, and each field says plainly whether it is an
attribute, an index, in summaries, and how it is matched. Ranking expressions stay as
text in Vespa's syntax; content nodes parse them with `vespid.expression`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HnswConfig:
    """HNSW index settings of a tensor attribute (`index { hnsw { ... } }`)."""

    max_links_per_node: int = 16
    """Vespa's M: links kept per node on layers above 0 (twice that on layer 0)."""
    neighbors_to_explore_at_insert: int = 200
    """Vespa's ef_construction: candidates kept while linking a new vector."""


@dataclass(frozen=True, slots=True)
class FieldConfig:
    """One field of a schema, in or outside the document, after indexing is analysed."""

    name: str
    type: str
    """Vespa's type text: `string`, `int`, `array<string>`, `map<string,int>`,
    `weightedset<string>`, `tensor<float>(x[384])`, `position`, ..."""
    attribute: bool = False
    """`indexing: attribute`: kept in memory per document for filtering, sorting, ranking."""
    index: bool = False
    """`indexing: index`: tokenized into the text index."""
    summary: bool = False
    """`indexing: summary`: returned in the default document summary."""
    in_document: bool = True
    """False for fields declared outside the `document` block (synthetic fields)."""
    source: str = ""
    """For a synthetic field, the document field whose value it takes (`input x`); else ''."""
    struct_field: str = ""
    """For a struct-field attribute (named like Vespa's, `persons.name`, with type
    `array<T>`), the path inside each element of ``source``: `name` for an array of
    structs, `key`, `value` or `value.name` for a map; '' for every other field."""
    fast_search: bool = False
    fast_access: bool = False
    paged: bool = False
    match: str = "text"
    """Matching mode: `text`, `exact`, `word`, `prefix`, `gram`."""
    gram_size: int = 2
    exact_terminator: str = ""
    stemming: str = "best"
    """`none`, `best`, `shortest`, `multiple`; `best` for text-matched string fields."""
    normalizing: bool = True
    """Accent removal on index and query terms."""
    lowercase: bool = False
    """An explicit `lowercase` in the indexing statement."""
    enable_bm25: bool = False
    rank_filter: bool = False
    """`rank: filter`: match without term-frequency data."""
    distance_metric: str = "euclidean"
    """For tensor attributes: `euclidean`, `angular`, `dotproduct`,
    `prenormalized-angular`, `hamming`, `geodegrees`."""
    hnsw: HnswConfig | None = None
    """Set when the tensor attribute has `index { hnsw }`."""


@dataclass(frozen=True, slots=True)
class StructConfig:
    """A struct type declared in a document (`struct address { field city type string {} }`).

    Inherited struct fields are already merged in; field types may name other structs.
    """

    name: str
    fields: tuple[FieldConfig, ...] = ()

    def field(self, name: str) -> FieldConfig | None:
        """Return the struct field called ``name``, or None."""
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True, slots=True)
class FieldsetConfig:
    """A named group of fields searched together (`fieldset default { fields: a, b }`)."""

    name: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class InputConfig:
    """A rank-profile input such as `query(q) tensor<float>(x[4]): [1,2,3,4]`."""

    name: str
    """The bare name: `q` for `query(q)`."""
    type: str = "double"
    """`double` or a tensor type text."""
    default: str | None = None
    """Default value in Vespa's literal syntax, None when there is none."""


@dataclass(frozen=True, slots=True)
class ConstantConfig:
    """A rank-profile constant (`constants { c: 1.5 }` or a tensor literal)."""

    name: str
    type: str = "double"
    value: str = "0"


@dataclass(frozen=True, slots=True)
class FunctionConfig:
    """A user function (`function f(a, b) { expression: ... }`)."""

    name: str
    arguments: tuple[str, ...] = ()
    expression: str = "0"


@dataclass(frozen=True, slots=True)
class RankProfileConfig:
    """A rank profile with everything inherited already merged in."""

    name: str
    inputs: tuple[InputConfig, ...] = ()
    constants: tuple[ConstantConfig, ...] = ()
    functions: tuple[FunctionConfig, ...] = ()
    first_phase: str = "nativeRank"
    """First-phase expression; Vespa's default profile ranks by nativeRank."""
    keep_rank_count: int = 10000
    rank_score_drop_limit: float | None = None
    second_phase: str | None = None
    rerank_count: int = 100
    global_phase: str | None = None
    global_rerank_count: int = 100
    match_features: tuple[str, ...] = ()
    summary_features: tuple[str, ...] = ()
    rank_features: tuple[str, ...] = ()
    """`rank-features`: listed by `ranking.listFeatures` after the default set."""
    ignore_default_rank_features: bool = False
    """`ignore-default-rank-features`: `ranking.listFeatures` lists only `rank_features`."""
    rank_properties: tuple[tuple[str, str], ...] = ()
    approximate_threshold: float = 0.05
    post_filter_threshold: float = 1.0
    target_hits_max_adjustment_factor: float = 20.0


@dataclass(frozen=True, slots=True)
class DocumentSummaryConfig:
    """A document summary class: which fields a hit carries."""

    name: str
    fields: tuple[str, ...]
    from_disk: bool = False


@dataclass(frozen=True, slots=True)
class SchemaConfig:
    """One schema (document type) as services see it."""

    name: str
    fields: tuple[FieldConfig, ...] = ()
    fieldsets: tuple[FieldsetConfig, ...] = ()
    rank_profiles: tuple[RankProfileConfig, ...] = ()
    document_summaries: tuple[DocumentSummaryConfig, ...] = ()
    """Declared summary classes; `default` is always implied (all summary fields)."""
    global_: bool = False
    structs: tuple[StructConfig, ...] = ()
    """Struct types the document declares (and those of inherited documents)."""

    def field(self, name: str) -> FieldConfig | None:
        """Return the field called ``name``, or None."""
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def struct(self, name: str) -> StructConfig | None:
        """Return the struct type called ``name``, or None."""
        return next((s for s in self.structs if s.name == name), None)

    def rank_profile(self, name: str) -> RankProfileConfig | None:
        """Return the rank profile called ``name``, or None."""
        for p in self.rank_profiles:
            if p.name == name:
                return p
        return None

    def fieldset(self, name: str) -> FieldsetConfig | None:
        """Return the fieldset called ``name``, or None."""
        for s in self.fieldsets:
            if s.name == name:
                return s
        return None
