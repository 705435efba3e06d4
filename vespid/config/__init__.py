"""Typed config definitions: what the config server derives and services receive."""

from __future__ import annotations

from vespid.config._codec import from_data, to_data
from vespid.config.cluster import (
    ContainerClusterConfig,
    ContainerNodeConfig,
    ContentClusterConfig,
    ContentNodeConfig,
    DocumentTypeRef,
)
from vespid.config.schema import (
    ConstantConfig,
    DocumentSummaryConfig,
    FieldConfig,
    FieldsetConfig,
    FunctionConfig,
    HnswConfig,
    InputConfig,
    RankProfileConfig,
    SchemaConfig,
    StructConfig,
)
from vespid.config.services import (
    CONFIG_KINDS,
    ContainerConfig,
    ContentConfig,
    NodeAgentConfig,
    ServiceConfig,
)

__all__ = [
    "CONFIG_KINDS",
    "ConstantConfig",
    "ContainerClusterConfig",
    "ContainerConfig",
    "ContainerNodeConfig",
    "ContentClusterConfig",
    "ContentConfig",
    "ContentNodeConfig",
    "DocumentSummaryConfig",
    "DocumentTypeRef",
    "FieldConfig",
    "FieldsetConfig",
    "FunctionConfig",
    "HnswConfig",
    "InputConfig",
    "NodeAgentConfig",
    "RankProfileConfig",
    "SchemaConfig",
    "ServiceConfig",
    "StructConfig",
    "from_data",
    "to_data",
]
