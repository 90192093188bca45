// Dashboards, enhanced: where Vega loaded, each chart the server drew as an SVG image is
// redrawn live by vega-embed from the same spec and data (/dashboards/<id>/chart.json).
// Expressions are interpreted, never compiled (the Content-Security-Policy allows no eval).
// If anything fails, the server's image stays; the table below it holds the numbers either way.
(function () {
  "use strict";
  if (!window.vegaEmbed || !window.vegaExpressionInterpreter) {
    return;
  }
  document.querySelectorAll("figure.dashboard-chart[data-spec]").forEach(function (figure) {
    var image = figure.querySelector("img");
    if (!image) {
      return;
    }
    var live = document.createElement("div");
    live.className = "dashboard-chart-live";
    live.hidden = true;
    live.setAttribute("role", "img");
    live.setAttribute("aria-label", image.getAttribute("alt") || "");
    figure.insertBefore(live, image);
    fetch(figure.getAttribute("data-spec"), { credentials: "same-origin" })
      .then(function (answer) {
        return answer.ok ? answer.json() : Promise.reject(new Error("no spec"));
      })
      .then(function (spec) {
        return window.vegaEmbed(live, spec, {
          mode: "vega-lite",
          renderer: "svg",
          actions: false,
          defaultStyle: false,
          ast: true,
          expr: window.vegaExpressionInterpreter,
        });
      })
      .then(function () {
        image.remove();
        live.hidden = false;
      })
      .catch(function () {
        live.remove();
      });
  });
})();
