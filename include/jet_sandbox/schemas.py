"""Pydantic models of Jet's request and response bodies, for the OpenAPI document.

Request models are permissive (extra keys allowed, most fields optional): Jet's clients
sent many variants, and the simulator's own rules (``state.py``) answer with Jet-style
400 ``{"errors": [...]}`` messages rather than a schema validator's.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Errors(BaseModel):
    """Jet's error body."""

    errors: list[str]


# --- auth -------------------------------------------------------------------------------
class TokenRequest(_Open):
    """``POST /token`` body."""

    user: str
    pass_: str = Field(alias="pass")


class TokenResponse(BaseModel):
    """Token answer (2016+ shape)."""

    id_token: str
    token_type: str
    expires_on: str


# --- orders -------------------------------------------------------------------------------
class OrderUrls(BaseModel):
    """List of relative order urls."""

    order_urls: list[str]


class TagRequest(_Open):
    """``PUT /orders/{id}/tag``; an empty object clears the tag."""

    tag: str | None = None


class AckItem(_Open):
    """One line of an acknowledgement."""

    order_item_id: str
    order_item_acknowledgement_status: str | None = None
    alt_order_item_id: str | None = None


class AckRequest(_Open):
    """``PUT /orders/{id}/acknowledge``."""

    acknowledgement_status: str
    alt_order_id: str | None = None
    order_items: list[AckItem] | None = None


class Address(_Open):
    """A postal address."""

    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    state: str | None = None
    zip_code: str | None = None


class ShipmentItem(_Open):
    """Units of one merchant_sku shipped and/or cancelled."""

    merchant_sku: str
    response_shipment_sku_quantity: int | None = None
    response_shipment_cancel_qty: int | None = None
    alt_shipment_item_id: str | None = None
    RMA_number: str | None = None
    days_to_return: int | None = None
    return_location: Address | None = None


class Shipment(_Open):
    """One shipment (or cancellation) message."""

    alt_shipment_id: str | None = None
    shipment_tracking_number: str | None = None
    response_shipment_date: str | None = None
    response_shipment_method: str | None = None
    expected_delivery_date: str | None = None
    ship_from_zip_code: str | None = None
    carrier_pick_up_date: str | None = None
    carrier: str | None = None
    shipment_items: list[ShipmentItem]


class ShipRequest(_Open):
    """``PUT /orders/{id}/shipped``."""

    alt_order_id: str | None = None
    shipments: list[Shipment]


class GenerateItem(_Open):
    """One line of a Jet test order."""

    sku: str
    order_quantity: int = Field(1, ge=1, le=100)
    order_cancel_quantity: int = Field(0, ge=0, le=100)


class GenerateRequest(_Open):
    """``POST /orders/generate/{n}`` (Jet's test-order tool)."""

    fulfillment_node: str | None = None
    items: list[GenerateItem] | None = None


class ItemPrice(BaseModel):
    """Per-unit amounts."""

    base_price: float
    item_tax: float | None = None
    item_shipping_cost: float | None = None
    item_shipping_tax: float | None = None


class FeeAdjustment(BaseModel):
    """A commission on the line."""

    adjustment_name: str
    adjustment_type: str
    commission_id: str
    value: float


class OrderTotals(BaseModel):
    """Order-level sums."""

    item_price: ItemPrice | None = None
    item_fees: float | None = None
    fee_adjustments: list[FeeAdjustment] | None = None
    regulatory_fees: float | None = None


class OrderItem(BaseModel):
    """One order line."""

    order_item_id: str
    alt_order_item_id: str | None = None
    merchant_sku: str
    request_order_quantity: int
    request_order_cancel_qty: int | None = None
    item_tax_code: str | None = None
    item_price: ItemPrice
    item_fees: float | None = None
    fee_adjustments: list[FeeAdjustment] | None = None
    regulatory_fees: float | None = None
    product_title: str
    url: str | None = None
    order_item_acknowledgement_status: str | None = None


class Party(BaseModel):
    """Name and phone."""

    name: str
    phone_number: str


class ShippingTo(BaseModel):
    """Recipient and address."""

    recipient: Party
    address: Address


class OrderDetail(BaseModel):
    """Requested shipping."""

    request_shipping_carrier: str | None = None
    request_shipping_method: str | None = None
    request_service_level: str | None = None
    request_ship_by: str | None = None
    request_delivery_by: str | None = None


class OrderPayload(BaseModel):
    """``GET /orders/withoutShipmentDetail/{id}``."""

    merchant_order_id: str
    reference_order_id: str
    customer_reference_order_id: str | None = None
    fulfillment_node: str
    alt_order_id: str | None = None
    order_placed_date: str
    order_transmission_date: str
    order_ready_date: str | None = None
    order_acknowledge_date: str | None = None
    status: str
    exception_state: str | None = None
    acknowledgement_status: str | None = None
    hash_email: str
    jet_request_directed_cancel: bool | None = None
    has_shipments: bool | None = None
    buyer: Party
    shipping_to: ShippingTo
    order_totals: OrderTotals
    order_items: list[OrderItem]
    order_detail: OrderDetail
    shipments: list[dict[str, Any]] | None = None


# --- returns / refunds ---------------------------------------------------------------------------
class Amount(_Open):
    """Refund amount for a line (a total, not per unit)."""

    principal: float | None = None
    tax: float | None = None
    shipping_cost: float | None = None
    shipping_tax: float | None = None


class ReturnUrls(BaseModel):
    """List of relative return urls."""

    return_urls: list[str]


class ReturnGenerated(BaseModel):
    """Answer of Jet's test-return tool."""

    url: str


class CompleteItem(_Open):
    """One line of a return completion."""

    order_item_id: str
    alt_order_item_id: str | None = None
    total_quantity_returned: int | None = None
    order_return_refund_qty: int | None = None
    return_refund_feedback: str | None = None
    notes: str | None = None
    refund_amount: Amount | None = None


class CompleteReturnRequest(_Open):
    """``PUT /returns/{id}/complete``."""

    merchant_order_id: str | None = None
    alt_order_id: str | None = None
    alt_return_authorization_id: str | None = None
    agree_to_return_charge: bool
    return_charge_feedback: str | None = None
    items: list[CompleteItem] | None = None


class ReturnPayload(_Open):
    """``GET /returns/state/{id}``."""

    merchant_return_authorization_id: str
    reference_return_authorization_id: str
    return_status: str
    merchant_order_id: str
    return_merchant_SKUs: list[dict[str, Any]]


class RefundItem(_Open):
    """One line of a merchant refund."""

    order_item_id: str
    alt_order_item_id: str | None = None
    total_quantity_returned: int | None = None
    order_return_refund_qty: int
    refund_reason: str
    refund_feedback: str | None = None
    notes: str | None = None
    refund_amount: Amount


class RefundRequest(_Open):
    """``POST /refunds/{order}/{alt_refund_id}``."""

    items: list[RefundItem]


class RefundCreated(BaseModel):
    """201 answer."""

    refund_authorization_id: str
    refund_status: str


class RefundPayload(BaseModel):
    """``GET /refunds/state/{id}`` (keys of jet-samples/refund_state_response.json)."""

    alt_refund_id: str
    refund_authorization_id: str
    reference_order_id: str
    refund_status: str
    merchant_order_id: str
    reference_merchant_order_id: str
    alt_order_id: str | None = None
    items: list[dict[str, Any]]


class RefundUrls(BaseModel):
    """Both keys Jet's clients read (UNCERTAIN which one Jet used)."""

    refund_urls: list[str]
    sku_urls: list[str]


# --- settlement / reports ---------------------------------------------------------------------------
class SettlementUrls(BaseModel):
    """List of relative settlement report urls."""

    settlement_report_urls: list[str]


class OrderBalanceDetails(BaseModel):
    """Order side of a settlement report."""

    merchant_price: float
    jet_variable_commission: float
    fixed_commission: float
    tax: float
    shipping_revenue: float
    shipping_tax: float
    shipping_charge: float
    fulfillment_fee: float
    product_cost: float


class ReturnBalanceDetails(BaseModel):
    """Return side of a settlement report."""

    merchant_price: float
    jet_variable_commission: float
    fixed_commission: float
    tax: float
    shipping_tax: float
    merchant_return_charge: float
    return_processing_fee: float
    product_cost: float


class SettlementPayload(BaseModel):
    """``GET /settlement/report/{id}``."""

    settlement_report_id: str
    settlement_state: str
    currency: str
    unavailable_balance: float
    settlement_period_start: str
    settlement_period_end: str
    order_balance_details: OrderBalanceDetails
    order_balance: float
    return_balance_details: ReturnBalanceDetails
    return_balance: float
    jet_adjustment: float
    settlement_value: float


class ReportCreated(BaseModel):
    """``POST /reports/{type}`` answer."""

    report_id: str


class ReportState(BaseModel):
    """``GET /reports/state/{id}``."""

    merchant_id: str
    report_status: str
    report_type: str
    report_requested_date: str
    processing_start: str | None = None
    processing_end: str | None = None
    report_expiration_date: str | None = None
    report_url: str | None = None


# --- catalog ----------------------------------------------------------------------------
class SkuUrls(BaseModel):
    """List of relative SKU urls."""

    sku_urls: list[str]


class ProductRequest(_Open):
    """``PUT /merchant-skus/{sku}`` (product_title required for a new SKU)."""

    product_title: str | None = None
    brand: str | None = None


class NodePrice(_Open):
    """Price at one node."""

    fulfillment_node_id: str
    fulfillment_node_price: float


class PriceRequest(_Open):
    """``PUT /merchant-skus/{sku}/price``."""

    price: float
    fulfillment_nodes: list[NodePrice] | None = None


class PricePayload(BaseModel):
    """``GET /merchant-skus/{sku}/price``."""

    price: float
    fulfillment_nodes: list[dict[str, Any]]
    price_last_update: str | None = None


class NodeQuantity(_Open):
    """Quantity at one node."""

    fulfillment_node_id: str
    quantity: int


class InventoryRequest(_Open):
    """``PUT``/``PATCH /merchant-skus/{sku}/inventory``."""

    fulfillment_nodes: list[NodeQuantity]


class InventoryPayload(BaseModel):
    """``GET /merchant-skus/{sku}/inventory``."""

    fulfillment_nodes: list[dict[str, Any]]
    inventory_last_update: str | None = None


class ArchiveRequest(_Open):
    """``PUT /merchant-skus/{sku}/status/archive``."""

    is_archived: bool


class ProductPayload(_Open):
    """``GET /merchant-skus/{sku}``."""

    merchant_sku: str
    product_title: str
    status: str
    is_archived: bool
