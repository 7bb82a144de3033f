"""Connecting to a Ray cluster: what is refused before Ray is asked (pure parts; the session
itself is exercised against a real loopback cluster by test_driver.py)."""

from __future__ import annotations

import socket

import pytest

from overseer.cluster.session import probe_address, version_mismatch
from overseer.errors import FatalError


def test_a_node_on_another_version_is_named_in_one_line() -> None:
    here = ("0.1.0", "3.11.7")
    assert version_mismatch([("0.1.0", "3.11.9", "a" * 56)], here) is None
    problem = version_mismatch([("0.1.0", "3.11.7", "a" * 56), ("0.2.0", "3.11.7", "b" * 56)], here)
    assert problem is not None and "bbbbbbbbbbbb runs overseer 0.2.0" in problem and "\n" not in problem
    assert version_mismatch([("0.1.0", "3.12.1", "c" * 56)], here) is not None

def test_an_address_where_nothing_listens_is_refused_at_once() -> None:
    with socket.socket() as sock:   # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FatalError, match=f"nothing answers at 127.0.0.1:{port}"):
        probe_address(f"127.0.0.1:{port}")
    with pytest.raises(FatalError, match="nothing answers at ray://"):
        probe_address(f"ray://127.0.0.1:{port}")
    with pytest.raises(FatalError, match="is not HOST:PORT"):
        probe_address("head-node")
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        probe_address(f"ray://127.0.0.1:{listening.getsockname()[1]}")
    probe_address("auto")
    probe_address("")
