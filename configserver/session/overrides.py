"""Validation overrides: which blocked changes ``validation-overrides.xml`` allows, until when.

A deploy that would lose data or need a re-feed (a field's type changes, a document type
or content cluster disappears) is refused unless the package carries::

    <validation-overrides>
      <allow until="2026-12-01" comment="new year type">field-type-change</allow>
    </validation-overrides>

As in Vespa, ``until`` is the last day the allowance holds and may be at most 30 days
ahead, so an override cannot be left in a package and forgotten. The file is read with
the package reader's safe XML parser.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from configserver.apppackage.xml import XmlFile, children, text_of
from configserver.errors import InvalidApplicationPackageError

OVERRIDES_FILE = "validation-overrides.xml"
MAX_DAYS_AHEAD = 30
DOCS_URL = "https://docs.vespa.ai/en/reference/validation-overrides.html"


@dataclass(frozen=True, slots=True)
class Allow:
    """One ``<allow until=...>id</allow>``."""

    validation_id: str
    until: datetime.date


def read_overrides(data: bytes | None, today: datetime.date) -> tuple[Allow, ...]:
    """Return the allowances of ``validation-overrides.xml`` (None or blank: none).

    Raises InvalidApplicationPackageError for a malformed file, a bad date, or a date
    more than 30 days after ``today``.
    """
    if data is None or not data.strip():
        return ()
    xml = XmlFile(data, OVERRIDES_FILE)
    if xml.root.tag != "validation-overrides":
        message = f"expected <validation-overrides>, got <{xml.root.tag}>"
        raise InvalidApplicationPackageError([xml.error(xml.root, message)])
    allows: list[Allow] = []
    errors: list[str] = []
    for element in children(xml.root):
        if element.tag != "allow":
            errors.append(xml.error(element, f"unexpected element <{element.tag}>"))
            continue
        raw = element.get("until", "")
        try:
            until = datetime.date.fromisoformat(raw)
        except ValueError:
            errors.append(xml.error(element, f"until='{raw}' is not a date (yyyy-mm-dd)"))
            continue
        validation_id = text_of(element)
        if until > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
            errors.append(
                xml.error(
                    element,
                    f"allow '{validation_id}' until {until} is too far in the future: "
                    f"max {MAX_DAYS_AHEAD} days is allowed",
                )
            )
            continue
        allows.append(Allow(validation_id, until))
    if errors:
        raise InvalidApplicationPackageError(errors)
    return tuple(allows)


def allows(overrides: Sequence[Allow], validation_id: str, today: datetime.date) -> bool:
    """Whether a current allowance for ``validation_id`` exists."""
    return any(a.validation_id == validation_id and today <= a.until for a in overrides)


def refusal(validation_id: str, message: str, today: datetime.date) -> str:
    """Return the error for a change that needs an override, saying how to allow it."""
    example = today + datetime.timedelta(days=7)
    return (
        f"{validation_id}: {message}. To allow this add "
        f"<allow until='{example}'>{validation_id}</allow> to {OVERRIDES_FILE}, see {DOCS_URL}"
    )
