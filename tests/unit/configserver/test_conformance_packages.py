"""Every conformance package and .sd file is accepted or refused with our error at file:line.

The expected outcome of each file is data below: a package or schema not listed must be
accepted; a listed one must be refused with exactly that first message. A change in
either direction shows up as a failure to review (update the data deliberately).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from configserver.errors import InvalidApplicationPackageError
from configserver.model import derive_application
from configserver.schema import parse_schema
from tests.unit.configserver.conftest import CONFORMANCE, port_counter, read_package_dir

VESPA_TESTS = CONFORMANCE / "vespa-tests"
LOCATED = re.compile(r"^[^\s:]+:\d+:\d+: \S")

REFUSED_PACKAGES: dict[str, str] = {
    "sample-apps/multi-vector-indexing": (
        "services.xml:11:9: unsupported <component> in <container>: Java components and embedders"
    ),
    "sample-apps/news/app-7-parent-child/src/main/application": (
        "services.xml:7:7: unsupported <chain> in <search>: searcher and processor chains"
    ),
    "sample-apps/search-as-you-type/src/main/application": (
        "services.xml:9:9: unsupported <handler> in <container>: request handlers"
    ),
    "sample-apps/search-suggestions/src/main/application": (
        "services.xml:7:13: unsupported <chain> in <document-processing>: searcher "
        "and processor chains"
    ),
    "sample-apps/use-case-shopping/src/main/application": (
        "services.xml:8:13: unsupported <chain> in <search>: searcher and processor chains"
    ),
    "sample-apps/vector-streaming-search": (
        "services.xml:11:9: unsupported <component> in <container>: Java components and embedders"
    ),
    "vespa-tests/application-packages/config-model/app1": (
        "schemas/laptop.sd:20:36: unsupported indexing expression 'for_each { ... }' "
        "in field 'location'"
    ),
    "vespa-tests/application-packages/config-model/app_genericservices": (
        "services.xml:5:3: unsupported element <service> in <services>"
    ),
    "vespa-tests/application-packages/config-model/app_nohosts": (
        "services.xml:18:3: unsupported element <routing> in <services>"
    ),
    "vespa-tests/application-packages/config-model/configuredportconfig": (
        "services.xml:5:3: unsupported element "
        "<com.yahoo.vespa.model.test.SimplePlugin> in <services>"
    ),
    "vespa-tests/application-packages/config-model/custompropconfig": (
        "services.xml:4:3: unsupported element "
        "<com.yahoo.vespa.model.test.SimpleCustomPropPlugin> in <services>"
    ),
    "vespa-tests/application-packages/config-model/doubleconfig": (
        "services.xml:5:3: unsupported element <simpleplugin> in <services>"
    ),
    "vespa-tests/application-packages/config-model/embed": (
        "services.xml:6:5: unsupported <component> in <container>: Java components and embedders"
    ),
    "vespa-tests/application-packages/config-model/embed_cloud_only": (
        "services.xml:7:5: unsupported <component> in <container>: Java components and embedders"
    ),
    "vespa-tests/application-packages/config-model/embed_generic": (
        "services.xml:9:1: unsupported <component> in <container>: Java components and embedders"
    ),
    "vespa-tests/application-packages/config-model/embed_negative_gpu": (
        "services.xml:6:5: unsupported <component> in <container>: Java components and embedders"
    ),
    "vespa-tests/application-packages/config-model/include_dirs": (
        "services.xml:12:5: unsupported <components> in <container>: Java components"
    ),
    "vespa-tests/application-packages/config-model/invalid-services-syntax": (
        "services.xml:7:12: Opening and ending tag mismatch: config line 3 and "
        "confih, line 7, column 12"
    ),
    "vespa-tests/application-packages/config-model/metricsconfig": (
        "services.xml:5:5: unsupported element <simple> in <services>"
    ),
    "vespa-tests/application-packages/config-model/mistral-embedder": (
        "services.xml:8:9: unsupported <component> in <container>: Java components and embedders"
    ),
    "vespa-tests/application-packages/config-model/ml_serving": (
        "services.xml:6:5: unsupported <model-evaluation> in <container>: model evaluation"
    ),
    "vespa-tests/application-packages/config-model/newfilenames": (
        "services.xml:5:3: unsupported element <simpleplugin> in <services>"
    ),
    "vespa-tests/application-packages/config-model/onnx": (
        "services.xml:6:5: unsupported <model-evaluation> in <container>: model evaluation"
    ),
    "vespa-tests/application-packages/config-model/onnx_cluster_specific": (
        "services.xml:6:5: unsupported <model-evaluation> in <container>: model evaluation"
    ),
    "vespa-tests/application-packages/config-model/onnx_name_collision": (
        "services.xml:6:5: unsupported <model-evaluation> in <container>: model evaluation"
    ),
    "vespa-tests/application-packages/config-model/openai-embedder": (
        "services.xml:9:9: unsupported <component> in <container>: Java components and embedders"
    ),
    "vespa-tests/application-packages/config-model/plugins": (
        "services.xml:9:5: unsupported element <simple> in <services>"
    ),
    "vespa-tests/application-packages/config-model/sdfilenametest": (
        "schemas/notmusic.sd:2:1: schema 'music' must be in a file named 'music.sd', "
        "not 'notmusic.sd'"
    ),
    "vespa-tests/application-packages/config-model/simpleconfig": (
        "services.xml:5:3: unsupported element <simple> in <services>"
    ),
    "vespa-tests/application-packages/config-model/treeconfig": (
        "services.xml:5:3: unsupported element "
        "<com.yahoo.vespa.model.test.SimplePlugin> in <services>"
    ),
    ("vespa-tests/application-packages/config-model/validation/document_references_validation"): (
        "schemas/ad.sd:8:3: unsupported: import field 'my_budget' (parent/child documents)"
    ),
    ("vespa-tests/application-packages/config-model/validation/ranking_constants_fail"): (
        "schemas/simple.sd:6:3: unsupported: constant read from a file"
    ),
    ("vespa-tests/application-packages/config-model/validation/ranking_constants_ok"): (
        "schemas/simple.sd:5:3: unsupported: constant read from a file"
    ),
    "vespa-tests/application-packages/config-model/validation/search_alltypes": (
        "schemas/simple.sd:14:15: field 'my_predicate': unsupported type "
        "'predicate': Vespid has no predicate fields"
    ),
    "vespa-tests/application-packages/config-model/voyageai-embedder": (
        "services.xml:9:9: unsupported <component> in <container>: Java components and embedders"
    ),
    "vespa-tests/application-packages/configserver/app": (
        "services.xml:23:13: unsupported <chain> in <document-processing>: searcher "
        "and processor chains"
    ),
    "vespa-tests/application-packages/configserver/app-jdisc-only": (
        "services.xml:7:13: unsupported <chain> in <document-processing>: searcher "
        "and processor chains"
    ),
    "vespa-tests/application-packages/configserver/app-jdisc-only-restart": (
        "services.xml:14:13: unsupported <chain> in <document-processing>: searcher "
        "and processor chains"
    ),
    "vespa-tests/application-packages/configserver/app-major-version-7": (
        "services.xml:23:13: unsupported <chain> in <document-processing>: searcher "
        "and processor chains"
    ),
    "vespa-tests/application-packages/configserver/app-with-multiple-clusters": (
        "services.xml:20:13: document type 'bar' is already stored by content cluster 'foo'"
    ),
    "vespa-tests/application-packages/configserver/app_sdbundles": (
        "services.xml:18:9: unexpected text '>' in <nodes>"
    ),
    "vespa-tests/application-packages/configserver/content": (
        "services.xml:23:13: unsupported <chain> in <document-processing>: searcher "
        "and processor chains"
    ),
    "vespa-tests/application-packages/configserver/content2": (
        "services.xml:23:13: unsupported <chain> in <document-processing>: searcher "
        "and processor chains"
    ),
    "vespa-tests/application-packages/configserver/deprecated-features-app": (
        "services.xml:23:13: unsupported <chain> in <document-processing>: searcher "
        "and processor chains"
    ),
    "vespa-tests/application-packages/configserver/hosted": (
        "services.xml:7:7: unsupported <filtering> in <http>: HTTP filters"
    ),
    "vespa-tests/application-packages/configserver/hosted-invalid-file-extension": (
        "services.xml:7:7: unsupported <filtering> in <http>: HTTP filters"
    ),
    "vespa-tests/application-packages/configserver/hosted-routing-app": (
        "services.xml:7:7: unsupported <filtering> in <http>: HTTP filters"
    ),
    ("vespa-tests/application-packages/configserver/hosted-with-duplicated-hosts-in-hosts-xml"): (
        "services.xml:7:7: unsupported <filtering> in <http>: HTTP filters"
    ),
    "vespa-tests/application-packages/configserver/legacy-flag": (
        "services.xml:5:5: unsupported element <legacy> in <services>"
    ),
    "vespa-tests/application-packages/configserver/validationOverride": (
        "services.xml:4:9: unsupported <filtering> in <http>: HTTP filters"
    ),
    "vespa-tests/application-packages/configserver/zkapp": (
        "schemas/laptop.sd:20:36: unsupported indexing expression 'for_each { ... }' "
        "in field 'location'"
    ),
    "vespa-tests/application-packages/configserver/zkfeed": (
        "services.xml:12:7: unsupported <include> in <search>: included files"
    ),
    "vespa-tests/vespa-cli-test-format/app-withSource": (
        "services.xml:24:5: unsupported <component> in <container>: Java components and embedders"
    ),
}
REFUSED_SCHEMAS: dict[str, str] = {
    "application-packages/config-model/onnx/schemas/test.sd": (
        "application-packages/config-model/onnx/schemas/test.sd:11:5: unsupported: "
        "onnx-model (no ONNX runtime)"
    ),
    ("application-packages/config-model/validation/ranking_constants_fail/schemas/simple.sd"): (
        "application-packages/config-model/validation/ranking_constants_fail/schemas/"
        "simple.sd:6:3: unsupported: constant read from a file"
    ),
    ("application-packages/config-model/validation/ranking_constants_ok/schemas/simple.sd"): (
        "application-packages/config-model/validation/ranking_constants_ok/schemas/si"
        "mple.sd:5:3: unsupported: constant read from a file"
    ),
    (
        "application-packages/config-model/validation/testjars/nomanifest/searchdefinitions/book.sd"
    ): (
        "application-packages/config-model/validation/testjars/nomanifest/searchdefin"
        "itions/book.sd:48:4: unsupported attribute setting 'no-update' in field "
        "'did'"
    ),
    (
        "application-packages/config-model/validation/testjars/nomanifest/searchdefin"
        "itions/video.sd"
    ): (
        "application-packages/config-model/validation/testjars/nomanifest/searchdefin"
        "itions/video.sd:57:4: unsupported attribute setting 'no-update' in field "
        "'did'"
    ),
    ("application-packages/config-model/validation/testjars/ok/searchdefinitions/book.sd"): (
        "application-packages/config-model/validation/testjars/ok/searchdefinitions/b"
        "ook.sd:48:4: unsupported attribute setting 'no-update' in field 'did'"
    ),
    ("application-packages/config-model/validation/testjars/ok/searchdefinitions/video.sd"): (
        "application-packages/config-model/validation/testjars/ok/searchdefinitions/v"
        "ideo.sd:57:4: unsupported attribute setting 'no-update' in field 'did'"
    ),
    "schema-derived/annotationsimplicitstruct/annotationsimplicitstruct.sd": (
        "schema-derived/annotationsimplicitstruct/annotationsimplicitstruct.sd:6:3: "
        "unsupported: annotation types"
    ),
    "schema-derived/annotationsinheritance/annotationsinheritance.sd": (
        "schema-derived/annotationsinheritance/annotationsinheritance.sd:6:3: "
        "unsupported: annotation types"
    ),
    "schema-derived/annotationsinheritance2/annotationsinheritance2.sd": (
        "schema-derived/annotationsinheritance2/annotationsinheritance2.sd:6:3: "
        "unsupported: annotation types"
    ),
    "schema-derived/annotationsoutsideofdocument/annotationsoutsideofdocument.sd": (
        "schema-derived/annotationsoutsideofdocument/annotationsoutsideofdocument.sd:"
        "6:1: unsupported: annotation types"
    ),
    "schema-derived/annotationspolymorphy/annotationspolymorphy.sd": (
        "schema-derived/annotationspolymorphy/annotationspolymorphy.sd:6:3: "
        "unsupported: annotation types"
    ),
    "schema-derived/annotationsreference/annotationsreference.sd": (
        "schema-derived/annotationsreference/annotationsreference.sd:6:5: "
        "unsupported: annotation types"
    ),
    "schema-derived/annotationsreference2/annotationsreference2.sd": (
        "schema-derived/annotationsreference2/annotationsreference2.sd:4:9: "
        "unsupported: annotation types"
    ),
    "schema-derived/annotationssimple/annotationssimple.sd": (
        "schema-derived/annotationssimple/annotationssimple.sd:5:3: unsupported: annotation types"
    ),
    "schema-derived/annotationsstruct/annotationsstruct.sd": (
        "schema-derived/annotationsstruct/annotationsstruct.sd:7:9: unsupported: annotation types"
    ),
    "schema-derived/annotationsstructarray/annotationsstructarray.sd": (
        "schema-derived/annotationsstructarray/annotationsstructarray.sd:7:9: "
        "unsupported: annotation types"
    ),
    "schema-derived/gen-old/annotation_serialize_test.sd": (
        "schema-derived/gen-old/annotation_serialize_test.sd:7:9: unsupported: annotation types"
    ),
    "schema-derived/globalphase_onnx_inside/test.sd": (
        "schema-derived/globalphase_onnx_inside/test.sd:13:5: unsupported: constant "
        "read from a file"
    ),
    "schema-derived/globalphase_token_functions/test.sd": (
        "schema-derived/globalphase_token_functions/test.sd:19:5: unsupported: "
        "onnx-model (no ONNX runtime)"
    ),
    "schema-derived/indexschema/indexschema.sd": (
        "schema-derived/indexschema/indexschema.sd:26:7: unsupported rank setting "
        "'literal' in field 'sd'"
    ),
    "schema-derived/mail/mail.sd": (
        "schema-derived/mail/mail.sd:56:7: unsupported match setting 'substring' in field 'body'"
    ),
    "schema-derived/neuralnet/neuralnet.sd": (
        "schema-derived/neuralnet/neuralnet.sd:218:5: unsupported: constant read from a file"
    ),
    "schema-derived/neuralnet_noqueryprofile/neuralnet.sd": (
        "schema-derived/neuralnet_noqueryprofile/neuralnet.sd:239:5: unsupported: "
        "constant read from a file"
    ),
    "schema-derived/rankingexpression/rankexpression.sd": (
        "schema-derived/rankingexpression/rankexpression.sd:131:9: unsupported: "
        "expression read from a file"
    ),
    "schema-derived/rankingmacros/rankingmacros.sd": (
        "schema-derived/rankingmacros/rankingmacros.sd:49:28: expected '(' after "
        "function 'macro_with_dollar', got '$'"
    ),
    "schema-derived/rankprofileinheritance/parent1.sd": (
        "schema-derived/rankprofileinheritance/parent1.sd:38:7: unsupported "
        "'total-keep-rank-count' in first-phase"
    ),
    "schema-derived/rankprofiles/rankprofiles.sd": (
        "schema-derived/rankprofiles/rankprofiles.sd:22:3: unsupported: model"
    ),
    "schema-derived/ranktypes/ranktypes.sd": (
        "schema-derived/ranktypes/ranktypes.sd:23:7: unsupported rank setting "
        "'literal' in field 'identity'"
    ),
    "schema-derived/schemainheritance/child.sd": (
        "schema-derived/schemainheritance/child.sd:29:5: unsupported: constant read from a file"
    ),
    "schema-derived/schemainheritance/parent.sd": (
        "schema-derived/schemainheritance/parent.sd:28:13: unsupported: constant "
        "'parent_constant' read from a file"
    ),
    "schema-derived/streamingstruct/streamingstruct.sd": (
        "schema-derived/streamingstruct/streamingstruct.sd:19:9: unsupported match "
        "setting 'substring' in field 'f1s'"
    ),
    "schema-derived/structanyorder/structanyorder.sd": (
        "schema-derived/structanyorder/structanyorder.sd:11:3: unsupported: annotation types"
    ),
    "schema-derived/twostreamingstructs/streamingstruct.sd": (
        "schema-derived/twostreamingstructs/streamingstruct.sd:19:9: unsupported "
        "match setting 'substring' in field 'f1s'"
    ),
    "schema-derived/vector_constant/test.sd": (
        "schema-derived/vector_constant/test.sd:7:5: unsupported: constant read from a file"
    ),
    "schema-examples/badparse.sd": (
        "schema-examples/badparse.sd:4:5: unsupported 'something' in document 'foo'"
    ),
    "schema-examples/documents.sd": (
        "schema-examples/documents.sd:15:1: unexpected text after schema 'one'"
    ),
    "schema-examples/importing.sd": (
        "schema-examples/importing.sd:9:3: unsupported 'use-document' in schema 'textindex'"
    ),
    "schema-examples/incorrectrankingexpressionfileref.sd": (
        "schema-examples/incorrectrankingexpressionfileref.sd:9:7: unsupported: "
        "expression read from a file"
    ),
    "schema-examples/indexsettings.sd": (
        "schema-examples/indexsettings.sd:24:9: unsupported 'linguistics' in field 'l1'"
    ),
    "schema-examples/invalid_sd_construct.sd": (
        "schema-examples/invalid_sd_construct.sd:5:36: unexpected '(' in indexing"
    ),
    "schema-examples/invalid_sd_junk_at_end.sd": (
        "schema-examples/invalid_sd_junk_at_end.sd:10:1: unexpected text after schema 'junkatend'"
    ),
    "schema-examples/invalid_sd_lexical_error.sd": (
        "schema-examples/invalid_sd_lexical_error.sd:7:26: unexpected character '\\xa0' in indexing"
    ),
    "schema-examples/invalid_sd_no_closing_bracket.sd": (
        "schema-examples/invalid_sd_no_closing_bracket.sd:2:1: schema "
        "'noclosingbracket' is not closed: expected '}'"
    ),
    "schema-examples/rankingexpressionfunction/rankingexpressionfunction.sd": (
        "schema-examples/rankingexpressionfunction/rankingexpressionfunction.sd:26:7:"
        " unsupported: expression read from a file"
    ),
    "schema-examples/rankmodifier/literal.sd": (
        "schema-examples/rankmodifier/literal.sd:7:7: unsupported rank setting "
        "'literal' in field 'title'"
    ),
    "schema-lsp-sdfiles/multi/documentid/attr.sd": (
        "schema-lsp-sdfiles/multi/documentid/attr.sd:3:3: unsupported 'documentid' in schema 'attr'"
    ),
    "schema-lsp-sdfiles/multi/documentid/disk.sd": (
        "schema-lsp-sdfiles/multi/documentid/disk.sd:3:3: unsupported 'documentid' in schema 'disk'"
    ),
    "schema-lsp-sdfiles/single/hover.sd": (
        "schema-lsp-sdfiles/single/hover.sd:36:13: unsupported rank setting "
        "'literal' in field 'name'"
    ),
    "schema-lsp-sdfiles/single/linguistics.sd": (
        "schema-lsp-sdfiles/single/linguistics.sd:8:13: unsupported 'linguistics' in "
        "field 'combined_keywords_suggestions'"
    ),
    "schema-lsp-sdfiles/single/onnxmodel.sd": (
        "schema-lsp-sdfiles/single/onnxmodel.sd:14:9: unsupported 'onnx-model' in "
        "rank-profile 'profile'"
    ),
    "schema-lsp-sdfiles/single/onnxmodelinput.sd": (
        "schema-lsp-sdfiles/single/onnxmodelinput.sd:19:9: unsupported 'onnx-model' "
        "in rank-profile 'profile'"
    ),
    "schema-lsp-sdfiles/single/spotcheck.sd": (
        "schema-lsp-sdfiles/single/spotcheck.sd:36:13: unsupported rank setting "
        "'literal' in field 'count'"
    ),
}


def _packages() -> list[str]:
    return sorted(
        p.parent.relative_to(CONFORMANCE).as_posix() for p in CONFORMANCE.rglob("services.xml")
    )


def _schemas() -> list[str]:
    return sorted(p.relative_to(VESPA_TESTS).as_posix() for p in VESPA_TESTS.rglob("*.sd"))


def _outcome(run: Callable[[], object]) -> str | None:
    """Run ``run``; None when accepted, else the first message of our error."""
    try:
        run()
    except InvalidApplicationPackageError as e:
        messages = list(e.messages)
    else:
        return None
    assert messages, "an InvalidApplicationPackageError must carry messages"
    for message in messages:
        assert LOCATED.match(message), f"no file:line:col in {message!r}"
    return messages[0]


pytestmark = pytest.mark.skipif(
    not CONFORMANCE.is_dir(), reason=f"conformance material {CONFORMANCE} not present"
)


@pytest.mark.parametrize("package", _packages())
def test_package_outcome(package: str) -> None:
    root = CONFORMANCE / package
    files = read_package_dir(root)
    outcome = _outcome(lambda: derive_application(files, 1, None, port_counter()))
    assert outcome == REFUSED_PACKAGES.get(package)


@pytest.mark.parametrize("schema", _schemas())
def test_schema_outcome(schema: str) -> None:
    data = (VESPA_TESTS / schema).read_bytes()
    outcome = _outcome(lambda: parse_schema(data, schema))
    assert outcome == REFUSED_SCHEMAS.get(schema)


def test_expected_lists_name_existing_files() -> None:
    assert set(REFUSED_PACKAGES) <= set(_packages())
    assert set(REFUSED_SCHEMAS) <= set(_schemas())


def test_every_sample_app_is_covered() -> None:
    sample_apps = {p for p in _packages() if p.startswith("sample-apps/")}
    tops = {Path(p).parts[1] for p in sample_apps}
    listed = {p.name for p in (CONFORMANCE / "sample-apps").iterdir() if p.is_dir()}
    assert tops == listed


REPO_PACKAGES = Path(__file__).resolve().parents[3] / "apppackages"


@pytest.mark.parametrize(
    "package",
    sorted(p.name for p in (REPO_PACKAGES / "invalid").iterdir() if p.is_dir())
    if (REPO_PACKAGES / "invalid").is_dir()
    else [],
)
def test_repo_invalid_package_gives_its_expected_error(package: str) -> None:
    root = REPO_PACKAGES / "invalid" / package
    expected = (root / "expected-error.txt").read_text().strip()
    files = {k: v for k, v in read_package_dir(root).items() if k != "expected-error.txt"}
    outcome = _outcome(lambda: derive_application(files, 1, None, port_counter()))
    assert outcome is not None
    assert expected in outcome


def test_repo_sample_package_is_accepted() -> None:
    root = REPO_PACKAGES / "sample"
    if not root.is_dir():
        pytest.skip("no apppackages/sample")
    derived = derive_application(read_package_dir(root), 1, None, port_counter())
    assert derived.content.schemas
