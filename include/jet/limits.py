"""How long, and made of what, the text we accept from people may be.

Jet's documentation is gone and no client library recorded its field lengths, so these
are our choices (docs/manual-actions.md): wide enough for every real value we know,
narrow enough that a paste accident (a 500-character tracking number) is refused before
it is stored or queued for Jet. One source for the manual DAGs' Params
(:mod:`jet.dag_params`), the console that reuses them, and the library checks behind
them, so a caller that skips the form meets the same rules.

No control characters anywhere (NUL cannot even be stored: PostgreSQL refuses it in
text), except tabs and line breaks in free text that may span lines (notes).
"""

from __future__ import annotations

import re

#: The longest carrier formats we know: USPS IMpb and FedEx SmartPost 34, DHL eCommerce 39.
TRACKING_NUMBER_MAX = 50
CARRIER_MAX = 50  # a name from Jet's carrier list
SHIPPING_METHOD_MAX = 80  # a name from Jet's method list, e.g. "FedEx Home Delivery"
RMA_NUMBER_MAX = 50  # our RMA id, sent as RMA_number / alt_return_authorization_id
ADDRESS_LINE_MAX = 100  # a return address line, city or state
JET_NOTES_MAX = 500  # notes sent to Jet on a refund or a completed return's line
NOTE_MAX = 4000  # our own order notes (jet.order_notes), never sent to Jet
AUTHOR_MAX = 100
SKU_MAX = 100
FILE_NAME_MAX = 255

#: For JSON-schema ``pattern`` (Python's re and JavaScript agree on these escapes).
SINGLE_LINE_PATTERN = r"^[^\x00-\x1f\x7f]*$"
MULTILINE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f]")
_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_problem(value: str, max_length: int, *, multiline: bool = False) -> str | None:
    """Why ``value`` is not acceptable text (None when it is): a control character, or too long."""
    bad = (_MULTILINE if multiline else _SINGLE_LINE).search(value)
    if bad:
        name = "NUL" if bad.group() == "\x00" else repr(bad.group())
        return f"contains a control character ({name}) at position {bad.start() + 1}"
    if len(value) > max_length:
        return f"is {len(value)} characters long, at most {max_length}"
    return None
