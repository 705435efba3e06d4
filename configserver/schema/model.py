"""The typed model of a parsed schema (.sd) file, before inheritance is resolved.

It holds what the file says and nothing derived: the config model
(`configserver.model`) flattens inheritance and works out field flags. Positions
(`pos`) point into the source for error messages and are left out of equality, so two
models are equal when they say the same thing (the printer round trip relies on it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from configserver.schema.indexing import Script
from configserver.schema.lexer import Pos

NOWHERE = Pos(0, 0)


@dataclass(frozen=True, slots=True)
class Hnsw:
    """`index { hnsw { max-links-per-node: M  neighbors-to-explore-at-insert: E } }`."""

    max_links_per_node: int = 16
    neighbors_to_explore_at_insert: int = 200


@dataclass(frozen=True, slots=True)
class Field:
    """A `field` (or `struct-field`) with the settings written in its body."""

    name: str
    type: str
    indexing: Script | None = None
    attribute: tuple[str, ...] = ()
    """Attribute settings as written: `fast-search`, `fast-access`, `paged`, `mutable`..."""
    distance_metric: str | None = None
    enable_bm25: bool = False
    hnsw: Hnsw | None = None
    match: str | None = None
    gram_size: int | None = None
    exact_terminator: str | None = None
    stemming: str | None = None
    normalizing: str | None = None
    rank_filter: bool = False
    struct_fields: tuple[Field, ...] = ()
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Struct:
    """A `struct` declared in a document."""

    name: str
    fields: tuple[Field, ...] = ()
    inherits: tuple[str, ...] = ()
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Document:
    """The `document` block: the fields a fed document carries."""

    name: str
    inherits: tuple[str, ...] = ()
    fields: tuple[Field, ...] = ()
    structs: tuple[Struct, ...] = ()
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Fieldset:
    """`fieldset name { fields: a, b }`."""

    name: str
    fields: tuple[str, ...]
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class SummaryField:
    """`summary name [type T] [{ source: a }]` inside a document-summary."""

    name: str
    type: str | None = None
    sources: tuple[str, ...] = ()
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """`document-summary name [inherits p] { [from-disk] summary ... }`."""

    name: str
    inherits: tuple[str, ...] = ()
    from_disk: bool = False
    fields: tuple[SummaryField, ...] = ()
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Input:
    """A rank-profile input: `query(q) tensor<float>(x[4]): [1,2,3,4]`."""

    name: str
    type: str = "double"
    default: str | None = None
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Constant:
    """A rank-profile constant: `c tensor<float>(x[2]): [1, 2]` or `c: 1.5`."""

    name: str
    type: str = "double"
    value: str = "0"
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Expression:
    """Ranking-expression text as written, with where it starts."""

    text: str
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Function:
    """`function name(a, b) { expression: ... }`."""

    name: str
    arguments: tuple[str, ...] = ()
    expression: Expression = Expression("0")
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Phase:
    """A first-, second- or global-phase block; unset numbers take the profile defaults."""

    expression: Expression | None = None
    keep_rank_count: int | None = None
    rank_score_drop_limit: float | None = None
    rerank_count: int | None = None
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Features:
    """`match-features` / `summary-features` / `rank-features`, optionally inheriting
    other profiles' lists."""

    features: tuple[str, ...] = ()
    inherits: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RankProfile:
    """A `rank-profile` as written; inheritance is flattened by the config model."""

    name: str
    inherits: tuple[str, ...] = ()
    inputs: tuple[Input, ...] = ()
    constants: tuple[Constant, ...] = ()
    functions: tuple[Function, ...] = ()
    first_phase: Phase | None = None
    second_phase: Phase | None = None
    global_phase: Phase | None = None
    match_features: Features | None = None
    summary_features: Features | None = None
    rank_features: Features | None = None
    """Features `ranking.listFeatures` returns besides (or instead of) the default set."""
    ignore_default_rank_features: bool = False
    rank_properties: tuple[tuple[str, str], ...] = ()
    approximate_threshold: float | None = None
    post_filter_threshold: float | None = None
    target_hits_max_adjustment_factor: float | None = None
    num_threads_per_search: int | None = None
    pos: Pos = field(default=NOWHERE, compare=False)
    path: str = field(default="", compare=False)
    """The `.profile` file the profile was read from; "" when it is in its schema's file."""


@dataclass(frozen=True, slots=True)
class ImportField:
    """`import field ref.target as name {}`: a field read through a reference."""

    reference: str
    target: str
    name: str
    pos: Pos = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class Schema:
    """One .sd file: a schema (or a bare document type) with everything declared in it."""

    name: str
    path: str = field(default="", compare=False)
    inherits: tuple[str, ...] = ()
    document: Document | None = None
    fields: tuple[Field, ...] = ()
    """Fields declared outside the document block (synthetic fields)."""
    structs: tuple[Struct, ...] = ()
    """Structs declared outside the document block."""
    fieldsets: tuple[Fieldset, ...] = ()
    summaries: tuple[DocumentSummary, ...] = ()
    rank_profiles: tuple[RankProfile, ...] = ()
    imports: tuple[ImportField, ...] = ()
    stemming: str | None = None
    warnings: tuple[str, ...] = field(default=(), compare=False)
    """Things accepted but not acted on, already prefixed with `path:line:col:`."""
    pos: Pos = field(default=NOWHERE, compare=False)
