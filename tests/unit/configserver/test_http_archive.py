"""Safe unpacking: malicious archives are refused with a 400 and nothing is stored."""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile

import httpx
import pytest
from hypothesis import given, strategies as st

from configserver.errors import BadRequestError
from configserver.http.archive import ArchiveLimits, safe_name, unpack
from configserver.http.upload import split_multipart
from tests.unit.configserver.test_http_deploy import TENANT, ZIP, new_manager, serve
from tests.unit.configserver.test_session_manager import SERVICES, make_zip

TAR_GZ = "application/x-gzip"


def zip_with(*infos: tuple[zipfile.ZipInfo | str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in infos:
            archive.writestr(info, data)
    return buffer.getvalue()


def tar_with(*members: tuple[tarfile.TarInfo, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for info, data in members:
            info.size = len(data) if info.isfile() else 0
            archive.addfile(info, io.BytesIO(data) if info.isfile() else None)
    return buffer.getvalue()


def tar_info(name: str, kind: bytes = tarfile.REGTYPE, target: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def zip_symlink(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


def test_zip_unpacks() -> None:
    files = {"services.xml": SERVICES, "schemas/music.sd": b"schema music {}", "empty": b""}
    assert unpack(make_zip(files), "application/zip") == files


def test_single_top_directory_is_the_root() -> None:
    body = tar_with((tar_info("app/services.xml"), SERVICES), (tar_info("app/schemas/a.sd"), b"x"))
    assert unpack(body, TAR_GZ) == {"services.xml": SERVICES, "schemas/a.sd": b"x"}


def test_dot_segments_are_normalized() -> None:
    assert unpack(zip_with(("./services.xml", b"x")), "application/zip") == {"services.xml": b"x"}


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (zip_with(("../evil.sh", b"x")), "application/zip", "'..'"),
        (zip_with(("schemas/../../evil", b"x")), "application/zip", "'..'"),
        (zip_with(("/etc/passwd", b"x")), "application/zip", "absolute path"),
        (zip_with(("C:/evil", b"x")), "application/zip", "absolute path"),
        (zip_with(("a\\..\\evil", b"x")), "application/zip", "backslash"),
        (zip_with(("a\ue000b", b"x")), "application/zip", "private-use"),
        (zip_with(zip_symlink("services.xml", "/etc/passwd")), "application/zip", "symbolic link"),
        (tar_with((tar_info("../x"), b"x")), TAR_GZ, "'..'"),
        (tar_with((tar_info("s", tarfile.SYMTYPE, "/etc/passwd"), b"")), TAR_GZ, "is a link"),
        (tar_with((tar_info("h", tarfile.LNKTYPE, "/etc/passwd"), b"")), TAR_GZ, "is a link"),
        (tar_with((tar_info("dev", tarfile.CHRTYPE), b"")), TAR_GZ, "not a regular file"),
        (zip_with(("a", b"x"), ("a/b", b"y")), "application/zip", "both a file and a directory"),
        (zip_with(("a", b"x"), ("./a", b"y")), "application/zip", "twice"),
        (b"not a zip", "application/zip", "not a valid zip"),
        (b"not a tar", TAR_GZ, "not a valid tar.gz"),
        (zip_with(("dir/", b"")), "application/zip", "empty"),
    ],
)
def test_refused(body: bytes, content_type: str, message: str) -> None:
    with pytest.raises(BadRequestError, match=message.replace(".", r"\.")):
        unpack(body, content_type)


def test_zip_bomb_is_refused() -> None:
    body = zip_with(("services.xml", b"\0" * (20 * 1024 * 1024)))
    assert len(body) < 100_000
    with pytest.raises(BadRequestError, match="zip bomb"):
        unpack(body, "application/zip")


def test_limits_on_size_and_count() -> None:
    body = make_zip({f"f{i}": b"abc" for i in range(5)})
    with pytest.raises(BadRequestError, match="more than 4 files"):
        unpack(body, "application/zip", ArchiveLimits(max_files=4))
    with pytest.raises(BadRequestError, match="more than 10 bytes"):
        unpack(body, "application/zip", ArchiveLimits(max_bytes=10))


def test_lying_declared_size_is_refused() -> None:
    body = bytearray(zip_with(("services.xml", b"0123456789" * 10)))
    # Patch the central directory's uncompressed size (offset 24 of the entry) to 5.
    central = body.rfind(b"PK\x01\x02")
    body[central + 24 : central + 28] = (5).to_bytes(4, "little")
    with pytest.raises(BadRequestError):
        unpack(bytes(body), "application/zip")


@given(st.text(max_size=40))
def test_safe_name_never_escapes(raw: str) -> None:
    try:
        name = safe_name(raw)
    except BadRequestError:
        return
    if name is not None:
        assert not name.startswith("/")
        assert ".." not in name.split("/")
        assert "" not in name.split("/")


def test_refused_upload_stores_nothing() -> None:
    manager = new_manager()

    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        body = zip_with(("services.xml", SERVICES), ("../../evil", b"x"))
        return await client.post(TENANT + "/session", content=body, headers=ZIP)

    response = serve(scenario, manager)
    assert response.status_code == 400
    assert "'..'" in response.json()["message"]
    assert manager.store.session_ids("default") == []
    assert manager.store.next_session_id() == 1


VALID_ZIP = make_zip({"services.xml": SERVICES, "schemas/a.sd": b"schema a {}" * 20})
VALID_TAR = tar_with((tar_info("services.xml"), SERVICES), (tar_info("b.sd"), b"schema b {}" * 20))


@given(st.data())
def test_corrupted_archives_raise_only_bad_request(data: st.DataObject) -> None:
    """Flip bytes of valid archives: unpack either succeeds or refuses with a 400."""
    content_type, original = data.draw(
        st.sampled_from([("application/zip", VALID_ZIP), (TAR_GZ, VALID_TAR)])
    )
    body = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(body) - 1))
        body[position] = data.draw(st.integers(0, 255))
    try:
        files = unpack(bytes(body), content_type)
    except BadRequestError:
        return
    assert all(safe_name(name) == name for name in files)


@given(st.binary(max_size=300), st.sampled_from([b"--b\r\n", b"\r\n\r\n", b"name=", b"--b--"]))
def test_multipart_parser_raises_only_bad_request(noise: bytes, token: bytes) -> None:
    body = b"--b\r\nContent-Disposition: form-data; " + token + noise + b"\r\n--b--\r\n"
    try:
        parts = split_multipart(body, "b")
    except BadRequestError:
        return
    assert all(isinstance(data, bytes) for _, data in parts.values())


def test_multipart_parts() -> None:
    body = (
        b'--xyz\r\nContent-Disposition: form-data; name="prepareParams"\r\n'
        b"Content-Type: application/json\r\n\r\n{}\r\n"
        b'--xyz\r\nContent-Disposition: form-data; name="applicationPackage"; '
        b'filename="app.zip"\r\nContent-Type: application/zip\r\n\r\nPK\r\n\x00\r\n'
        b"--xyz--\r\n"
    )
    assert split_multipart(body, "xyz") == {
        "prepareParams": ("application/json", b"{}"),
        "applicationPackage": ("application/zip", b"PK\r\n\x00"),
    }
