"""Benchmark: redeploying the sample package, and how soon every service runs the new generation.

Starts a Vespid with ``vespid up`` (sample package, its 100 documents fed) on free
ports, then deploys the package again ``DEPLOYS`` times, each time with a small change
(the ``rating`` rank profile's expression gets another constant), as a user iterating
on a ranking would. For each deploy it measures:

- **prepare+activate**: one ``POST /application/v2/tenant/default/prepareandactivate``
  with the zipped package, from sending the request to the answer (upload, unpack,
  parse, validate, derive the configs, change actions, store in ZooKeeper, activate);
- **convergence**: from that answer until every service of the host (the container
  and the content node) reports the new generation in ``GET /state/v1/config``,
  polled every ``POLL`` seconds per service.

Prints the median and the maximum of each, then stops the Vespid. Not a test: run it
with ``.venv/bin/python -m tests.perf.bench_deploy``.
"""

from __future__ import annotations

import io
import platform
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import httpx

from tests.e2e.harness import SAMPLE, Instance, run_vespid, running_instance

DEPLOYS = 15
POLL = 0.005
"""Seconds between two reads of one service's /state/v1/config."""
CONVERGE_TIMEOUT = 60.0
DEPLOY_PATH = "/application/v2/tenant/default/prepareandactivate"
CONVERGE_PATH = (
    "/application/v2/tenant/default/application/default/environment/prod/region/default"
    "/instance/default/serviceconverge"
)
RATING = "expression: attribute(rating)"


def zipped(root: Path) -> bytes:
    """The package directory as a zip, entries at the root (as clients send it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(root).as_posix())
    return buffer.getvalue()


def change_ranking(app_dir: Path, step: int) -> None:
    """The small change of deploy ``step``: a new constant in the rating profile."""
    schema = app_dir / "schemas" / "book.sd"
    original = (SAMPLE / "schemas" / "book.sd").read_text()
    assert RATING in original
    schema.write_text(original.replace(RATING, f"{RATING} + {step}"))


def service_urls(client: httpx.Client, inst: Instance) -> list[str]:
    """Base URLs of every service of the active application (from serviceconverge)."""
    services = client.get(inst.config_server + CONVERGE_PATH).json()["services"]
    return [f"http://{s['host']}:{s['port']}" for s in services]


def wait_for_generation(client: httpx.Client, urls: list[str], generation: int) -> None:
    """Poll every service until each reports ``generation`` (or a newer one)."""
    pending = set(urls)
    deadline = time.monotonic() + CONVERGE_TIMEOUT
    while pending:
        for url in sorted(pending):
            reported = client.get(url + "/state/v1/config").json()["config"]["generation"]
            if reported >= generation:
                pending.discard(url)
        if pending:
            if time.monotonic() > deadline:
                raise SystemExit(f"{sorted(pending)} never reported generation {generation}")
            time.sleep(POLL)


def deploy_once(client: httpx.Client, inst: Instance, urls: list[str]) -> tuple[float, float]:
    """Deploy the package in ``inst.app_dir``: seconds to activate, then to converge."""
    body = zipped(inst.app_dir)
    started = time.perf_counter()
    response = client.post(
        inst.config_server + DEPLOY_PATH,
        content=body,
        headers={"Content-Type": "application/zip"},
    )
    activated = time.perf_counter()
    if response.status_code != 200:
        raise SystemExit(f"deploy failed: {response.status_code} {response.text}")
    wait_for_generation(client, urls, int(response.json()["session-id"]))
    return activated - started, time.perf_counter() - activated


def run(root: Path) -> tuple[list[float], list[float]]:
    """Start a Vespid under ``root``, redeploy it ``DEPLOYS`` times, stop it."""
    with running_instance(root) as inst:
        feed = run_vespid("feed", str(SAMPLE / "feed.jsonl"), "--target", inst.container)
        if feed.returncode != 0:
            raise SystemExit(f"vespid feed failed:\n{feed.stdout}\n{feed.stderr}")
        activate: list[float] = []
        converge: list[float] = []
        with httpx.Client(timeout=30) as client:
            urls = service_urls(client, inst)
            for step in range(1, DEPLOYS + 1):
                change_ranking(inst.app_dir, step)
                took = deploy_once(client, inst, urls)
                activate.append(took[0])
                converge.append(took[1])
                sys.stdout.write(
                    f"deploy {step}: prepare+activate {took[0] * 1000:.0f} ms, "
                    f"converged {took[1] * 1000:.0f} ms later\n"
                )
        return activate, converge


def main() -> None:
    """Run the benchmark and print the figures."""
    with tempfile.TemporaryDirectory(prefix="vespid-bench-deploy-") as tmp:
        activate, converge = run(Path(tmp))
    for name, values in (
        ("prepare+activate (one prepareandactivate call)", activate),
        ("activate until every service runs the generation", converge),
    ):
        sys.stdout.write(
            f"{name}: median {statistics.median(values) * 1000:.0f} ms, "
            f"max {max(values) * 1000:.0f} ms over {len(values)} deploys\n"
        )
    sys.stdout.write(
        f"sample package, 2 services on one host; {platform.machine()} "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}\n"
    )


if __name__ == "__main__":
    main()
