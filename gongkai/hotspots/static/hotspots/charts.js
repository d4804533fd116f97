/* The hot-spot page's charts: Chart.js draws each chart described in the page's
   json_script ("hotspots-charts") on the canvas with the same id. The table beside each
   canvas holds the same figures, so nothing is lost without scripts. */
(function () {
  "use strict";
  var COLOURS = ["#9b1b1b", "#0b4f8a", "#8a8a8a", "#2e7d32", "#b26a00", "#6a1b9a", "#00838f",
                 "#c2185b", "#5d4037", "#455a64"];

  function config(spec) {
    var share = spec.type === "doughnut";
    var datasets = spec.datasets.map(function (d, i) {
      var colour = COLOURS[i % COLOURS.length];
      return {
        label: d.label,
        data: d.data,
        backgroundColor: share ? COLOURS.slice(0, d.data.length) : colour,
        borderColor: share ? "#fff" : colour,
        borderWidth: share ? 1 : 2,
        tension: 0.2,
        fill: false
      };
    });
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: share ? "right" : "top" } }
    };
    if (!share) {
      options.scales = { x: { beginAtZero: true }, y: { beginAtZero: true } };
      if (spec.horizontal) { options.indexAxis = "y"; }
    }
    return { type: spec.type, data: { labels: spec.labels, datasets: datasets }, options: options };
  }

  function draw() {
    var source = document.getElementById("hotspots-charts");
    if (!source || typeof window.Chart === "undefined") { return; }
    var specs = JSON.parse(source.textContent);
    specs.forEach(function (spec) {
      var canvas = document.getElementById("chart-" + spec.id);
      if (!canvas) { return; }
      var chart = new window.Chart(canvas, config(spec));
      canvas.setAttribute("data-drawn", "true");
      canvas.chart = chart;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
