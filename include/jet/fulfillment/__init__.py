"""Fulfilment: shipments recorded by the merchant's warehouse, uploaded to Jet through
the outbox (:mod:`jet.outbox`) and confirmed by re-reading the order
(:mod:`jet.fulfillment.shipments`); task bodies for the DAGs (:mod:`jet.fulfillment.tasks`)."""
