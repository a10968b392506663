"""Fault budgets (``params.max_fires``) and the tally of fired faults per label, which the
chaos campaign reports as its injected-fault counts."""

from __future__ import annotations

import httpx
import pytest

from jet_sandbox.testing import SandboxError, SandboxProcess

pytestmark = pytest.mark.sandbox


def test_a_rule_fires_at_most_max_fires_times_and_the_tally_counts_by_label(
    sandbox: SandboxProcess, jet: httpx.Client
) -> None:
    sandbox.set_faults(
        [
            {"kind": "error_503", "rate": 1.0, "methods": ["GET"], "path": "^/orders/ready$",
             "params": {"max_fires": 2, "label": "503 on lists"}},
            {"kind": "error_500", "rate": 1.0, "methods": ["GET"], "path": "^/orders/created$"},
        ]
    )  # fmt: skip
    statuses = [jet.get("/orders/ready").status_code for _ in range(5)]
    assert statuses == [503, 503, 200, 200, 200]
    assert [jet.get("/orders/created").status_code for _ in range(3)] == [500, 500, 500]
    assert sandbox.faults_fired() == {"503 on lists": 2, "error_500": 3}


def test_the_tally_survives_new_rules_and_a_new_rule_gets_a_full_budget(
    sandbox: SandboxProcess, jet: httpx.Client
) -> None:
    rule = {"kind": "rate_429", "rate": 1.0, "path": "^/orders/ready$", "params": {"max_fires": 1, "label": "429"}}
    sandbox.set_faults([rule])
    assert [jet.get("/orders/ready").status_code for _ in range(2)] == [429, 200]
    sandbox.set_faults([rule])  # armed again for the next step of a campaign
    assert [jet.get("/orders/ready").status_code for _ in range(2)] == [429, 200]
    sandbox.clear_faults()
    assert sandbox.faults_fired() == {"429": 2}
    sandbox.client.delete("/_sandbox/faults/fired")
    assert sandbox.faults_fired() == {}


def test_a_reset_clears_the_tally(sandbox: SandboxProcess, jet: httpx.Client) -> None:
    sandbox.set_faults([{"kind": "error_500", "rate": 1.0, "path": "^/orders/ready$"}])
    assert jet.get("/orders/ready").status_code == 500
    sandbox.reset()
    assert sandbox.faults_fired() == {}


@pytest.mark.parametrize("params", [{"max_fires": -1}, {"max_fires": "2"}, {"max_fires": True}, {"label": " "}])
def test_bad_budget_or_label_is_refused_with_the_reason(sandbox: SandboxProcess, params: dict) -> None:
    with pytest.raises(SandboxError, match=r"400.*params\.(max_fires|label)"):
        sandbox.set_faults([{"kind": "error_500", "params": params}])
