"""The merchant's catalog and stock: CSV loading (:mod:`jet.catalog.load_csv`) and the
demo's seed matching the sandbox (:mod:`jet.catalog.demo`)."""
