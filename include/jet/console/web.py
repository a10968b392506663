"""The order manager as a FastAPI app, served by Airflow's API server under ``/jet``.

Pages: the order list (``/jet/orders``), an order (``/jet/orders/{id}``, with its
invoice and the runs acting on it), the queues (``/jet/queues``), the P&L reports
``jet_report`` wrote (``/jet/reports``, the newest at ``/jet/reports/latest``). Actions post a form,
get a confirmation page that shows what will reach Jet, and on confirmation trigger the
action's manual DAG through Airflow's REST API with the user's own token.

Every route depends on :func:`jet.console.security.authenticate`; the warehouse is read
through a small read-only connection pool (the console writes nothing itself: the DAG
runs it triggers do). The plugin in ``plugins/`` only mounts :func:`create_app`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import httpx
from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from jet.api.vocabulary import OrderStatus
from jet.console.security import ConsoleUser, LoginRequired, authenticate, csrf_token, require_csrf

if TYPE_CHECKING:
    import psycopg
    from psycopg_pool import ConnectionPool

    from jet.console.order import OrderView

__all__ = ["INBOX_DAG", "create_app"]

log = logging.getLogger(__name__)
T = TypeVar("T")
User = Annotated[ConsoleUser, Depends(authenticate)]

#: The DAG that asks held orders in Airflow's inbox (dags/jet_held_orders.py).
INBOX_DAG = "jet_held_orders"
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
MAX_FAILURES_EXPLAINED = 5
MAX_REPORTS_LISTED = 10
_EPOCH = datetime.min.replace(tzinfo=UTC)


def _now() -> datetime:
    # The console shows the present: deadlines count down against the wall clock.
    return datetime.now(UTC)


class Warehouse:
    """Read-only access to the warehouse for the console's pages, off the event loop."""

    def __init__(self, url: str | None) -> None:
        self._url = url
        self._pool: ConnectionPool | None = None

    def _open(self) -> ConnectionPool:
        if self._pool is None:
            from psycopg_pool import ConnectionPool

            from jet.warehouse.db import conninfo

            self._pool = ConnectionPool(
                self._url or conninfo(),
                min_size=0,
                max_size=4,
                open=True,
                # The console only reads: its sessions refuse writes whatever a query says.
                kwargs={"autocommit": True, "options": "-c default_transaction_read_only=on"},
            )
        return self._pool

    async def run(self, work: Callable[[psycopg.Connection], T]) -> T:
        def call() -> T:
            with self._open().connection() as conn:
                return work(conn)

        return await run_in_threadpool(call)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


def _base(request: Request) -> str:
    """Where this app is mounted (``/jet``), for links."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def _airflow_root(request: Request) -> str:
    """Airflow's own UI, for links to runs and the inbox: the mount point minus ``/jet``."""
    base = _base(request)
    return base[: base.rfind("/")] if "/" in base else ""


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _date(value: str | None, what: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"{what} {value!r} is not a date (YYYY-MM-DD)") from None


class _Console:
    """What the console's routes share: the warehouse pool, Airflow's address, the page frame."""

    def __init__(self, warehouse: Warehouse, airflow_url: str | None) -> None:
        self.warehouse = warehouse
        self.airflow_url = airflow_url

    def api(self, user: ConsoleUser) -> Any:
        from jet.console.airflow_api import AirflowApi

        return AirflowApi(user.token, base_url=self.airflow_url)

    def page(
        self, request: Request, user: ConsoleUser, template: str, counts: Any, code: int = 200, **ctx: Any
    ) -> Response:
        from jet.console.render import render

        html = render(
            template, base=_base(request), airflow=_airflow_root(request), user=user, csrf=csrf_token(user),
            counts=counts, now=_now(), **ctx,
        )  # fmt: skip
        return HTMLResponse(html, status_code=code)

    async def load(self, oid: str) -> tuple[OrderView, Any]:
        from jet.console.order import load_order
        from jet.console.queues import queue_counts

        now = _now()
        view, counts = await self.warehouse.run(lambda conn: (load_order(conn, oid, now), queue_counts(conn, now)))
        if view is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND,
                f"order {oid} is not in the warehouse (import it with the jet_import_order DAG)",
            )
        return view, counts

    async def runs_of(self, user: ConsoleUser, view: OrderView) -> tuple[list[Any], str | None]:
        """The Airflow runs acting on the order, newest first, with why failed ones failed."""
        from dataclasses import replace

        from jet.console.airflow_api import AirflowRefused

        try:
            async with self.api(user) as client:
                runs = await client.runs_naming([view.header.merchant_order_id, *view.return_ids])
                prompt = view.prompt
                if prompt and not any((r.dag_id, r.dag_run_id) == (prompt.dag_id, prompt.dag_run_id) for r in runs):
                    # The inbox's run asks many orders; its conf names none of them.
                    runs = sorted([*runs, await client.dag_run(prompt.dag_id, prompt.dag_run_id)],
                                  key=lambda r: r.run_after or _EPOCH, reverse=True)  # fmt: skip
                out, explained = [], 0
                for run in runs:
                    if run.state == "failed" and explained < MAX_FAILURES_EXPLAINED:
                        run = replace(run, failure=await client.failure(run.dag_id, run.dag_run_id))
                        explained += 1
                    out.append(run)
                return out, None
        except AirflowRefused as exc:
            log.warning("could not list the runs of order %s: %s", view.header.merchant_order_id, exc)
            return [], str(exc)
        except httpx.HTTPError as exc:  # the page still shows the order; it says the runs are missing
            log.warning("could not reach Airflow's REST API for order %s: %r", view.header.merchant_order_id, exc)
            return [], f"Airflow's REST API did not answer ({type(exc).__name__}: {exc}); see JET_CONSOLE_AIRFLOW_URL"


def _allowed(user: ConsoleUser, view: OrderView) -> dict[str, bool]:
    """Which actions to offer: those that fit the order's state and the user may trigger."""
    from jet.api.vocabulary import ReturnStatus
    from jet.console.actions import ACTIONS

    h = view.header
    closed = h.internal_status in ("cancelled", "rejected")
    open_returns = [r for r in view.returns if r["return_status"] != ReturnStatus.COMPLETED_BY_MERCHANT]
    refundable = sum(line.shipped - line.refunded for line in view.lines) > 0
    fits = {
        "approve": view.is_held,
        "cancel": not closed and (h.jet_status == OrderStatus.READY or view.open_units > 0),
        "ship": not closed and view.open_units > 0,
        "complete_return": bool(open_returns),
        "refund": refundable,
        "note": True,
        "invoice": True,
        "retry": bool(view.failed_actions),
    }
    return {name: fits[name] and user.may_trigger(spec.dag_id) for name, spec in ACTIONS.items()}


def create_app(warehouse_url: str | None = None, airflow_url: str | None = None) -> FastAPI:
    """The console app. ``warehouse_url`` / ``airflow_url`` default to the ``jet_warehouse``
    connection and this API server (see :func:`jet.console.airflow_api.airflow_base_url`)."""
    warehouse = Warehouse(warehouse_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        warehouse.close()

    # No /docs or /openapi.json: they would be routes without a session check.
    app = FastAPI(title="Jet orders", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    console = _Console(warehouse, airflow_url)
    # Routes are registered by groups, each group a function of its own.
    _error_handlers(app)
    _listing_routes(app, console)
    _order_routes(app, console)
    _action_routes(app, console)
    _report_routes(app, console)
    return app


def _error_handlers(app: FastAPI) -> None:
    from jet.console.render import render

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(exc.login_url, status_code=status.HTTP_302_FOUND)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _wants_html(request):
            html = render("error.html.j2", base=_base(request), code=exc.status_code, detail=exc.detail)
            return HTMLResponse(html, status_code=exc.status_code, headers=exc.headers)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


def _listing_routes(app: FastAPI, c: _Console) -> None:
    from jet.console.render import STATIC

    @app.get("/", include_in_schema=False)
    async def home(request: Request, user: User) -> Response:
        return RedirectResponse(f"{_base(request)}/orders", status_code=status.HTTP_302_FOUND)

    @app.get("/static/{name}")
    async def static(name: str, user: User) -> Response:
        path = STATIC / name
        if path.suffix not in STATIC_TYPES or path.parent != STATIC or not path.is_file():
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no static file {name!r}")
        return Response(
            path.read_bytes(), media_type=STATIC_TYPES[path.suffix], headers={"Cache-Control": "max-age=300"}
        )

    @app.get("/orders")
    async def orders(request: Request, user: User) -> Response:
        from jet.console.queues import queue_counts
        from jet.console.search import EXCEPTION_FILTERS, INTERNAL_STATUSES, SearchFilters, SearchRefused, search_orders

        # Short query names an operator can type: ?q=...&status=...&page=...
        params = request.query_params
        page_number = params.get("page") or "1"
        try:
            number = max(1, int(page_number))
        except ValueError:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, f"page {page_number!r} is not a number") from None
        try:
            filters = SearchFilters(
                text=params.get("q", ""),
                internal_status=params.get("status") or None,
                placed_from=_date(params.get("placed_from"), "placed from"),
                placed_to=_date(params.get("placed_to"), "placed to"),
                exception=params.get("exception") or "any",
            )
        except SearchRefused as exc:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
        now = _now()
        found, counts = await c.warehouse.run(
            lambda conn: (search_orders(conn, filters, now, page=number), queue_counts(conn, now))
        )
        return c.page(
            request, user, "orders.html.j2", counts, filters=filters, found=found, statuses=INTERNAL_STATUSES,
            exceptions=EXCEPTION_FILTERS, query=dict(params),
        )  # fmt: skip

    @app.get("/queues")
    async def queues(request: Request, user: User) -> Response:
        from jet.console.queues import QUEUES, queue_counts, queue_rows

        now = _now()

        def read(conn: psycopg.Connection) -> tuple[Any, dict[str, Any]]:
            return queue_counts(conn, now), {name: queue_rows(conn, name, now) for name in QUEUES}

        counts, rows = await c.warehouse.run(read)
        return c.page(request, user, "queues.html.j2", counts, queues=QUEUES, rows=rows, inbox_dag=INBOX_DAG)


def _order_routes(app: FastAPI, c: _Console) -> None:
    @app.get("/orders/{oid}")
    async def order(request: Request, oid: str, user: User, run: str = "") -> Response:
        from jet.api.vocabulary import (
            CANCEL_REASONS,
            CHARGE_FEEDBACK,
            REFUND_FEEDBACK,
            REFUND_REASONS,
            RETURN_REFUND_FEEDBACK,
            SHIPPING_CARRIERS,
            SHIPPING_METHODS,
        )
        from jet.console.actions import ACTIONS

        view, counts = await c.load(oid)
        runs, runs_error = await c.runs_of(user, view)
        may = _allowed(user, view)
        retry_dag = None
        if may["retry"]:
            async with c.api(user) as client:
                retry_dag = await client.dag_exists(ACTIONS["retry"].dag_id)
        return c.page(
            request, user, "order.html.j2", counts, view=view, runs=runs, runs_error=runs_error, highlight=run,
            may=may, actions=ACTIONS, retry_dag=retry_dag, cancel_reasons=list(CANCEL_REASONS),
            carriers=SHIPPING_CARRIERS, methods=SHIPPING_METHODS, refund_reasons=REFUND_REASONS,
            refund_feedback=REFUND_FEEDBACK, return_feedback=RETURN_REFUND_FEEDBACK, charge_feedback=CHARGE_FEEDBACK,
            inbox_dag=INBOX_DAG, may_answer_inbox=user.may_answer_inbox(INBOX_DAG),
        )  # fmt: skip

    @app.get("/orders/{oid}/runs.json")
    async def order_runs(oid: str, user: User) -> Response:
        view, _ = await c.load(oid)
        runs, error = await c.runs_of(user, view)
        return JSONResponse(
            {
                "runs": [{"dag_id": r.dag_id, "dag_run_id": r.dag_run_id, "state": r.state} for r in runs],
                "error": error,
            }
        )

    @app.get("/orders/{oid}/invoice.html")
    async def invoice_html(oid: str, user: User) -> Response:
        from jet.invoices import load_invoice, render_html

        await c.load(oid)
        invoice = await c.warehouse.run(lambda conn: load_invoice(conn, oid, _now()))
        return HTMLResponse(render_html(invoice))

    @app.get("/orders/{oid}/invoice.pdf")
    async def invoice_pdf(oid: str, user: User) -> Response:
        from jet.invoices import load_invoice, render_pdf

        await c.load(oid)
        invoice = await c.warehouse.run(lambda conn: load_invoice(conn, oid, _now()))
        return Response(
            render_pdf(invoice),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{invoice.file_stem}.pdf"'},
        )


def _action_routes(app: FastAPI, c: _Console) -> None:
    @app.post("/orders/{oid}/actions/{action}")
    async def act(request: Request, oid: str, action: str, user: User) -> Response:
        from jet.console.actions import ACTIONS, ActionRefused, plan
        from jet.console.airflow_api import AirflowRefused
        from jet.console.params import ParamsRefused, validate_conf

        form = {k: str(v) for k, v in (await request.form()).items()}
        require_csrf(user, form.pop("csrf", None))
        spec = ACTIONS.get(action)
        if spec is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no action {action!r}")
        if not user.may_trigger(spec.dag_id):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"{user.name} may not trigger {spec.dag_id}")
        step = form.pop("step", "review")
        view, counts = await c.load(oid)
        context: dict[str, Any] = {"view": view, "spec": spec, "fields": form, "plan": None, "error": None}
        try:
            context["plan"] = await c.warehouse.run(lambda conn: plan(conn, action, view, form, user.name, _now()))
            async with c.api(user) as client:
                # Airflow's own 404/403 for a DAG it lacks or hides, before the operator confirms;
                # its served Params are used only for a DAG that jet.dag_params does not declare.
                served = await client.dag_params(spec.dag_id)
                validate_conf(spec.dag_id, context["plan"].conf, served)
                if step == "confirm":
                    summary = context["plan"].summary
                    ref = await client.trigger(spec.dag_id, context["plan"].conf, note=f"Jet orders console: {summary}")
                    log.info("%s triggered %s %s for order %s", user.name, ref.dag_id, ref.dag_run_id, oid)
                    target = f"{_base(request)}/orders/{oid}?{_query(run=f'{ref.dag_id}/{ref.dag_run_id}')}#runs"
                    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
        except ActionRefused as exc:
            context["error"] = str(exc)
        except ParamsRefused as exc:
            context["error"] = f"{spec.dag_id} refuses these values: {exc}"
        except AirflowRefused as exc:
            context["error"] = f"Airflow refused ({exc.status_code}): {exc.detail}"
        except httpx.HTTPError as exc:
            log.error("could not reach Airflow's REST API to %s order %s: %r", action, oid, exc)
            context["error"] = (
                f"Airflow's REST API did not answer ({type(exc).__name__}: {exc}); nothing was triggered "
                "unless the order page lists the run"
            )
        code = status.HTTP_200_OK if context["error"] is None else status.HTTP_400_BAD_REQUEST
        return c.page(request, user, "confirm.html.j2", counts, code=code, **context)


def _report_routes(app: FastAPI, c: _Console) -> None:
    from jet.console.reports import REPORT_DAG, ReportFile, ReportMissing, find_report, latest_report, list_reports

    def serve(find: Callable[[], ReportFile]) -> Response:
        try:
            report = find()
        except ReportMissing as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
        try:
            body = report.path.read_bytes()
        except FileNotFoundError:  # replaced or removed between the listing and the read
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"{report.name} was just removed: reload") from None
        return HTMLResponse(body, headers={"Content-Disposition": f'inline; filename="{report.name}"'})

    @app.get("/reports")
    async def reports(request: Request, user: User) -> Response:
        found = await run_in_threadpool(list_reports, None, MAX_REPORTS_LISTED)
        return c.page(request, user, "reports.html.j2", None, reports=found, report_dag=REPORT_DAG)

    # Registered before /reports/{name}: "latest" is not a report's name.
    @app.get("/reports/latest")
    async def latest(user: User) -> Response:
        return await run_in_threadpool(serve, latest_report)

    @app.get("/reports/{name}")
    async def report(name: str, user: User) -> Response:
        return await run_in_threadpool(serve, lambda: find_report(name))


def _query(**params: str) -> str:
    from urllib.parse import urlencode

    return urlencode(params)
