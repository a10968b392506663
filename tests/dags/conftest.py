"""The DagBag of the project's dags/ folder, shared by the DAG tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def dagbag(dag_bag: Any) -> Any:
    """The session's DagBag (tests/conftest.py)."""
    return dag_bag
