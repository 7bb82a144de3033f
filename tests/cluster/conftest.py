"""A real 2-node Ray cluster on loopback for the Ray executor's tests: 1 CPU per node, the ports
Ray would otherwise pick fixed up front, its temp directory and auth token under the tests' temp
dir. One per test process (the tests that use it form one xdist group, so one process)."""

from __future__ import annotations

import contextlib
import importlib.util
import secrets
import shutil
import socket
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

RAY_MISSING = importlib.util.find_spec("ray") is None
T = TypeVar("T")


def on_cluster(test: T) -> T:
    """A test of the shared cluster: skipped without Ray, and in the one xdist group that has it."""
    skip = pytest.mark.skipif(RAY_MISSING, reason="the Ray executor's tests need Ray: pip install 'overseer[ray]'")
    return pytest.mark.xdist_group("ray-cluster")(skip(test))  # type: ignore[no-any-return]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _node_ports() -> dict[str, int]:
    return {"dashboard_agent_listen_port": _free_port(), "metrics_export_port": _free_port(),
            "runtime_env_agent_port": _free_port()}


@contextlib.contextmanager
def _node_temp(directory: Path) -> Iterator[None]:
    """Nodes started inside make their temp files (overseer's node-local copies) in ``directory``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TMPDIR", str(directory))
        yield


@dataclass
class LoopbackCluster:
    cluster: Any
    head_id: str
    worker: Any
    env: dict[str, str]      # what a process needs to reach it (token, loopback)
    node_temp: Path          # the nodes' temp dir
    client_port: int         # the head's Ray Client server (addresses ray://127.0.0.1:PORT)

    @property
    def address(self) -> str:
        return str(self.cluster.address)

    @property
    def worker_id(self) -> str:
        return str(self.worker.node_id)

    def replace_worker(self) -> None:
        """A fresh worker node (after a test removed the old one)."""
        with _node_temp(self.node_temp):
            self.worker = self.cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1", **_node_ports())


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[LoopbackCluster]:
    # Unix socket paths must stay under ~107 bytes: Ray's session folder is long, so the cluster's
    # temp dir is a short one in the system temp dir, removed afterwards.
    temp = Path(tempfile.mkdtemp(prefix="ovr-"))
    (temp / "ray").mkdir()
    token = temp / "token"
    token.write_text(secrets.token_hex(16))
    env = {"RAY_TMPDIR": str(temp), "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": str(token),
           # Everything on 127.0.0.1: Ray otherwise binds the machine's external address.
           "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        from ray.cluster_utils import Cluster  # after the environment: Ray reads it at import

        (temp / "nodes").mkdir()
        client_port = _free_port()
        with _node_temp(temp / "nodes"):
            cluster = Cluster(initialize_head=True, head_node_args={
                "num_cpus": 1, "temp_dir": str(temp), "include_dashboard": False,
                "node_ip_address": "127.0.0.1", "ray_client_server_port": client_port, **_node_ports()})
            worker = cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1", **_node_ports())
        try:
            yield LoopbackCluster(cluster, str(cluster.head_node.node_id), worker, env, temp / "nodes",
                                  client_port)
        finally:
            cluster.shutdown()
            shutil.rmtree(temp, ignore_errors=True)
