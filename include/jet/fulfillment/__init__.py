"""Fulfilment: shipments recorded by the merchant's warehouse, uploaded to Jet through
the outbox and confirmed by re-reading the order (:mod:`jet.fulfillment.shipments`);
the outbox for shipments, return completions and refunds (:mod:`jet.fulfillment.outbox`);
task bodies for the DAGs (:mod:`jet.fulfillment.tasks`)."""
