"""The merchant's catalog, stock and prices: CSV loading (:mod:`jet.catalog.load_csv`),
the demo's seed matching the sandbox (:mod:`jet.catalog.demo`), and the sync with Jet:
following Jet's SKUs (:mod:`jet.catalog.jet_status`) and pushing stock and prices
(:mod:`jet.catalog.sync`, every push an outbox write: :mod:`jet.catalog.pushes`)."""
