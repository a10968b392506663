"""Seeded generator of a realistic merchant business: catalog, buyers, orders.

The rate card (Jet's commissions) lives here too, because order lines carry their fees
(``item_fees`` / ``fee_adjustments``) from the moment they are placed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from jet_sandbox.model import Line, Order, Sku
from jet_sandbox.util import ZERO, hex_id, money

# --- rate card ----------------------------------------------------------------------------
#: Variable ("rules engine") commission by category, charged on the merchant price.
CATEGORY_COMMISSION: dict[str, Decimal] = {
    "Apparel": Decimal("0.15"),
    "Home & Kitchen": Decimal("0.15"),
    "Electronics": Decimal("0.08"),
    "Toys": Decimal("0.15"),
    "Grocery": Decimal("0.08"),
    "Beauty": Decimal("0.15"),
    "Sports & Outdoors": Decimal("0.12"),
    "Books": Decimal("0.15"),
}
#: Base commission on every unit (settles as ``fixed_commission``), as in the docs sample (3 %).
BASE_COMMISSION = Decimal("0.03")

#: Sales tax by ship-to state (also applied to shipping).
STATE_TAX: dict[str, Decimal] = {
    "CA": Decimal("0.0725"),
    "NY": Decimal("0.08875"),
    "NJ": Decimal("0.06625"),
    "TX": Decimal("0.0625"),
    "WA": Decimal("0.065"),
    "IL": Decimal("0.0625"),
    "FL": Decimal("0.06"),
    "OR": Decimal("0"),
    "MA": Decimal("0.0625"),
    "GA": Decimal("0.04"),
}

_CATEGORY_PREFIX = {
    "Apparel": "APP",
    "Home & Kitchen": "HOM",
    "Electronics": "ELE",
    "Toys": "TOY",
    "Grocery": "GRO",
    "Beauty": "BEA",
    "Sports & Outdoors": "SPO",
    "Books": "BOO",
}
_NOUNS = {
    "Apparel": ["pair of socks", "t-shirt", "hoodie", "rain jacket", "beanie", "scarf"],
    "Home & Kitchen": ["chef knife", "cutting board", "pour-over kettle", "bath towel set", "table lamp"],
    "Electronics": ["usb-c cable", "bluetooth speaker", "wireless mouse", "power bank", "headphones"],
    "Toys": ["building blocks set", "puzzle 500 pieces", "plush bear", "toy race car"],
    "Grocery": ["coffee beans 1 lb", "green tea 100 bags", "olive oil 500 ml", "trail mix"],
    "Beauty": ["shampoo 12 oz", "lip balm 3-pack", "face cream", "bamboo hair brush"],
    "Sports & Outdoors": ["yoga mat", "water bottle 24 oz", "camping lantern", "jump rope"],
    "Books": ["paperback novel", "cookbook", "field guide to birds", "atlas of the world"],
}
_PRICE_RANGE = {
    "Apparel": (6, 80),
    "Home & Kitchen": (8, 120),
    "Electronics": (9, 200),
    "Toys": (7, 60),
    "Grocery": (4, 30),
    "Beauty": (4, 45),
    "Sports & Outdoors": (8, 90),
    "Books": (6, 40),
}
_ADJECTIVES = ["blue", "red", "classic", "deluxe", "organic", "compact", "large", "black", "eco", "travel"]
_BRANDS = ["Northwind", "Acme", "Bluebird", "Cedar & Co", "Hudson", "Kestrel", "Maple Goods", "Orion"]
_FIRST = ["Tony", "Pepper", "Jane", "Carlos", "Mei", "Aisha", "Luca", "Olga", "Sam", "Priya", "Noah", "Emma"]
_LAST = ["Stark", "Potts", "Doe", "Rivera", "Chen", "Khan", "Rossi", "Ivanova", "Lee", "Patel", "Smith", "Brown"]
_STREETS = ["Main St", "Oak Ave", "Malibu Point", "Washington Blvd", "2nd St", "Park Rd", "Elm St", "Hudson St"]
_PLACES = [
    ("Malibu", "CA", "90265"),
    ("San Jose", "CA", "95112"),
    ("Brooklyn", "NY", "11201"),
    ("Hoboken", "NJ", "07030"),
    ("Austin", "TX", "78701"),
    ("Seattle", "WA", "98101"),
    ("Chicago", "IL", "60601"),
    ("Miami", "FL", "33101"),
    ("Portland", "OR", "97201"),
    ("Boston", "MA", "02108"),
    ("Atlanta", "GA", "30303"),
]
#: (carrier, method, service level, days to ship, days to deliver)
_SHIP_OPTIONS = [
    ("UPS", "UPS Ground", "Standard", 2, 6),
    ("FedEx", "FedEx Home Delivery", "Standard", 2, 6),
    ("USPS", "USPS Priority Mail", "Expedited", 1, 4),
    ("FedEx", "FedEx 2 Day", "Second Day", 1, 3),
    ("UPS", "UPS Next Day Air", "Next Day", 1, 2),
]
RETURN_REASONS = [
    "No longer want this item",
    "Received the wrong item",
    "Website description is inaccurate",
    "Product is defective / does not work",
    "Item arrived damaged - box intact",
    "Better price found elsewhere",
    "Unwanted gift",
    "Accidental order",
]
#: Reasons for which Jet charges the merchant a return charge (merchant at fault).
MERCHANT_FAULT_REASONS = {"Received the wrong item", "Product is defective / does not work"}
MERCHANT_RETURN_CHARGE = Decimal("5.00")


@dataclass
class Business:
    """The static part of a seeded world: merchant nodes and Jet's view of its catalog."""

    nodes: list[str]
    catalog: dict[str, Sku]
    commission_ids: dict[str, str]


def build_business(rng: random.Random, catalog_size: int, unknown_share: float, oos_share: float) -> Business:
    """Two fulfillment nodes and ``catalog_size`` SKUs, some unknown to the merchant."""
    nodes = [hex_id(rng), hex_id(rng)]
    categories = list(CATEGORY_COMMISSION)
    commission_ids = {cat: hex_id(rng) for cat in [*categories, "base"]}
    catalog: dict[str, Sku] = {}
    for n in range(catalog_size):
        cat = categories[n % len(categories)]
        low, high = _PRICE_RANGE[cat]
        price = money(Decimal(rng.randint(low * 100, high * 100)) / 100 - Decimal("0.01"))
        price = max(price, Decimal("0.99"))
        sku_code = f"{_CATEGORY_PREFIX[cat]}-{1000 + n:04d}{'ABCDEFGH'[rng.randrange(8)]}"
        known = rng.random() >= unknown_share
        on_hand = 0 if (known and rng.random() < oos_share) else rng.randint(5, 200)
        catalog[sku_code] = Sku(
            merchant_sku=sku_code,
            title=f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS[cat])}",
            category=cat,
            brand=rng.choice(_BRANDS),
            upc=f"{rng.randrange(10**11, 10**12)}",
            price=price,
            known_to_merchant=known,
            merchant_on_hand=on_hand if known else 0,
            inventory={node: rng.randint(0, 150) for node in nodes},
        )
    return Business(nodes=nodes, catalog=catalog, commission_ids=commission_ids)


def make_line(
    rng: random.Random,
    business: Business,
    sku: Sku,
    quantity: int,
    tax_rate: Decimal,
    shipping: Decimal,
    base_price: Decimal | None = None,
) -> Line:
    """One line with per-unit price, tax, shipping and rate-card fees."""
    price = money(base_price if base_price is not None else sku.price)
    rate = CATEGORY_COMMISSION.get(sku.category, Decimal("0.15"))
    return Line(
        order_item_id=hex_id(rng),
        merchant_sku=sku.merchant_sku,
        product_title=sku.title,
        quantity=quantity,
        base_price=price,
        item_tax=money(price * tax_rate),
        shipping=shipping,
        shipping_tax=money(shipping * tax_rate),
        fee_variable=money(price * rate),
        fee_base=money(price * BASE_COMMISSION),
        variable_name=f"{sku.category} commission",
        variable_commission_id=business.commission_ids.get(sku.category, business.commission_ids["base"]),
        base_commission_id=business.commission_ids["base"],
    )


def make_order(
    rng: random.Random,
    business: Business,
    placed: datetime,
    max_lines: int,
    skus: list[str] | None = None,
    line_specs: list[dict[str, Any]] | None = None,
    fulfillment_node: str | None = None,
) -> Order:
    """A new order in ``created``: buyer, address, 1-``max_lines`` lines, shipping option.

    ``skus`` restricts the SKUs drawn from; ``line_specs`` (``merchant_sku``, ``quantity``,
    optional ``base_price``) spells the lines out. Unknown SKUs in either are added to
    Jet's catalog as SKUs the merchant does not know (a price of 10.00 unless given).
    """
    city, state, zip_code = rng.choice(_PLACES)
    tax_rate = STATE_TAX[state]
    buyer_name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    recipient = buyer_name if rng.random() < 0.7 else f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    phone = f"555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
    carrier, method, level, ship_days, deliver_days = rng.choice(_SHIP_OPTIONS)
    free_shipping = rng.random() < 0.5
    shipping = ZERO if free_shipping else money(rng.choice(["2.99", "4.99", "5.00"]))

    lines: list[Line] = []
    if line_specs:
        for spec in line_specs:
            code = str(spec["merchant_sku"])
            sku = business.catalog.get(code) or _adhoc_sku(business, code, spec.get("base_price"))
            price = money(spec["base_price"]) if spec.get("base_price") is not None else None
            lines.append(make_line(rng, business, sku, int(spec.get("quantity", 1)), tax_rate, shipping, price))
    else:
        pool = [business.catalog.get(code) or _adhoc_sku(business, code, None) for code in skus] if skus else None
        if pool is None:
            pool = [s for s in business.catalog.values() if not s.is_archived]
        weights = [55, 25, 10, 6, 4][: max(1, min(max_lines, len(pool)))]
        n_lines = rng.choices(range(1, len(weights) + 1), weights=weights)[0]
        for sku in rng.sample(pool, n_lines):
            qty = rng.choices([1, 2, 3, 4], weights=[70, 20, 7, 3])[0]
            lines.append(make_line(rng, business, sku, qty, tax_rate, shipping))

    node = fulfillment_node or rng.choice(business.nodes)
    reference = f"{rng.randrange(10**11, 10**12)}"
    street = f"{rng.randint(1, 20000)} {rng.choice(_STREETS)}"
    return Order(
        merchant_order_id=hex_id(rng),
        reference_order_id=reference,
        customer_reference_order_id=reference,
        fulfillment_node=node,
        hash_email=f"{rng.getrandbits(96):024x}@customer.jet.com",
        buyer={"name": buyer_name, "phone_number": phone},
        shipping_to={
            "recipient": {"name": recipient, "phone_number": phone},
            "address": {
                "address1": street,
                "address2": f"Apt {rng.randint(1, 40)}" if rng.random() < 0.25 else "",
                "city": city,
                "state": state,
                "zip_code": zip_code,
            },
        },
        order_detail={
            "request_shipping_carrier": carrier,
            "request_shipping_method": method,
            "request_service_level": level,
            "request_ship_by": placed + timedelta(days=ship_days),
            "request_delivery_by": placed + timedelta(days=deliver_days),
        },
        placed=placed,
        transmitted=placed + timedelta(minutes=1),
        lines=lines,
    )


def _adhoc_sku(business: Business, code: str, price: Any) -> Sku:
    """A SKU named by a caller but absent from the catalog: Jet knows it, the merchant does not."""
    sku = Sku(
        merchant_sku=code,
        title=code.replace("_", " "),
        category="Home & Kitchen",
        brand="Unknown",
        upc="000000000000",
        price=money(price if price is not None else "10.00"),
        known_to_merchant=False,
        merchant_on_hand=0,
        inventory={node: 0 for node in business.nodes},
    )
    business.catalog[code] = sku
    return sku
