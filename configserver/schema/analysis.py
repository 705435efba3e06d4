"""What an indexing statement does, as far as Vespid executes it.

Vespid runs the part of the indexing language that decides where a value goes:
`input`, `summary`, `attribute`, `index`, `lowercase`, `set_language`, the `to_*`
converters, `tokenize`, `normalize`, `embed` and `{ ... }` blocks, plus a literal piped
into `set_language`. :func:`analyse` reports which fields each statement writes to and
with which flags, which document field feeds it, and every construct it cannot
execute (with its position) so the config model can refuse the package precisely.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from configserver.schema.indexing import BinOp, Block, Call, Cases, Expr, If, Literal, Pipe, Script
from configserver.schema.lexer import Pos
from configserver.schema.resolve import ResolvedSchema

OUTPUTS = frozenset({"summary", "attribute", "index"})
TRANSFORMS = frozenset({"lowercase", "set_language", "tokenize", "normalize", "embed"})


@dataclass(slots=True)
class IndexingAnalysis:
    """The outcome of :func:`analyse` for one field's statement."""

    outputs: dict[str, set[str]] = field(default_factory=dict)
    """Target field → the subset of {summary, attribute, index} written to it."""
    sources: list[str] = field(default_factory=list)
    """Fields read with `input`, in order of appearance."""
    lowercase: bool = False
    embed: bool = False
    unsupported: list[tuple[Pos | None, str]] = field(default_factory=list)
    """(position, description) of every construct Vespid cannot execute."""


def analyses(schema: ResolvedSchema) -> dict[str, IndexingAnalysis]:
    """Return the indexing analysis of every field of ``schema`` that has a statement."""
    return {f.name: analyse(f.indexing, f.name) for f in schema.all_fields() if f.indexing}


def analyse(script: Script, field_name: str) -> IndexingAnalysis:
    """Analyse the indexing statement of field ``field_name``."""
    result = IndexingAnalysis()
    _script(script, field_name, result)
    return result


def _script(script: Script, name: str, out: IndexingAnalysis) -> None:
    for pipe in script.statements:
        _pipe(pipe, name, out)


def _pipe(pipe: Pipe, name: str, out: IndexingAnalysis) -> None:
    steps = pipe.steps
    for i, step in enumerate(steps):
        if isinstance(step, Literal):
            following = steps[i + 1] if i + 1 < len(steps) else None
            if not (isinstance(following, Call) and following.name == "set_language"):
                out.unsupported.append(
                    (step.pos, f"literal {step.text} (only before set_language)")
                )
        elif isinstance(step, Call):
            _call(step, name, out)
        elif isinstance(step, Block):
            _script(step.script, name, out)
        else:
            out.unsupported.append((_first_pos(step), _describe(step)))


def _call(call: Call, name: str, out: IndexingAnalysis) -> None:
    if call.body is not None:
        out.unsupported.append((call.pos, f"'{call.name} {{ ... }}'"))
    elif call.name == "input":
        if len(call.args) != 1:
            out.unsupported.append((call.pos, "'input' needs exactly one field name"))
        else:
            out.sources.append(call.args[0])
    elif call.name in OUTPUTS:
        if len(call.args) > 1:
            out.unsupported.append((call.pos, f"'{call.name}' takes at most one field name"))
        target = call.args[0] if call.args else name
        out.outputs.setdefault(target, set()).add(call.name)
    elif call.name in TRANSFORMS or (call.name.startswith("to_") and not call.args):
        out.lowercase |= call.name == "lowercase"
        out.embed |= call.name == "embed"
    else:
        out.unsupported.append((call.pos, f"'{call.name}'"))


def _describe(expr: Expr) -> str:
    if isinstance(expr, BinOp):
        return f"operator '{expr.op}'"
    if isinstance(expr, If):
        return "'if'"
    if isinstance(expr, Cases):
        return f"'{expr.kind}'"
    return f"'{expr}'"


def _first_pos(expr: Expr) -> Pos | None:
    """Return the position of the first call or literal inside ``expr``, if any."""
    if isinstance(expr, Literal | Call):
        return expr.pos
    if isinstance(expr, BinOp):
        return _first_pos(expr.left)
    if isinstance(expr, If):
        return _first_pos(expr.cond)
    if isinstance(expr, Block):
        return _first_pos(expr.script.statements[0].steps[0])
    if expr.cases:
        return _first_pos(expr.cases[0][1].steps[0])
    return None
