"""Check a DAG run's conf against the DAG's own Params, before anything is triggered.

The manual DAGs declare their Params in one place, :mod:`jet.dag_params`; the console
checks a conf with exactly those Param objects and Airflow's own ``ParamsDict`` (the
class the trigger endpoint and the task use), so it refuses what Airflow would refuse,
with Airflow's message, before the operator is asked to confirm. It also refuses the
keys a DAG does not declare, as the DAG's first task does (:func:`jet.dag_params.checked_params`),
instead of letting Airflow accept them and the run fail.

A DAG that declares no Params there (one added by another package) is checked against
the Params Airflow serves for it (``GET /api/v2/dags/{dag_id}/details``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["ParamsRefused", "validate_conf"]


class ParamsRefused(ValueError):
    """The conf breaks the DAG's Params; the message is Airflow's own."""


def _served(serialized_params: Mapping[str, Mapping[str, Any]]) -> Any:
    from airflow.serialization.definitions.param import SerializedParam, SerializedParamsDict

    return SerializedParamsDict(
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


def validate_conf(
    dag_id: str, conf: Mapping[str, Any], served_params: Mapping[str, Mapping[str, Any]] | None = None
) -> None:
    """Raise :class:`ParamsRefused` unless ``conf`` is a valid run conf for ``dag_id``:
    its Params from :data:`jet.dag_params.MANUAL_PARAMS`, else ``served_params`` (the
    REST ``params`` field of the DAG's details)."""
    from airflow.exceptions import ParamValidationError
    from airflow.sdk.definitions.param import ParamsDict

    from jet.dag_params import MANUAL_PARAMS, unknown_keys

    declared = MANUAL_PARAMS.get(dag_id)
    if declared is None and served_params is None:
        raise ParamsRefused(f"{dag_id} declares no Params in jet.dag_params and Airflow served none")
    names = list(declared() if declared is not None else served_params or {})
    problems = unknown_keys(names, conf)
    if problems:
        raise ParamsRefused(f"{'; '.join(problems)}; {dag_id} takes {', '.join(sorted(names))}")
    try:
        if declared is not None:
            params = ParamsDict(declared())
            for name, value in conf.items():
                params[name] = value  # resolved against its Param here: "Invalid input for param ..."
            params.validate()  # and every Param left out needs a default (a cancel's reason has none)
        else:
            _served(served_params or {}).deep_merge(dict(conf)).validate()
    except ParamValidationError as exc:
        raise ParamsRefused(str(exc)) from None
