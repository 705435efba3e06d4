"""Where the shared conformance material is: ``shared/conformance`` beside the repository.

The material (real Vespa packages, documents, parser cases) lives outside the repo, in
the ``shared/`` folder next to the checkout. ``VESPID_CONFORMANCE`` overrides the place.
"""

from __future__ import annotations

import os
from pathlib import Path

_BESIDE_REPO = Path(__file__).resolve().parents[2] / "shared" / "conformance"

CONFORMANCE = Path(os.environ.get("VESPID_CONFORMANCE", str(_BESIDE_REPO)))
"""The conformance folder: ``<repo>/../shared/conformance`` unless overridden."""
