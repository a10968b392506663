"""Check a DAG run's conf against the DAG's own Params, before anything is triggered.

The Params are read from the running Airflow (``GET /api/v2/dags/{dag_id}/details``)
and checked with the classes Airflow's trigger endpoint uses, so the order manager has
no copy of any DAG's schema and refuses exactly what Airflow would refuse, with the
same message, before the operator is asked to confirm.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["ParamsRefused", "validate_conf"]


class ParamsRefused(ValueError):
    """The conf breaks the DAG's Params; the message is Airflow's own."""


def validate_conf(dag_id: str, serialized_params: Mapping[str, Mapping[str, Any]], conf: Mapping[str, Any]) -> None:
    """Raise :class:`ParamsRefused` unless ``conf`` is a valid run conf for the DAG whose
    Params Airflow serialized as ``serialized_params`` (the REST ``params`` field)."""
    from airflow.exceptions import ParamValidationError
    from airflow.serialization.definitions.param import SerializedParam, SerializedParamsDict

    unknown = sorted(set(conf) - set(serialized_params))
    if unknown:
        # Airflow would accept them silently and the DAG would ignore them: say so instead.
        raise ParamsRefused(f"{dag_id} has no param {', '.join(unknown)}")
    params = SerializedParamsDict(
        {
            name: SerializedParam(
                spec.get("value"),
                description=spec.get("description"),
                source=spec.get("source"),
                **(spec.get("schema") or {}),
            )
            for name, spec in serialized_params.items()
        }
    )
    try:
        params.deep_merge(dict(conf)).validate()
    except ParamValidationError as exc:
        raise ParamsRefused(str(exc)) from None
