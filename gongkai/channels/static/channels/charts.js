/* The channel figures page's charts: Chart.js draws each chart described in the page's
   json_script ("channels-charts") on the canvas with the same id. The table beside each
   canvas holds the same figures, so nothing is lost without scripts. */
(function () {
  "use strict";
  var COLOURS = ["#0b4f8a", "#9b1b1b", "#2e7d32", "#b26a00", "#6a1b9a", "#00838f", "#8a8a8a"];

  function config(spec) {
    var datasets = spec.datasets.map(function (d, i) {
      var colour = COLOURS[i % COLOURS.length];
      return {
        label: d.label, data: d.data, backgroundColor: colour, borderColor: colour,
        borderWidth: 2, tension: 0.2, fill: false
      };
    });
    return {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { position: "top" } },
        scales: { x: { beginAtZero: true }, y: { beginAtZero: true } }
      }
    };
  }

  function draw() {
    var source = document.getElementById("channels-charts");
    if (!source || typeof window.Chart === "undefined") { return; }
    JSON.parse(source.textContent).forEach(function (spec) {
      var canvas = document.getElementById("chart-" + spec.id);
      if (!canvas) { return; }
      canvas.chart = new window.Chart(canvas, config(spec));
      canvas.setAttribute("data-drawn", "true");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
