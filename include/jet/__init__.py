"""Jetflow: Jet marketplace order operations on Airflow and PostgreSQL.

The product's package, imported as ``jet`` with ``include/`` on PYTHONPATH.
Jet's specifics (endpoints, payloads, enums) stay in :mod:`jet.api`; everything
else speaks of orders, lines, shipments and fees.
"""
