"""The order manager in a real Airflow: sessions, permissions, a browser, the inbox.

One ``airflow standalone`` (with this project's plugin and the manual DAGs) serves the
whole module; a real Chromium logs in, finds an order by part of its customer's email,
adds a note and cancels its open unit through the confirmation, and reads the outcome
in the timeline. Screenshots of each step go to ``.local/browser/``.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.browser.conftest import REPORTS, SHOTS, USERS, Scene
from tests.helpers import PollTimeout, poll

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.slow]

RUN_TIMEOUT_MS = 120_000


def _routes(scene: Scene) -> list[tuple[str, str]]:
    """Every route of the console app, with its path parameters filled in."""
    from fastapi.routing import APIRoute

    from jet.console.web import create_app

    values = {"oid": scene.cancel_order, "action": "note", "name": "console.css"}
    found = []
    for route in create_app(warehouse_url=scene.warehouse_url).routes:
        if not isinstance(route, APIRoute):
            continue
        path = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], route.path)
        found += [(method, f"/jet{path}") for method in sorted(route.methods)]
    return found


def test_every_console_route_refuses_a_request_without_a_session(scene: Scene) -> None:
    routes = _routes(scene)
    assert len(routes) >= 9, routes  # the app's routes were found: the check below is not vacuous
    base = scene.standalone.url
    with httpx.Client(base_url=base, timeout=60, follow_redirects=False) as client:
        for method, path in routes:
            bare = client.request(method, path)
            assert bare.status_code == 401, (method, path, bare.status_code, bare.text[:200])
            forged = client.request(method, path, headers={"Authorization": "Bearer not-a-jwt"})
            assert forged.status_code == 403, (method, path, forged.status_code)
            bad_cookie = client.request(method, path, cookies={"_token": "expired-or-forged"})
            assert bad_cookie.status_code in (401, 403), (method, path, bad_cookie.status_code)
            if method == "GET":
                page = client.get(path, headers={"Accept": "text/html"})
                assert page.status_code == 302, (path, page.status_code)
                assert page.headers["location"].startswith("/auth/login?next="), page.headers["location"]
    # And the same through Airflow's front door: nothing was triggered by any of it.
    with scene.standalone.api("admin") as api:
        assert api.get("/dags/jet_add_order_note/dagRuns").json()["total_entries"] == 0


def test_a_browser_form_post_needs_the_pages_form_token(scene: Scene) -> None:
    token = scene.standalone.token("admin")
    url = f"{scene.standalone.url}/jet/orders/{scene.cancel_order}/actions/note"
    response = httpx.post(url, data={"text": "no token", "step": "confirm"}, cookies={"_token": token})
    assert response.status_code == 403
    assert "session token" in response.json()["detail"]


def test_a_viewer_sees_no_action_and_is_refused_when_posting(scene: Scene) -> None:
    viewer = scene.standalone.token("viewer")
    base = f"{scene.standalone.url}/jet/orders/{scene.cancel_order}"
    page = httpx.get(base, headers={"Authorization": f"Bearer {viewer}"}, timeout=60)
    assert page.status_code == 200
    assert 'data-test="no-actions"' in page.text
    assert 'data-test="form-' not in page.text
    assert "Review…" not in page.text
    for action in ("note", "cancel", "approve", "ship"):
        refused = httpx.post(
            f"{base}/actions/{action}", data={"text": "x", "reason": "other", "step": "confirm"},
            headers={"Authorization": f"Bearer {viewer}"}, timeout=60,
        )  # fmt: skip
        assert refused.status_code == 403, (action, refused.text)
        assert "may not trigger" in refused.json()["detail"]
    with scene.standalone.api("admin") as api:
        assert api.get("/dags/jet_cancel_order/dagRuns").json()["total_entries"] == 0


def test_refusals_show_airflows_own_message(scene: Scene) -> None:
    admin = {"Authorization": f"Bearer {scene.standalone.token('admin')}"}
    base = f"{scene.standalone.url}/jet/orders/{scene.cancel_order}/actions"
    too_long = httpx.post(f"{base}/note", data={"text": "x" * 4001}, headers=admin, timeout=60)
    assert too_long.status_code == 400
    assert "Invalid input for param text" in too_long.text
    assert "is too long" in too_long.text
    # An action whose DAG this Airflow does not have: Airflow's 404 detail, verbatim.
    missing = httpx.post(f"{base}/invoice", data={}, headers=admin, timeout=60)
    assert missing.status_code == 400
    assert "Airflow refused (404)" in missing.text
    assert "jet_print_invoice" in missing.text


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_an_operator_finds_an_order_notes_it_and_cancels_its_open_unit(scene: Scene, chromium: Any) -> None:
    from playwright.sync_api import expect

    base = scene.standalone.url
    page = chromium.new_page(viewport={"width": 1360, "height": 900})
    page.set_default_timeout(60_000)  # a loaded shared machine: pages may take seconds
    page.goto(f"{base}/jet/orders")
    page.wait_for_url("**/auth/login**")
    page.locator("input[name=username]").fill("admin")
    page.locator("input[name=password]").fill(USERS["admin"][1])
    _shot(page, "01_login")
    page.locator("button[type=submit]").click()
    page.wait_for_url("**/jet/orders**")
    expect(page.locator("[data-test=user]")).to_have_text("admin")
    _shot(page, "02_orders")
    # Airflow's own menu leads here too ("Jet orders", shown inside Airflow's frame).
    page.goto(f"{base}/")
    page.get_by_role("link", name="Jet orders").first.click()
    page.wait_for_url("**/plugin/jet-orders**")
    expect(page.frame_locator("iframe").first.locator("h1")).to_have_text("Orders")
    _shot(page, "02b_inside_airflows_menu")
    page.goto(f"{base}/jet/orders")

    part = scene.cancel_email.split("@")[0][4:12]  # a piece from the middle of the customer's email
    page.fill("input[name=q]", part)
    page.locator("form.search button[type=submit]").click()
    expect(page.locator("[data-test=found]")).to_contain_text("1 order")
    expect(page.locator("table[data-test=orders] tbody tr")).to_have_count(1)
    expect(page.locator("table[data-test=orders]")).to_contain_text("customer email")
    _shot(page, "03_search_by_email")

    page.locator("[data-test=order-link]").click()
    page.wait_for_url(f"**/jet/orders/{scene.cancel_order}")
    expect(page.locator("[data-test=internal-status]")).to_have_text("acknowledged")
    _shot(page, "04_order")

    note = "Customer phoned: the address is unreachable, cancel the order."
    page.fill("[data-test=note-text]", note)
    page.locator("[data-test=review-note]").click()
    expect(page.locator("[data-test=nothing-to-jet]")).to_be_visible()
    expect(page.locator("[data-test=conf]")).to_contain_text('"author": "admin"')
    _shot(page, "05_note_confirmation")
    page.locator("[data-test=confirm-button]").click()
    page.wait_for_url(f"**/jet/orders/{scene.cancel_order}?run=jet_add_order_note*")
    expect(page.locator("tr.mine [data-test=run-state]")).to_have_text("success", timeout=RUN_TIMEOUT_MS)
    expect(page.locator("[data-test=timeline]")).to_contain_text(note)
    page.locator("iframe.invoice").content_frame.locator("text=Invoice").first.wait_for()
    _shot(page, "06_note_added")

    page.locator("summary", has_text="Cancel with a reason").click()
    page.select_option("[data-test=cancel-reason]", "unfulfillable_address")
    page.locator("[data-test=review-cancel]").click()
    body = page.locator("[data-test=jet-body]")
    expect(body).to_contain_text('"response_shipment_cancel_qty": 1')
    expect(page.locator(".confirm")).to_contain_text(f"PUT /orders/{scene.cancel_order}/shipped")
    _shot(page, "07_cancel_confirmation")
    page.locator("[data-test=confirm-button]").click()
    page.wait_for_url(f"**/jet/orders/{scene.cancel_order}?run=jet_cancel_order*")
    expect(page.locator("tr.mine [data-test=run-state]")).to_have_text("success", timeout=RUN_TIMEOUT_MS)
    timeline = page.locator("[data-test=timeline]")
    expect(timeline).to_contain_text("cancel_units applied at Jet")
    # The run re-landed the order: the page shows what Jet now shows.
    expect(page.locator("[data-test=internal-status]")).to_have_text("cancelled")
    expect(page.locator("[data-test=review-cancel]")).to_have_count(0)
    page.locator("iframe.invoice").content_frame.locator("text=Invoice").first.wait_for()
    _shot(page, "08_cancelled_timeline")

    events = page.locator("[data-test=event]").all_inner_texts()
    note_row = next(e for e in events if note in e)
    queued = next(e for e in events if "queued cancel_units" in e)
    assert "admin" in note_row
    assert "admin" in queued
    assert "unfulfillable_address" in queued
    applied = next(e for e in events if "cancel_units applied at Jet" in e)
    complete = next(e for e in events if "Jet shows the order complete" in e)
    assert events.index(note_row) < events.index(queued) < events.index(applied) < events.index(complete), (
        "the timeline reads in order"
    )
    # Jet has it: the unit is cancelled at the sandbox, and Airflow recorded who asked.
    truth = next(o for o in scene.sandbox.truth_orders() if o["order"]["merchant_order_id"] == scene.cancel_order)
    assert sum(i["response_shipment_cancel_qty"] for s in truth["order"]["shipments"] for i in s["shipment_items"]) == 1
    with scene.standalone.api("admin") as api:
        runs = api.get("/dags/jet_cancel_order/dagRuns").json()["dag_runs"]
    assert [r["triggering_user_name"] for r in runs] == ["admin"]
    assert scene.sql(
        "SELECT DISTINCT actor FROM jet.order_notes WHERE merchant_order_id = %s AND source LIKE 'action:%%'",
        (scene.cancel_order,),
    ) == [("admin",)]

    page.locator("header nav a", has_text="Queues").click()
    page.wait_for_url("**/jet/queues")
    expect(page.locator("[data-test=queue-held]")).to_contain_text("Held for approval")
    expect(page.locator("[data-test=counts]")).to_contain_text("held")
    _shot(page, "09_queues")

    anonymous = chromium.new_context()
    stranger = anonymous.new_page()
    stranger.goto(f"{base}/jet/orders/{scene.cancel_order}")
    stranger.wait_for_url("**/auth/login**")
    assert anonymous.request.get(f"{base}/jet/orders/{scene.cancel_order}/runs.json").status == 401
    _shot(stranger, "10_no_session_goes_to_login")
    anonymous.close()
    page.close()


def _prompt(scene: Scene, order_id: str, timeout: float = 150.0) -> tuple[str, int]:
    """(dag_run_id, map_index) of the order's inbox question, once jet_held_orders asked it."""

    def asked() -> tuple[str, int] | None:
        rows = scene.sql(
            "SELECT dag_run_id, map_index FROM jet.held_order_prompts WHERE merchant_order_id = %s", (order_id,)
        )
        return rows[0] if rows else None

    try:
        return poll(asked, timeout=timeout, what=f"order {order_id} asked in the inbox")
    except PollTimeout as exc:
        raise AssertionError(f"{exc}:\n{scene.standalone.log_tail()}") from exc


def _ti(api: httpx.Client, run_id: str, task_id: str, map_index: int, states: set[str], timeout: float = 120.0) -> dict:
    def reached() -> dict | None:
        response = api.get(f"/dags/jet_held_orders/dagRuns/{run_id}/taskInstances/{task_id}/{map_index}")
        ti = response.json() if response.status_code == 200 else {}
        return ti if ti.get("state") in states else None

    return poll(reached, timeout=timeout, what=f"{task_id}[{map_index}] of {run_id} in {sorted(states)}")


def test_an_inbox_answer_decides_once_and_the_console_shows_it(scene: Scene, chromium: Any) -> None:
    order_id = scene.held_inbox
    run_id, index = _prompt(scene, order_id)
    with scene.standalone.api("admin") as api:
        _ti(api, run_id, "question.ask", index, {"deferred", "awaiting_input"})
        context = chromium.new_context(viewport={"width": 1360, "height": 900})
        context.add_cookies([{"name": "_token", "value": scene.standalone.token("admin"), "url": scene.standalone.url}])
        inbox = context.new_page()
        inbox.goto(f"{scene.standalone.url}/required_actions")
        inbox.get_by_text("Held Jet order").first.wait_for(timeout=60_000)
        _shot(inbox, "11_airflow_inbox")
        answered = api.patch(
            f"/dags/jet_held_orders/dagRuns/{run_id}/taskInstances/question.ask/{index}/hitlDetails",
            json={"chosen_options": ["Approve"], "params_input": {"reason": None, "comment": "Stock checked: ship it"}},
        )
        assert answered.status_code == 200, answered.text
        _ti(api, run_id, "question.apply_answer", index, {"success"})
        again = api.patch(
            f"/dags/jet_held_orders/dagRuns/{run_id}/taskInstances/question.ask/{index}/hitlDetails",
            json={"chosen_options": ["Cancel"], "params_input": {"reason": "other", "comment": None}},
        )
        assert again.status_code == 409  # the first answer decided
    assert scene.sql(
        "SELECT answer, answered_by, answered_in FROM jet.held_order_prompts WHERE merchant_order_id = %s", (order_id,)
    ) == [("approve", "admin", "inbox")]
    assert scene.sql(
        "SELECT kind, state FROM jet.actions WHERE merchant_order_id = %s ORDER BY action_id", (order_id,)
    ) == [("acknowledge", "applied")]
    page = context.new_page()
    page.goto(f"{scene.standalone.url}/jet/orders/{order_id}")
    page.locator("[data-test=inbox-answer]").wait_for()
    assert "approve" in page.locator("[data-test=inbox-answer]").inner_text()
    events = page.locator("[data-test=event]").all_inner_texts()
    assert any("Stock checked: ship it" in e and "admin" in e for e in events)
    assert any("acknowledge applied at Jet" in e for e in events)
    _shot(page, "12_answered_in_the_inbox")
    context.close()


def test_a_console_answer_closes_the_inbox_question_with_it(scene: Scene) -> None:
    order_id = scene.held_console
    run_id, index = _prompt(scene, order_id)
    admin = {"Authorization": f"Bearer {scene.standalone.token('admin')}"}
    with scene.standalone.api("admin") as api:
        _ti(api, run_id, "question.ask", index, {"deferred", "awaiting_input"})
        response = httpx.post(
            f"{scene.standalone.url}/jet/orders/{order_id}/actions/approve", data={"step": "confirm"},
            headers=admin, timeout=30, follow_redirects=False,
        )  # fmt: skip
        assert response.status_code == 303, response.text
        approved = re.search(r"run=jet_approve_order%2F([^#&]+)", response.headers["location"])
        assert approved is not None, response.headers["location"]
        runs = api.get("/dags/jet_approve_order/dagRuns").json()["dag_runs"]
        assert scene.standalone.wait_for_run("admin", "jet_approve_order", runs[0]["dag_run_id"])["state"] == "success"
        _ti(api, run_id, "question.apply_answer", index, {"success"})
        detail = api.get(
            f"/dags/jet_held_orders/dagRuns/{run_id}/taskInstances/question.ask/{index}/hitlDetails"
        ).json()
    assert detail["response_received"] is True
    assert detail["chosen_options"] == ["Approve"]
    assert "Decided elsewhere by admin" in (detail["params_input"] or {}).get("comment", "")
    assert scene.sql(
        "SELECT answer, answered_by, answered_in FROM jet.held_order_prompts WHERE merchant_order_id = %s", (order_id,)
    ) == [("approve", "admin", "elsewhere")]
    assert scene.sql("SELECT count(*) FROM jet.actions WHERE merchant_order_id = %s", (order_id,)) == [(1,)]


def test_the_console_links_the_latest_pnl_report(scene: Scene, chromium: Any) -> None:
    from datetime import UTC, datetime, timedelta

    import psycopg
    from playwright.sync_api import expect

    from jet.report.figures import report_period
    from jet.report.tasks import write_pnl_report
    from jet.runs import RunIdentity

    base = f"{scene.standalone.url}/jet"
    admin = {"Authorization": f"Bearer {scene.standalone.token('admin')}"}
    with httpx.Client(base_url=base, headers=admin, timeout=60) as client:
        none_yet = client.get("/reports")
        assert none_yet.status_code == 200
        assert 'data-test="no-report"' in none_yet.text
        assert "jet_report" in none_yet.text
        missing = client.get("/reports/latest")
        assert missing.status_code == 404
        assert "trigger the jet_report DAG" in missing.json()["detail"]

        now = datetime.now(UTC)
        period = report_period(None, None, days=7, last_default=(now - timedelta(days=1)).date())
        with psycopg.connect(scene.warehouse_url, autocommit=True) as conn:
            run = RunIdentity("jet_report", "test__console_report", now)
            receipt = write_pnl_report(run, period, out_dir=REPORTS, conn=conn)
        assert receipt["path"].startswith(str(REPORTS))
        (REPORTS / "notes.html").write_text("not a report")
        latest = client.get("/reports/latest")
        assert latest.status_code == 200
        assert "<title>P&amp;L report" in latest.text
        name = receipt["path"].rsplit("/", 1)[1]
        assert client.get(f"/reports/{name}").text == latest.text
        for stray in ("notes.html", "..%2Fairflow%2Fpasswords.json", "..%2F..%2Fbrowser%2Freports%2F" + name):
            refused = client.get(f"/reports/{stray}")
            assert refused.status_code == 404, (stray, refused.status_code)

    context = chromium.new_context(viewport={"width": 1360, "height": 900})
    context.add_cookies([{"name": "_token", "value": scene.standalone.token("admin"), "url": scene.standalone.url}])
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{base}/orders")
    page.locator("[data-test=nav-report]").click()
    page.wait_for_url("**/jet/reports")
    expect(page.locator("[data-test=latest-report]")).to_contain_text(
        f"{period.first.isoformat()} to {period.last.isoformat()}"
    )
    _shot(page, "13_report_link")
    page.locator("[data-test=latest-report-link]").click()
    page.wait_for_url("**/jet/reports/latest")
    expect(page).to_have_title(re.compile(r"^P&L report "))
    _shot(page, "14_report")
    context.close()
