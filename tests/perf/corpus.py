"""A real-text English corpus available offline: paragraphs of this machine's documentation.

Documents are paragraphs of at least ``MIN_WORDS`` words, taken in sorted path order
from the English man pages (``/usr/share/man/man*/*.gz``, roff markup stripped), then
the plain-text files under ``/usr/share/common-licenses`` and ``/usr/share/doc``
(``*.gz`` unpacked; paragraphs split on blank lines). Exact duplicates are dropped
(man pages share boilerplate). The same machine always yields the same documents in
the same order, so benchmark runs compare alike. Used by ``bench_bm25``.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

MIN_WORDS = 12
MAN_ROOT = Path("/usr/share/man")
TEXT_ROOTS = (Path("/usr/share/common-licenses"), Path("/usr/share/doc"))

# Macros that start a new paragraph (man and mdoc); their arguments are headings or
# layout, not prose, so they are dropped.
_BREAKS = {
    "PP", "P", "LP", "SH", "SS", "TP", "IP", "HP", "sp", "TH", "RS", "RE", "nf", "fi",
    "Sh", "Ss", "Pp", "Dd", "Dt", "Os", "Bl", "El", "It", "Bd", "Ed", "EX", "EE", "TS", "TE",
}  # fmt: skip
_ESCAPES = (
    (re.compile(r"\\f(\(..|\[[^\]]*\]|.)"), ""),
    (re.compile(r"\\\*(\(..|\[[^\]]*\]|.)"), ""),
    (re.compile(r"\\\((..)"), " "),
    (re.compile(r"\\\[[^\]]*\]"), " "),
    (re.compile(r"\\s[+-]?\d"), ""),
    (re.compile(r"\\-"), "-"),
    (re.compile(r"\\[&%c:]"), ""),
    (re.compile(r"\\."), " "),
)
_WORD = re.compile(r"[^\W_]+")


def documents(limit: int) -> list[str]:
    """Return up to ``limit`` distinct paragraphs, man pages first."""
    seen: set[str] = set()
    found: list[str] = []
    for paragraph in _paragraphs():
        if paragraph in seen:
            continue
        seen.add(paragraph)
        found.append(paragraph)
        if len(found) >= limit:
            break
    return found


def _paragraphs() -> Iterator[str]:
    for path in sorted(MAN_ROOT.glob("man*/*.gz")):
        yield from _keep(_man_paragraphs(_read(path)))
    for root in TEXT_ROOTS:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
            if path.suffix in ("", ".txt", ".gz") and not path.name.endswith(".html.gz"):
                yield from _keep(re.split(r"\n\s*\n", _read(path)))


def _read(path: Path) -> str:
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile):
        return ""
    return raw.decode("utf-8", errors="replace")


def _keep(paragraphs: Iterator[str] | list[str]) -> Iterator[str]:
    for paragraph in paragraphs:
        text = " ".join(paragraph.split())
        if len(_WORD.findall(text)) >= MIN_WORDS and "\ufffd" not in text:
            yield text


def _man_paragraphs(source: str) -> Iterator[str]:
    lines: list[str] = []
    for line in source.splitlines():
        if line.startswith(('.\\"', "'\\\"", '.\\"')):
            continue
        if line.startswith((".", "'")):
            name, _, rest = line[1:].strip().partition(" ")
            if name in _BREAKS:
                yield " ".join(lines)
                lines = []
                continue
            line = rest.replace('"', "")
        elif not line.strip():
            yield " ".join(lines)
            lines = []
            continue
        for pattern, replacement in _ESCAPES:
            line = pattern.sub(replacement, line)
        lines.append(line)
    yield " ".join(lines)
