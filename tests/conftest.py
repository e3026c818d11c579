"""Shared fixtures. Area-specific fixtures live in tests/fixtures/*.py and are loaded as plugins."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kik_graph.store import OxigraphStore, build_store

pytest_plugins = [f"tests.fixtures.{p.stem}" for p in sorted((Path(__file__).parent / "fixtures").glob("*.py"))
                  if p.stem != "__init__"]

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built once per test session from graph_data/ (read-only use)."""
    path = tmp_path_factory.mktemp("kik") / "store"
    build_store(path).close()
    return path


@pytest.fixture(scope="session")
def store(store_path: Path) -> OxigraphStore:
    """The session store with the KIK data (do not write to it; use ``fresh_store`` for writes)."""
    return OxigraphStore(store_path)


@pytest.fixture()
def fresh_store(tmp_path: Path) -> OxigraphStore:
    """A private store with the KIK data that a test may change."""
    return build_store(tmp_path / "store")


@contextmanager
def app_store(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Path]:
    """A store built for AppTests: ``KIK_GRAPH_STORE`` points at it and the app's cached store is reset,
    before and after (the previous environment is restored)."""
    from kik_graph.ui.common import get_store

    path = tmp_path_factory.mktemp(name) / "store"
    build_store(path).close()
    previous = os.environ.get("KIK_GRAPH_STORE")
    os.environ["KIK_GRAPH_STORE"] = str(path)
    get_store.clear()
    try:
        yield path
    finally:
        get_store.clear()
        if previous is None:
            os.environ.pop("KIK_GRAPH_STORE", None)
        else:
            os.environ["KIK_GRAPH_STORE"] = previous


def require_or_skip(condition: bool, reason: str) -> None:
    """Skip locally when a system dependency is missing, but fail in CI (CI must run every test)."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"In CI nicht erlaubt zu überspringen: {reason}")
    pytest.skip(reason)
