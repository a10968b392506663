"""Airflow plugin: the Jet orders console at ``/jet``, and "Jet orders" in Airflow's menu.

Only declarations: the app is :func:`jet.console.web.create_app` (authentication,
pages and actions live there, in the project package).
"""

from __future__ import annotations

from typing import Any, ClassVar

from airflow.plugins_manager import AirflowPlugin

from jet.console.web import create_app


class JetConsolePlugin(AirflowPlugin):
    name = "jet_console"
    fastapi_apps: ClassVar[list[dict[str, Any]]] = [
        {"app": create_app(), "url_prefix": "/jet", "name": "Jet orders console"}
    ]
    external_views: ClassVar[list[dict[str, Any]]] = [
        {"name": "Jet orders", "href": "/jet/orders", "destination": "nav", "url_route": "jet-orders"}
    ]
