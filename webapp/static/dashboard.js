// The dashboard's charts: Chart.js (vendor/chartjs) draws what the server put in each canvas' data-chart.
// No inline script: the page runs under a Content-Security-Policy with script-src 'self'.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.locale = "ru-RU";  // axis and tooltip numbers as Russian text writes them: «160 000», not «160,000»
  function read(id) {
    var canvas = document.getElementById(id);
    return canvas ? [canvas, JSON.parse(canvas.dataset.chart)] : [null, null];
  }
  var red = "rgba(220, 53, 69, 0.8)", blue = "rgba(13, 110, 253, 0.7)";
  var bodies = read("chart-bodies");
  if (bodies[0]) {
    new Chart(bodies[0], {type: "bar", data: {labels: bodies[1].labels,
      datasets: [{label: "Просрочено", data: bodies[1].values, backgroundColor: red}]},
      options: {indexAxis: "y", plugins: {legend: {display: false}},
                // every body named: Chart.js otherwise skips labels that overlap (long names wrap to several lines)
                scales: {x: {beginAtZero: true, ticks: {precision: 0}}, y: {ticks: {autoSkip: false}}}}});
  }
  var ages = read("chart-ages");
  if (ages[0]) {
    new Chart(ages[0], {type: "bar", data: {labels: ages[1].labels,
      datasets: [{label: "Просрочено", data: ages[1].values, backgroundColor: red}]},
      options: {plugins: {legend: {display: false}}, scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}});
  }
  var trend = read("chart-trend");
  if (trend[0]) {
    new Chart(trend[0], {type: "line", data: {labels: trend[1].labels, datasets: [
      {label: "Открыто", data: trend[1].open, borderColor: blue, backgroundColor: blue},
      {label: "Просрочено", data: trend[1].overdue, borderColor: red, backgroundColor: red}]},
      options: {scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}});
  }
}());

// Figures shown from an earlier count while they are counted again (#recounting): ask every 2 seconds, for up to two
// minutes, whether a newer count is kept, and then offer it (the page is not reloaded under its reader) — or, when
// the page says it reloads itself (data-reload: the user asked for the count, the one shown is old, or there are no
// figures yet), ask every second and show it at once.
(function () {
  "use strict";
  var box = document.getElementById("recounting");
  if (!box || !box.dataset.pollUrl) { return; }
  var reload = box.dataset.reload === "1";
  var every = reload ? 1000 : 2000;
  var asked = 0;
  function ask() {
    asked += 1;
    fetch(box.dataset.pollUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        var shown = document.getElementById("recounted");
        if (state && state.counted && reload) {
          window.location.replace(shown.href);
        } else if (state && state.counted) {
          document.getElementById("recounting-text").textContent = "Показатели пересчитаны с учётом изменений.";
          document.getElementById("recount-now").classList.add("d-none");
          shown.classList.remove("d-none");
        } else if (state && asked * every < 120000) {
          window.setTimeout(ask, every);
        }
      })
      .catch(function () { if (asked * every < 120000) { window.setTimeout(ask, 5000); } });
  }
  window.setTimeout(ask, every);
}());
