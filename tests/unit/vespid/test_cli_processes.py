"""PID files, detached processes and stopping them (throwaway ``sleep`` children)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from vespid.cli.errors import CliError
from vespid.cli.local import check_system_dependencies, crash_looping
from vespid.cli.package import package_files, zip_package
from vespid.cli.processes import (
    Home,
    PidRecord,
    is_running,
    log_tail,
    read_pid_file,
    record_of,
    start_detached,
    stop_recorded,
    write_pid_file,
)
from vespid.cli.readiness import Watched, wait_until


def test_pid_file_round_trip_and_garbage(tmp_path: Path) -> None:
    path = tmp_path / "run" / "x.pid"
    write_pid_file(path, PidRecord(123, "456"))
    assert read_pid_file(path) == PidRecord(123, "456")
    path.write_text("not a pid\n")
    assert read_pid_file(path) is None
    assert read_pid_file(tmp_path / "missing.pid") is None


def test_a_recycled_pid_does_not_match_its_old_record() -> None:
    me = record_of(os.getpid())
    assert is_running(me)
    assert not is_running(PidRecord(os.getpid(), "1"))


def test_start_detached_then_stop_recorded(tmp_path: Path) -> None:
    home = Home(tmp_path)
    home.make_dirs()
    script = "import time; print('hello', flush=True); time.sleep(60)"
    process = start_detached([sys.executable, "-c", script], home.log_file("s"), home.pid_file("s"))
    record = read_pid_file(home.pid_file("s"))
    assert record is not None
    assert record.pid == process.pid
    assert os.getpgid(process.pid) == process.pid
    wait_until(lambda: True if "hello" in log_tail(home.log_file("s")) else None, "hello", 10)
    # Reap the child as soon as it dies, as init does for a real detached process.
    assert stop_recorded(home.pid_file("s"), timeout=5)
    assert process.wait(5) == -signal.SIGTERM
    assert not home.pid_file("s").exists()
    assert not stop_recorded(home.pid_file("s"))


def test_stop_recorded_kills_a_stubborn_group(tmp_path: Path) -> None:
    script = (
        "import signal, subprocess, sys, time;"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN);"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']);"
        "print('ready', flush=True); time.sleep(60)"
    )
    log = tmp_path / "g.log"
    process = start_detached([sys.executable, "-c", script], log, tmp_path / "g.pid")
    wait_until(lambda: True if "ready" in log_tail(log) else None, "ready", 10)
    assert stop_recorded(tmp_path / "g.pid", timeout=0.5)
    assert process.wait(5) == -signal.SIGKILL
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)


def test_stop_recorded_sweeps_children_of_a_leader_that_died(tmp_path: Path) -> None:
    script = (
        "import subprocess, sys;"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']);"
        "print('spawned', flush=True)"
    )
    log = tmp_path / "orphan.log"
    process = start_detached([sys.executable, "-c", script], log, tmp_path / "o.pid")
    assert process.wait(10) == 0
    os.killpg(process.pid, 0)  # the orphaned child still holds the process group
    assert stop_recorded(tmp_path / "o.pid", timeout=1)
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)


def test_log_tail_keeps_the_last_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    path.write_text("".join(f"line {i}\n" for i in range(100)))
    assert log_tail(path, 3) == "line 97\nline 98\nline 99"
    assert log_tail(tmp_path / "none.log") == ""


def test_waiting_stops_with_the_log_tail_when_a_watched_process_dies(tmp_path: Path) -> None:
    log = tmp_path / "dying.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", "import sys; print('port in use'); sys.exit(2)"],
            stdout=out,
        )
    process.wait(10)
    with pytest.raises(CliError, match="exited with status 2") as info:
        wait_until(lambda: None, "Godot", 30, [Watched("The server", process, log)])
    assert "port in use" in info.value.message


def test_waiting_times_out_with_the_logs_asked_for(tmp_path: Path) -> None:
    log = tmp_path / "svc.log"
    log.write_text("still loading\n")
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    with pytest.raises(CliError, match=r"Timed out after 5 s waiting for Godot") as info:
        wait_until(
            lambda: None,
            "Godot",
            5,
            logs_on_timeout=lambda: [("svc", log)],
            clock=lambda: now[0],
            sleep=sleep,
        )
    assert "still loading" in info.value.message
    assert wait_until(lambda: 42, "the answer", 0) == 42


def test_waiting_ends_when_a_service_keeps_crashing(tmp_path: Path) -> None:
    home = Home(tmp_path)
    home.make_dirs()
    status = {
        "content-books-0": {"pid": None, "starts": 2, "last_exit": -9, "quick_exits": 1},
        "container-default-8080": {"pid": 7, "starts": 4, "last_exit": 1, "quick_exits": 3},
    }
    home.services_status_file.write_text(json.dumps(status))
    home.log_file("container-default-8080").write_text("Address already in use\n")
    with pytest.raises(CliError) as info:
        wait_until(lambda: None, "the container", 60, failed=lambda: crash_looping(home))
    message = info.value.message
    assert message.startswith(
        "container-default-8080 keeps exiting (last status 1, started 4 times)."
    )
    assert "Address already in use" in message
    assert message.endswith("Gave up waiting for the container.")
    home.services_status_file.write_text("{}")
    assert crash_looping(home) is None


def test_zip_package_has_entries_at_the_root_and_skips_hidden_files(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "services.xml").write_text("<services/>")
    (tmp_path / "schemas" / "music.sd").write_text("schema music {}")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("x")
    (tmp_path / ".swp").write_text("x")
    assert package_files(tmp_path) == [Path("schemas/music.sd"), Path("services.xml")]
    with zipfile.ZipFile(BytesIO(zip_package(tmp_path))) as archive:
        assert archive.namelist() == ["schemas/music.sd", "services.xml"]
        assert archive.read("services.xml") == b"<services/>"


def test_a_package_needs_services_xml(tmp_path: Path) -> None:
    with pytest.raises(CliError, match=r"has no services\.xml"):
        zip_package(tmp_path)
    with pytest.raises(CliError, match="is not a directory"):
        zip_package(tmp_path / "nowhere")


def test_missing_java_and_zookeeper_name_the_apt_packages(tmp_path: Path) -> None:
    with pytest.raises(CliError) as info:
        check_system_dependencies(lambda _: None, tmp_path / "zookeeper.jar")
    assert "default-jre-headless (java), zookeeper (" in info.value.message
    assert info.value.message.endswith("sudo apt-get install zookeeper default-jre-headless")
    jar = tmp_path / "zookeeper.jar"
    jar.write_bytes(b"PK")
    check_system_dependencies(lambda name: f"/usr/bin/{name}", jar)
