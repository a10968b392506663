"""Sandbox configuration: every tunable of the simulation, changeable at run time."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SandboxConfig(BaseModel):
    """Tunables. Times are sandbox-clock seconds; rates are probabilities in [0, 1]."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    # --- order lifecycle -------------------------------------------------------
    fraud_check_delay_seconds: float = Field(1800, ge=0, description="created -> ready (Jet held orders ~30 min)")
    ack_window_seconds: float = Field(900, ge=0, description="ready orders not acknowledged in time are withdrawn")
    withdraw_unacknowledged: bool = True
    order_list_cap: int = Field(1000, ge=1, description="Jet listed at most the first 1000 orders of a status")
    arrivals_per_hour: float = Field(0, ge=0, description="Poisson arrivals of new (created) orders")
    resend_delay_seconds: float | None = Field(
        None, ge=0, description="rejected-order re-send enters ready after this; null = fraud_check_delay_seconds"
    )
    # --- auth and rate limits ----------------------------------------------------
    token_ttl_seconds: float = Field(3600, gt=0)
    rate_limit_per_second: float | None = Field(None, gt=0, description="token bucket refill; null = unlimited")
    rate_limit_burst: int | None = Field(None, ge=1, description="bucket size; null = max(1, rate)")
    # --- generator ------------------------------------------------------------------
    catalog_size: int = Field(60, ge=5, le=100_000, description="SKUs on Jet (the sync benchmark uses 50,000)")
    unknown_sku_share: float = Field(0.08, ge=0, le=1, description="share of Jet SKUs the merchant does not know")
    out_of_stock_share: float = Field(0.08, ge=0, le=1, description="known SKUs with merchant_on_hand 0")
    max_lines: int = Field(5, ge=1, le=5)
    # --- returns and refunds -------------------------------------------------------
    return_rate: float = Field(0.1, ge=0, le=1, description="share of shipped orders that get a return")
    return_delay_days_min: float = Field(2, ge=0)
    return_delay_days_max: float = Field(10, ge=0)
    refund_processing_seconds: float = Field(600, ge=0, description="refund created -> processing")
    refund_decision_seconds: float = Field(3600, ge=0, description="processing -> accepted/rejected")
    refund_card_reject_rate: float = Field(0.0, ge=0, le=1, description="'rejected - customer card not valid'")
    # --- settlement and reports -------------------------------------------------------
    settlement_deposit_days: float = Field(2, ge=0, description="report 'submitted' -> 'deposited'")
    adjustment_rate: float = Field(0.15, ge=0, le=1, description="chance a settlement day carries a Jet adjustment")
    report_ready_seconds: float = Field(0, ge=0, description="bulk report Requested -> Ready; 0 = at once")
    report_expiration_hours: float = Field(24, gt=0)
    history_days: int = Field(0, ge=0, le=120, description="pre-generate this many days of past business")
    history_orders_per_day: float = Field(40, ge=0)
    history_cancel_rate: float = Field(0.03, ge=0, le=1, description="share of units the history merchant cancels")
    history_refund_rate: float = Field(0.03, ge=0, le=1, description="share of shipped orders refunded by merchant")
    # --- bookkeeping ---------------------------------------------------------------------
    request_log_max: int = Field(200_000, ge=100, description="oldest request-log entries drop beyond this")


#: Scenario presets: config overrides plus how many orders to place at reset.
SCENARIOS: dict[str, dict[str, Any]] = {
    "default": {"config": {}, "ready": 25, "created": 5},
    "empty": {"config": {}, "ready": 0, "created": 0},
    "busy": {"config": {}, "ready": 600, "created": 20},
    "history": {"config": {"history_days": 30}, "ready": 25, "created": 5},
}


def build_config(scenario: str, overrides: dict[str, Any] | None) -> SandboxConfig:
    """Defaults, then the scenario's overrides, then the caller's; unknown keys are an error."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; known: {sorted(SCENARIOS)}")
    merged = {**SCENARIOS[scenario]["config"], **(overrides or {})}
    return SandboxConfig(**merged)
