"""Shared fixtures. Area-specific fixtures live in tests/fixtures/*.py and are loaded as plugins."""

from __future__ import annotations

import os
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


def require_or_skip(condition: bool, reason: str) -> None:
    """Skip locally when a system dependency is missing, but fail in CI (CI must run every test)."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"In CI nicht erlaubt zu überspringen: {reason}")
    pytest.skip(reason)
