"""Parsing of `rank-profile` blocks into :class:`~configserver.schema.model.RankProfile`.

Ranking expressions are kept as text with their position; the config model checks
them with `vespid.expression` at derive time.
"""

from __future__ import annotations

from dataclasses import replace

from configserver.schema.fields import FieldParser
from configserver.schema.lexer import Pos, Scanner
from configserver.schema.model import (
    Constant,
    Expression,
    Features,
    Function,
    Input,
    Phase,
    RankProfile,
)

IGNORED_PROFILE_SETTINGS = frozenset(
    {"rank", "rank-type", "min-hits-per-thread",
     "num-search-partitions", "termwise-limit", "weight", "strict",
     "second-phase-rank-score-drop-limit", "significance", "match-phase", "weakand",
     "diversity", "mutate", "filter-threshold", "first-phase-rank-score-drop-limit"}
)  # fmt: skip


class RankProfileParser:
    """Parses one `rank-profile name [inherits a, b] { ... }` after its keyword."""

    def __init__(self, fields: FieldParser) -> None:
        self.fp = fields
        self.sc: Scanner = fields.sc

    def parse(self) -> RankProfile:
        """Parse the profile's name, inheritance and body."""
        return self._profile(None)

    def parse_with_nested(self) -> list[RankProfile]:
        """Parse a profile that may hold nested `rank-profile`s (as `.profile` files may):
        the profile, then each nested one named `outer.inner`, depth first."""
        nested: list[RankProfile] = []
        return [self._profile(nested), *nested]

    def _profile(self, nested: list[RankProfile] | None, prefix: str = "") -> RankProfile:
        sc = self.sc
        pos = sc.where_next()
        name = prefix + sc.word("a rank-profile name")
        profile = RankProfile(name, self.fp.inherits_list(), pos=pos)
        sc.expect("{", f"after rank-profile '{name}'")
        while not sc.accept("}"):
            at = sc.where_next()
            kw = sc.word(f"a setting or '}}' in rank-profile '{name}'")
            if kw == "rank-profile" and nested is not None:
                inner: list[RankProfile] = []
                nested.append(self._profile(inner, f"{name}."))
                nested.extend(inner)
            else:
                profile = self._item(profile, kw, at)
        return profile

    def _item(self, p: RankProfile, kw: str, at: Pos) -> RankProfile:
        sc = self.sc
        if kw == "inputs":
            return replace(p, inputs=(*p.inputs, *self._inputs()))
        if kw == "constants":
            return replace(p, constants=(*p.constants, *self._constants()))
        if kw in ("function", "macro"):
            return replace(p, functions=(*p.functions, self._function(at)))
        if kw == "first-phase":
            return replace(p, first_phase=self._phase(kw, at))
        if kw == "second-phase":
            return replace(p, second_phase=self._phase(kw, at))
        if kw == "global-phase":
            return replace(p, global_phase=self._phase(kw, at))
        if kw == "match-features":
            return replace(p, match_features=self._features())
        if kw == "summary-features":
            return replace(p, summary_features=self._features())
        if kw == "rank-features":
            return replace(p, rank_features=self._features())
        if kw == "ignore-default-rank-features":
            return replace(p, ignore_default_rank_features=True)
        if kw == "rank-properties":
            return replace(p, rank_properties=(*p.rank_properties, *self._properties()))
        if kw == "approximate-threshold":
            sc.expect(":", f"after '{kw}'")
            return replace(p, approximate_threshold=sc.real())
        if kw == "post-filter-threshold":
            sc.expect(":", f"after '{kw}'")
            return replace(p, post_filter_threshold=sc.real())
        if kw == "target-hits-max-adjustment-factor":
            sc.expect(":", f"after '{kw}'")
            return replace(p, target_hits_max_adjustment_factor=sc.real())
        if kw == "num-threads-per-search":
            sc.expect(":", f"after '{kw}'")
            self.fp.warn(f"num-threads-per-search in rank-profile '{p.name}' is ignored", at)
            return replace(p, num_threads_per_search=sc.integer())
        if kw in IGNORED_PROFILE_SETTINGS:
            sc.skip_setting()
            self.fp.warn(f"'{kw}' in rank-profile '{p.name}' is accepted and ignored", at)
            return p
        raise sc.error(f"unsupported '{kw}' in rank-profile '{p.name}'", at)

    def _ref_name(self, kind: str) -> str:
        """Read `name` or `kind(name)` (`query(q)`, `constant(c)`)."""
        sc = self.sc
        name = sc.word(f"a {kind} name")
        if name == kind and sc.accept("(", newlines=False):
            name = sc.word(f"a {kind} name")
            sc.expect(")", f"after {kind}({name}")
        return name

    def _typed_value(self) -> tuple[str | None, str | None]:
        """Read an optional type and an optional `: value` on the rest of the line."""
        sc = self.sc
        tp = None
        if sc.peek(newlines=False) not in (":", "", "\n", "}") and not sc.at_line_end():
            tp = sc.type_text()
        value = None
        if sc.accept(":", newlines=False):
            value, _ = sc.rest_of_line()
        return tp, value

    def _inputs(self) -> list[Input]:
        sc = self.sc
        sc.expect("{", "after 'inputs'")
        inputs: list[Input] = []
        while not sc.accept("}"):
            at = sc.where_next()
            name = self._ref_name("query")
            tp, default = self._typed_value()
            inputs.append(Input(name, tp or "double", default, at))
        return inputs

    def _constants(self) -> list[Constant]:
        sc = self.sc
        sc.expect("{", "after 'constants'")
        constants: list[Constant] = []
        while not sc.accept("}"):
            at = sc.where_next()
            name = self._ref_name("constant")
            tp, value = self._typed_value()
            if value is None:
                raise sc.error(f"constant '{name}' has no value", at)
            if value.startswith(("file:", "uri:")):
                raise sc.error(f"unsupported: constant '{name}' read from a file", at)
            constants.append(Constant(name, tp or "double", value, at))
        return constants

    def _function(self, at: Pos) -> Function:
        sc = self.sc
        sc.keyword("inline")
        name = sc.word("a function name")
        args: list[str] = []
        sc.expect("(", f"after function '{name}'")
        while not sc.accept(")"):
            args.append(sc.word("an argument name"))
            sc.accept(",")
        sc.expect("{", f"after function '{name}(...)'")
        expression: Expression | None = None
        while not sc.accept("}"):
            where = sc.where_next()
            kw = sc.word(f"'expression' in function '{name}'")
            if kw != "expression":
                raise sc.error(f"unsupported '{kw}' in function '{name}'", where)
            expression = self._expression(where)
        if expression is None:
            raise sc.error(f"function '{name}' has no expression", at)
        return Function(name, tuple(args), expression, at)

    def _expression(self, at: Pos) -> Expression:
        sc = self.sc
        if sc.accept(":", newlines=False):
            text, where = sc.rest_of_line()
        else:
            sc.expect("{", "after 'expression'")
            text, where = sc.block_body()
        if not text:
            raise sc.error("empty expression", at)
        if text.startswith("file:"):
            raise sc.error("unsupported: expression read from a file", at)
        return Expression(text, where)

    def _phase(self, kw: str, at: Pos) -> Phase:
        sc = self.sc
        sc.expect("{", f"after '{kw}'")
        phase = Phase(pos=at)
        while not sc.accept("}"):
            where = sc.where_next()
            item = sc.word(f"a setting in {kw}")
            if item == "expression":
                phase = replace(phase, expression=self._expression(where))
                continue
            sc.expect(":", f"after '{item}'")
            if item == "keep-rank-count" and kw == "first-phase":
                phase = replace(phase, keep_rank_count=sc.integer())
            elif item == "rank-score-drop-limit" and kw != "global-phase":
                phase = replace(phase, rank_score_drop_limit=sc.real())
            elif item == "rerank-count" and kw != "first-phase":
                phase = replace(phase, rerank_count=sc.integer())
            elif item == "total-rerank-count" and kw == "second-phase":
                sc.rest_of_line()
                self.fp.warn(f"'{item}' in {kw} is accepted and ignored", where)
            else:
                raise sc.error(f"unsupported '{item}' in {kw}", where)
        return phase

    def _features(self) -> Features:
        sc = self.sc
        if sc.accept(":", newlines=False):
            text, _ = sc.rest_of_line()
            return Features(tuple(split_features(text)))
        inherits = self.fp.inherits_list()
        sc.expect("{", "after features")
        text, _ = sc.block_body()
        return Features(tuple(split_features(text)), inherits)

    def _properties(self) -> list[tuple[str, str]]:
        sc = self.sc
        sc.expect("{", "after 'rank-properties'")
        text, where = sc.block_body()
        props: list[tuple[str, str]] = []
        for n, line in enumerate(text.split("\n")):
            line = line.strip()
            if not line:
                continue
            key, sep, value = _split_property(line)
            if not sep:
                p = Pos(where.line + n, 1)
                raise sc.error(f"expected 'key: value' in rank-properties, got '{line}'", p)
            props.append((key, value.strip('"')))
        return props


def split_features(text: str) -> list[str]:
    """Split a feature list on blanks that are outside parentheses."""
    out: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch in " \t\r\n" and depth == 0:
            if current:
                out.append("".join(current))
                current = []
            continue
        depth += (ch == "(") - (ch == ")")
        current.append(ch)
    if current:
        out.append("".join(current))
    return out


def _split_property(line: str) -> tuple[str, str, str]:
    """Split `key: value` at the first colon outside parentheses."""
    depth = 0
    for i, ch in enumerate(line):
        depth += (ch == "(") - (ch == ")")
        if ch == ":" and depth == 0:
            return line[:i].strip(), ":", line[i + 1 :].strip()
    return line, "", ""
