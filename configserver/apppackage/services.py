"""services.xml → :class:`ServicesSpec`, after validating the file against our grammar.

The supported subset is `grammar/services.rng`: `<services>` (or a lone `<container>`
root) with `<admin>` (accepted, not used), `<container>` (id, `http/server` port,
`search`, `document-api`, `document-processing`, `nodes/node hostalias`) and `<content>`
(id, `redundancy`, `min-redundancy`, `documents/document` type+mode+global, `nodes/node`
and nested `group`s, whose nodes are flattened). The grammar refuses unknown elements and
attributes, missing required attributes and badly typed values; what Vespid cannot do on
purpose (Java components, handlers, searcher chains, filters) is refused with the reason
in ``UNSUPPORTED_ELEMENTS``. The reader then only reads a valid tree: it warns about
what the grammar accepts but Vespid ignores (tuning, `jvm`, `config`, attributes it does
not read) and checks what a grammar cannot express. Problems are collected in ``errors``
as `services.xml:line:col: ...`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from configserver.apppackage.grammar import Grammar, validate
from configserver.apppackage.xml import Element, Where, XmlFile, children, text_of

DEFAULT_CONTAINER_PORT = 8080
_NOWHERE = Where("", 0, 0)
IGNORED_ELEMENTS = {
    "services": {"admin", "config"},
    "container": {"config", "accesslog", "jvm", "zookeeper", "clients"},
    "content": {"tuning", "engine", "config", "search", "dispatch", "cluster-controller"},
    "nodes": {"jvm", "resources"},
    "documents": {"document-processing"},
}
"""Elements accepted with a warning, per parent element: tuning and settings Vespid has no
use for. The grammar allows them with any content."""
UNSUPPORTED_ELEMENTS = {
    "component": "Java components and embedders",
    "components": "Java components",
    "handler": "request handlers",
    "model-evaluation": "model evaluation",
    "processing": "processing chains",
    "filtering": "HTTP filters",
    "chain": "searcher and processor chains",
    "searcher": "searchers",
    "documentprocessor": "document processors",
    "include": "included files",
}
"""Elements the grammar leaves out on purpose, with what they stand for (the reason its
error message gives)."""
READ_ATTRIBUTES = {
    "services": {"version"},
    "container": {"id", "version"},
    "http": set(),
    "server": {"id", "port"},
    "search": set(),
    "document-api": set(),
    "document-processing": set(),
    "nodes": {"count"},
    "node": {"hostalias", "distribution-key"},
    "content": {"id", "version"},
    "redundancy": set(),
    "min-redundancy": set(),
    "documents": set(),
    "document": {"type", "mode", "global", "selection"},
    "group": {"name", "distribution-key"},
}
"""The attributes Vespid reads (or that change nothing, like `version`), per element it
reads; any other attribute of those elements is warned about as ignored."""


@dataclass(frozen=True, slots=True)
class NodeSpec:
    """A `<node>`: the host alias it runs on and, for content, its distribution key."""

    hostalias: str
    distribution_key: int | None = None
    where: Where = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class ContainerSpec:
    """A `<container>` cluster."""

    id: str
    port: int = DEFAULT_CONTAINER_PORT
    search: bool = False
    document_api: bool = False
    document_processing: bool = False
    nodes: tuple[NodeSpec, ...] = ()
    where: Where = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class DocumentSpec:
    """A `<document type=... mode=... global=...>` of a content cluster."""

    type: str
    mode: str = "index"
    global_: bool = False
    where: Where = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class ContentSpec:
    """A `<content>` cluster, with the nodes of all its groups flattened."""

    id: str
    redundancy: int = 1
    documents: tuple[DocumentSpec, ...] = ()
    nodes: tuple[NodeSpec, ...] = ()
    where: Where = field(default=_NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class ServicesSpec:
    """What services.xml declares."""

    containers: tuple[ContainerSpec, ...] = ()
    contents: tuple[ContentSpec, ...] = ()


class ServicesReader:
    """Reads one services.xml; problems go to ``errors``, ignored parts to ``warnings``."""

    def __init__(self, xml: XmlFile) -> None:
        self.xml = xml
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def read(self) -> ServicesSpec:
        """Return the services declared in the file (none when it breaks the grammar)."""
        grammar_errors = validate(self.xml, Grammar("services.rng"), UNSUPPORTED_ELEMENTS)
        if grammar_errors:
            self.errors.extend(grammar_errors)
            return ServicesSpec()
        root = self.xml.root
        self._attributes(root)
        if root.tag == "container":
            return ServicesSpec(containers=(self._container(root, 0),))
        containers: list[ContainerSpec] = []
        contents: list[ContentSpec] = []
        for el in children(root):
            if el.tag == "container":
                containers.append(self._container(el, len(containers)))
            elif el.tag == "content":
                contents.append(self._content(el, len(contents)))
            else:
                self._ignored(el, "services")
        return ServicesSpec(tuple(containers), tuple(contents))

    def _error(self, el: Element, message: str) -> None:
        self.errors.append(self.xml.error(el, message))

    def _attributes(self, el: Element) -> None:
        """Warn about each attribute of ``el`` that Vespid does not read."""
        tag = str(el.tag)
        for key in el.attrib:
            name = str(key).rsplit("}", 1)[-1]
            if name not in READ_ATTRIBUTES.get(tag, set()):
                self.warnings.append(
                    self.xml.error(el, f"attribute '{name}' of <{tag}> is ignored")
                )

    def _ignored(self, el: Element, parent: str) -> None:
        """Warn that ``el``, which the grammar allows in ``parent``, is ignored."""
        self.warnings.append(self.xml.error(el, f"<{el.tag}> in <{parent}> is ignored"))

    def _container(self, el: Element, index: int) -> ContainerSpec:
        self._attributes(el)
        cid = el.get("id") or ("default" if index == 0 else f"container{index}")
        flags = {"search": False, "document-api": False, "document-processing": False}
        port, nodes = DEFAULT_CONTAINER_PORT, None
        for child in children(el):
            tag = str(child.tag)
            if tag in flags:
                flags[tag] = True
                self._container_feature(child, tag)
            elif tag == "http":
                port = self._http_port(child, port)
            elif tag == "nodes":
                nodes = self._nodes(child, content=False)
            else:
                self._ignored(child, "container")
        if nodes is None:
            nodes = (NodeSpec("", None, self.xml.where(el)),)
        return ContainerSpec(
            cid, port, flags["search"], flags["document-api"],
            flags["document-processing"], nodes, self.xml.where(el),
        )  # fmt: skip

    def _container_feature(self, el: Element, tag: str) -> None:
        self._attributes(el)
        for child in children(el):
            self._ignored(child, tag)

    def _http_port(self, el: Element, port: int) -> int:
        self._attributes(el)
        servers = []
        for child in children(el):
            self._attributes(child)
            servers.append(child)
        if len(servers) > 1:
            self._error(servers[1], "only one <server> per container is supported")
        return int(servers[0].get("port", port)) if servers else port

    def _nodes(self, el: Element, content: bool) -> tuple[NodeSpec, ...]:
        self._attributes(el)
        nodes: list[NodeSpec] = []
        for child in children(el):
            if child.tag == "node":
                nodes.append(self._node(child, content))
            else:
                self._ignored(child, "nodes")
        count = el.get("count")
        if not nodes and count is not None:
            n = int(count)
            keys = range(n) if content else range(min(n, 1))
            where = self.xml.where(el)
            nodes = [NodeSpec("", k if content else None, where) for k in keys]
            self.warnings.append(f"{where}: <nodes count='{count}'>: {len(nodes)} on localhost")
        return tuple(nodes)

    def _node(self, el: Element, content: bool) -> NodeSpec:
        self._attributes(el)
        key = int(el.get("distribution-key", "0")) if content else None
        return NodeSpec(el.get("hostalias", ""), key, self.xml.where(el))

    def _content(self, el: Element, index: int) -> ContentSpec:
        self._attributes(el)
        cid = el.get("id") or ("content" if index == 0 else f"content{index}")
        redundancy = 1
        documents: tuple[DocumentSpec, ...] = ()
        nodes: list[NodeSpec] = []
        for child in children(el):
            tag = str(child.tag)
            if tag in ("redundancy", "min-redundancy"):
                self._attributes(child)
                redundancy = int(text_of(child))
            elif tag == "documents":
                documents = self._documents(child)
            elif tag == "nodes":
                nodes.extend(self._nodes(child, content=True))
            elif tag == "group":
                nodes.extend(self._group(child))
            else:
                self._ignored(child, "content")
        if not nodes:
            nodes = [NodeSpec("", 0, self.xml.where(el))]
        return ContentSpec(cid, redundancy, documents, tuple(nodes), self.xml.where(el))

    def _group(self, el: Element) -> list[NodeSpec]:
        self._attributes(el)
        nodes: list[NodeSpec] = []
        for child in children(el):
            if child.tag == "node":
                nodes.append(self._node(child, content=True))
            elif child.tag == "group":
                nodes.extend(self._group(child))
        return nodes

    def _documents(self, el: Element) -> tuple[DocumentSpec, ...]:
        self._attributes(el)
        docs: list[DocumentSpec] = []
        for child in children(el):
            if child.tag != "document":
                self._ignored(child, "documents")
                continue
            self._attributes(child)
            doctype, mode = child.get("type", ""), child.get("mode", "index").strip()
            if mode != "index":
                self.warnings.append(
                    self.xml.error(
                        child,
                        f"<document mode='{mode}'>: Vespid stores, indexes and searches the "
                        "documents as in mode 'index'",
                    )
                )
            if child.get("selection") is not None:
                self._error(child, "unsupported: document selection on <document>")
            is_global = child.get("global", "false").strip() == "true"
            docs.append(DocumentSpec(doctype, mode, is_global, self.xml.where(child)))
        return tuple(docs)
