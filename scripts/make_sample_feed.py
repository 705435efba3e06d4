"""Write apppackages/sample/feed.jsonl: 100 made-up books as a Vespa JSONL feed.

Run once; the output is committed. The generator is seeded, so running it again
gives the same file:

    .venv/bin/python scripts/make_sample_feed.py
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "apppackages" / "sample" / "feed.jsonl"
COUNT = 100
GENRES = ("adventure", "romance", "science", "mystery")
"""One embedding dimension per genre, in this order."""

TITLE_WORDS = {
    "adventure": (
        ["The Lost", "Beyond the", "Voyage to the", "Return to the", "Across the"],
        ["Mountain", "River", "Desert", "Islands", "Frontier", "Jungle", "Sea"],
    ),
    "romance": (
        ["Love in the", "A Summer", "Letters from the", "Love and the", "The Last"],
        ["Garden", "Harbor", "Vineyard", "Station", "Ballroom", "Orchard", "Lighthouse"],
    ),
    "science": (
        ["The Quantum", "A Brief History of the", "The Hidden", "Inside the", "Origins of the"],
        ["Universe", "Cell", "Atom", "Brain", "Climate", "Genome", "Galaxy"],
    ),
    "mystery": (
        ["Murder at the", "The Secret of the", "Death in the", "A Case at the", "Shadows over the"],
        ["Manor", "Library", "Train", "Abbey", "Hotel", "Village", "Museum"],
    ),
}

DESCRIPTIONS = {
    "adventure": "An expedition sets out to cross the {place}, facing storms, hunger and rivals "
    "on a journey that tests courage and friendship.",
    "romance": "Two strangers meet at the {place} one summer and fall in love, until old "
    "letters and family secrets threaten their happiness.",
    "science": "A clear account of how scientists came to understand the {place}, from the "
    "first experiments to the open questions of today.",
    "mystery": "When a body is found in the {place}, a retired detective must untangle lies, "
    "alibis and a decades-old crime before the killer strikes again.",
}

FIRST = ["Ada", "Bram", "Clara", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas"]
LAST = ["Alder", "Brook", "Castell", "Dunmore", "Eklund", "Fairweather", "Grey", "Holm"]


def make_book(i: int, rng: random.Random) -> dict[str, object]:
    """One put operation."""
    genre = GENRES[i % len(GENRES)]
    starts, places = TITLE_WORDS[genre]
    place = rng.choice(places)
    title = f"{rng.choice(starts)} {place}"
    axis = GENRES.index(genre)
    embedding = [
        round(rng.uniform(0.7, 1.0) if d == axis else rng.uniform(0.0, 0.3), 3)
        for d in range(len(GENRES))
    ]
    return {
        "put": f"id:books:book::book-{i:03d}",
        "fields": {
            "title": title,
            "description": DESCRIPTIONS[genre].format(place=place.lower()),
            "author": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "genre": genre,
            "year": rng.randint(1950, 2024),
            "rating": round(rng.uniform(1.0, 5.0), 1),
            "pages": rng.randint(120, 900),
            "embedding": embedding,
        },
    }


def main() -> None:
    """Write the feed."""
    rng = random.Random(2026)
    lines = [json.dumps(make_book(i, rng), ensure_ascii=False) for i in range(1, COUNT + 1)]
    OUTPUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {COUNT} documents to {OUTPUT}\n")


if __name__ == "__main__":
    main()
