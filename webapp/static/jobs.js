// A job's page: its progress read from the job's JSON every second until it is done or failed (no inline script:
// the page runs under a Content-Security-Policy with script-src 'self'; without scripts the page refreshes itself).
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "1") { return; }
  var url = box.dataset.statusUrl;
  function show(state) {
    document.getElementById("job-status").textContent = state.status_title;
    document.getElementById("job-count").textContent = state.total ? "(" + Number(state.done || 0).toLocaleString("ru-RU") + " из " + Number(state.total).toLocaleString("ru-RU") + ")" : "";
    var bar = document.getElementById("job-bar");
    bar.value = state.percent;
    bar.textContent = state.percent + "%";
    if (state.error) {
      var error = document.getElementById("job-error");
      error.textContent = state.error;
      error.classList.remove("d-none");
    }
    if (state.download) {
      var link = document.getElementById("job-download");
      link.href = state.download;
      link.classList.remove("d-none");
    }
  }
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        show(state);
        if (!state.finished) { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
}());
