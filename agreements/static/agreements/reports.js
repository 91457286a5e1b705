/* Charts for the report pages, drawn with Apache ECharts (vendored; no network needed).
 * Each chart reads its data from a <script type="application/json"> element that the page
 * renders with json_script; the tables on the page carry the same facts as text. */
(function () {
  "use strict";

  // Colour-blind-safe palette (Okabe–Ito), one colour per status.
  var STATUS_COLOURS = {
    negotiating: "#999999", initialled: "#999999", signed: "#E69F00", ratified: "#56B4E9",
    provisionally_applied: "#F0E442", in_force: "#009E73", suspended: "#D55E00",
    terminated: "#555555", expired: "#555555", withdrawn: "#555555", superseded: "#555555"
  };

  function data(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function init(element) {
    // SVG renders crisply when printed.
    var chart = echarts.init(element, null, { renderer: "svg" });
    window.addEventListener("resize", function () { chart.resize(); });
    window.addEventListener("beforeprint", function () { chart.resize(); });
    return chart;
  }

  function day(iso) { return Date.parse(iso + "T00:00:00Z"); }

  // "27 November 2026", as the page writes dates (not the ISO form the data carries).
  function longDate(iso) {
    return new Date(day(iso)).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  }

  function label(agreement) {
    var title = agreement.title.length > 60 ? agreement.title.slice(0, 59) + "…" : agreement.title;
    return (agreement.signed_on ? agreement.signed_on.slice(0, 4) + " · " : "") + title;
  }

  function timeline(element, input) {
    var rows = input.agreements.map(label);
    var end = Math.max(Date.now(), day(input.as_of));
    var bars = {};
    var marks = [];
    input.agreements.forEach(function (agreement, row) {
      agreement.periods.forEach(function (period) {
        (bars[period.status] = bars[period.status] || []).push({
          value: [row, day(period.start), period.end ? day(period.end) : end],
          note: period.start + (period.start_precision !== "day" ? " (" + period.start_precision + " known)" : "")
        });
      });
      agreement.events.forEach(function (event) {
        marks.push({ value: [day(event.date), row], event: event });
      });
    });
    element.style.height = Math.max(240, 90 + rows.length * 34) + "px";
    var series = Object.keys(bars).map(function (status) {
      return {
        type: "custom", name: input.statuses[status] || status, data: bars[status],
        itemStyle: { color: STATUS_COLOURS[status] || "#777" },
        encode: { x: [1, 2], y: 0 },
        renderItem: function (params, api) {
          var start = api.coord([api.value(1), api.value(0)]);
          var stop = api.coord([api.value(2), api.value(0)]);
          var height = api.size([0, 1])[1] * 0.5;
          return {
            type: "rect", style: api.style(),
            shape: echarts.graphic.clipRectByRect(
              { x: start[0], y: start[1] - height / 2, width: Math.max(stop[0] - start[0], 2), height: height },
              { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height })
          };
        }
      };
    });
    series.push({
      type: "scatter", name: "Events", data: marks, symbolSize: 9,
      itemStyle: { color: "#1b1f24" },
      markLine: {
        symbol: "none", silent: true, lineStyle: { color: "#0b4f9c", type: "dashed" },
        // Level, above the plot (the y axis is inverted, so that is the line's start): along the
        // line it was turned on its side and cut off at the chart's edge.
        label: { formatter: "as of " + longDate(input.as_of), position: "start", color: "#0b4f9c", fontSize: 12 },
        data: [{ xAxis: day(input.as_of) }]
      }
    });
    init(element).setOption({
      animation: false,
      grid: { left: 16, right: 96, top: 64, bottom: 40, containLabel: true },
      legend: { top: 0, textStyle: { color: "#1b1f24", fontSize: 13 } },
      tooltip: {
        formatter: function (p) {
          if (p.seriesType === "scatter") {
            var e = p.data.event;
            return e.status.replace(/_/g, " ") + " " + e.date + (e.precision !== "day" ? " (" + e.precision + " known)" : "") +
              (e.party ? " by " + e.party : "");
          }
          return p.seriesName + " from " + p.data.note;
        }
      },
      // Half a year of margin either side, so the first and last marks are not on the edge.
      xAxis: { type: "time", min: function (v) { return v.min - 183 * 864e5; }, max: function (v) { return v.max + 183 * 864e5; },
               axisLabel: { color: "#1b1f24", fontSize: 13 } },
      yAxis: { type: "category", data: rows, inverse: true, axisLabel: { width: 380, overflow: "truncate", color: "#1b1f24", fontSize: 13 } },
      series: series
    });
  }

  function partners(element, input) {
    var names = input.partners.map(function (p) { return p.name; });
    init(element).setOption({
      animation: false,
      grid: { left: 16, right: 24, top: 40, bottom: 24, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: names, inverse: true },
      series: [
        { type: "bar", name: "Agreements", data: input.partners.map(function (p) { return p.agreements; }), itemStyle: { color: "#0b4f9c" } },
        { type: "bar", name: "In force", data: input.partners.map(function (p) { return p.in_force; }), itemStyle: { color: "#009E73" } }
      ]
    });
  }

  function network(element, input) {
    var most = Math.max.apply(null, input.edges.map(function (e) { return e.agreements; }).concat([1]));
    var biggest = Math.max.apply(null, input.nodes.map(function (n) { return n.agreements; }).concat([1]));
    init(element).setOption({
      animation: false,
      tooltip: {
        formatter: function (p) {
          return p.dataType === "edge"
            ? p.data.source + "–" + p.data.target + ": " + p.data.value + " agreements"
            : p.data.name + ": " + p.data.value + " agreements";
        }
      },
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true,
        force: { repulsion: 120, edgeLength: [40, 160], gravity: 0.08 },
        label: { show: true, position: "right", formatter: "{b}", fontSize: 11 },
        labelLayout: { hideOverlap: true },
        data: input.nodes.map(function (n) {
          return { id: n.id, name: n.name, value: n.agreements, symbolSize: 6 + 24 * Math.sqrt(n.agreements / biggest), itemStyle: { color: "#0b4f9c" } };
        }),
        links: input.edges.map(function (e) {
          return { source: e.source, target: e.target, value: e.agreements, lineStyle: { width: 0.5 + 6 * e.agreements / most, color: "#6b737c", opacity: 0.6 } };
        })
      }]
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof echarts === "undefined") { return; }  // the tables still tell everything
    var charts = [["timeline-chart", "timeline-data", timeline], ["partners-chart", "partners-data", partners],
                  ["network-chart", "network-data", network]];
    charts.forEach(function (entry) {
      var element = document.getElementById(entry[0]);
      var input = data(entry[1]);
      if (element && input) { entry[2](element, input); }
    });
  });
}());
