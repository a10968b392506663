// Jet orders console: acknowledgement countdowns, and following runs until they end.
(function () {
  "use strict";
  function pad(n) { return String(n).padStart(2, "0"); }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
      var left = Math.round((Date.parse(el.dataset.deadline) - now) / 1000);
      var abs = Math.abs(left), text = Math.floor(abs / 60) + ":" + pad(abs % 60);
      el.textContent = left >= 0 ? text + " left" : "overdue by " + text;
      el.classList.toggle("late", left < 0);
      el.classList.toggle("soon", left >= 0 && left < 300);
    });
  }
  // While a run on this order is queued or running, ask for the runs' states every few
  // seconds and reload the page once one has ended, so its outcome shows.
  function follow() {
    var section = document.getElementById("runs");
    if (!section || section.dataset.pending === "0") { return; }
    var url = section.dataset.runsUrl, seen = section.dataset.states || "";
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (body) {
          var states = body.runs.map(function (r) { return r.dag_id + "/" + r.dag_run_id + "=" + r.state; }).join(",");
          var open = body.runs.filter(function (r) { return r.state !== "success" && r.state !== "failed"; }).length;
          if (states !== seen) { window.location.reload(); return; }
          if (open > 0) { window.setTimeout(poll, 3000); }
        })
        .catch(function () { window.setTimeout(poll, 10000); });
    }
    poll();
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); window.setInterval(tick, 1000); follow(); });
})();
