"""The config model: derive every service's config from an application package."""

from __future__ import annotations

from configserver.model.derive import DerivedApplication, derive_application

__all__ = ["DerivedApplication", "derive_application"]
