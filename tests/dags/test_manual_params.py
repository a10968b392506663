"""The manual DAGs' Params refuse mistakes before a run exists: the trigger form (REST 400,
``ParamValidationError`` in ``dag.test``) refuses empty required lists, a missing reason,
NUL and over-long text; and every manual DAG takes its Params from the one source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jet import limits
from jet.dag_params import MANUAL_PARAMS, unknown_keys

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.dags
ORDER = "abcdef0123456789abcdef0123456789"


def test_every_manual_dag_declares_the_shared_params(dagbag: Any) -> None:
    # Triggered only by hand, with a form: the manual actions and the catalog load (tagged
    # `catalog`, where an operator looks for it).
    manual = {dag_id for dag_id, dag in dagbag.dags.items() if dag.schedule is None and dag.params}
    assert {d for d, dag in dagbag.dags.items() if "manual" in dag.tags} <= manual
    assert manual == set(MANUAL_PARAMS), "a manual DAG without its entry in jet.dag_params.MANUAL_PARAMS"
    for dag_id, params in MANUAL_PARAMS.items():
        declared = dagbag.dags[dag_id].params
        assert set(declared) == set(params()), dag_id
        for key, param in params().items():
            assert declared.get_param(key).schema == param.schema, f"{dag_id}.{key} differs from jet.dag_params"


def _strings(schema: dict[str, Any], where: str) -> list[tuple[str, dict[str, Any]]]:
    """Every free-text string schema (no enum, no fixed pattern of its own) inside a schema."""
    found = []
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    if "string" in types and "enum" not in schema and "format" not in schema:
        found.append((where, schema))
    for name, sub in (schema.get("properties") or {}).items():
        found += _strings(sub, f"{where}.{name}")
    if isinstance(schema.get("items"), dict):
        found += _strings(schema["items"], f"{where}[]")
    return found


def test_every_text_param_is_bounded_and_free_of_control_characters() -> None:
    for dag_id, params in MANUAL_PARAMS.items():
        for key, param in params().items():
            for where, schema in _strings(param.schema, f"{dag_id}.{key}"):
                assert "pattern" in schema, f"{where}: no pattern refusing control characters"
                if schema["pattern"] in (limits.SINGLE_LINE_PATTERN, limits.MULTILINE_PATTERN):
                    assert schema.get("maxLength"), f"{where}: no maxLength"


@pytest.mark.parametrize(
    ("dag_id", "conf", "message"),
    [
        ("jet_import_order", {"merchant_order_ids": []}, "merchant_order_ids"),
        ("jet_import_order", {}, "merchant_order_ids"),
        ("jet_cancel_order", {"merchant_order_id": ORDER}, "reason"),
        ("jet_add_order_note", {"merchant_order_id": ORDER, "author": "alice", "text": "call\x00back"}, "text"),
        ("jet_add_order_note", {"merchant_order_id": ORDER, "author": "al\nice", "text": "hi"}, "author"),
        ("jet_ship_order", {"merchant_order_id": ORDER, "tracking_number": "1Z\x0099"}, "tracking_number"),
        ("jet_ship_order", {"merchant_order_id": ORDER, "tracking_number": "1Z" * 250}, "tracking_number"),
        ("jet_ship_order", {"merchant_order_id": ORDER, "return_address": {"city": "x", "planet": "Mars"}}, "return"),
        ("jet_refund_order", {"merchant_order_id": ORDER, "lines": []}, "lines"),
        (
            "jet_refund_order",
            {"merchant_order_id": ORDER, "lines": [{"order_item_id": "i1", "quantity": 1, "notes": "n" * 501}]},
            "lines",
        ),
        ("jet_load_inventory", {"file_path": "stock\x00.csv"}, "file_path"),
    ],
)
def test_the_trigger_refuses_mistakes_before_a_run_exists(
    dagbag: Any, dag_id: str, conf: dict[str, Any], message: str
) -> None:
    from airflow.sdk.exceptions import ParamValidationError

    with pytest.raises(ParamValidationError, match=message):
        dagbag.dags[dag_id].test(run_conf=conf)


def test_a_misspelled_key_is_named_with_the_key_meant() -> None:
    declared = {"merchant_order_id": 1, "reason": 2}
    assert unknown_keys(declared, {"merchant_order_id": ORDER, "reasn": "fraud"}) == [
        "unknown parameter 'reasn' (did you mean 'reason'?)"
    ]
    assert unknown_keys(declared, {"colour": "red"}) == ["unknown parameter 'colour'"]
    assert unknown_keys(declared, None) == []


@pytest.mark.parametrize(
    ("value", "multiline", "problem"),
    [
        ("1Z999", False, None),
        ("line one\nline two\ttab", True, None),
        ("line one\nline two", False, "control character ('\\n') at position 9"),
        ("a\x00b", True, "control character (NUL) at position 2"),
        ("x" * 51, False, "51 characters long, at most 50"),
    ],
)
def test_text_rules(value: str, multiline: bool, problem: str | None) -> None:
    found = limits.text_problem(value, limits.TRACKING_NUMBER_MAX, multiline=multiline)
    assert found == problem or (problem is not None and found is not None and problem in found)


def test_every_dag_with_params_refuses_keys_it_does_not_declare(dagbag: Any) -> None:
    """Scheduled DAGs can be triggered by hand with a conf too (``dryrun`` for ``dry_run``
    would run for real): every DAG with Params reads them through ``checked_params``."""
    for dag_id, dag in dagbag.dags.items():
        if not dag.params:
            continue
        source = Path(dag.fileloc).read_text()
        assert "checked_params(context)" in source, f"{dag_id} reads its Params without refusing unknown keys"
        assert 'context["params"]' not in source, f"{dag_id} reads context['params'] unchecked"
