/* Charts for the report pages, drawn with Apache ECharts (vendored; no network needed).
 * Each chart reads its data from a <script type="application/json"> element that the page
 * renders with json_script; the tables on the page carry the same facts as text.
 *
 * Charts are drawn with ECharts' SVG renderer: crisp on screen and on paper, and saved as SVG
 * by ECharts' own toolbox. A PNG is the same SVG drawn onto a canvas at twice the size, so the
 * picture taken away is exactly the one on the page (a second, canvas-rendered instance would
 * lay the network out afresh). The buttons under each chart do the same from the keyboard. */
(function () {
  "use strict";

  var TEXT = "#1b1f24";
  // Colour-blind-safe palette (Okabe–Ito), one colour per status; decal patterns (aria.decal)
  // and the legend's names carry the same distinction for those who cannot tell the colours.
  var STATUS_COLOURS = {
    negotiating: "#999999", initialled: "#999999", signed: "#E69F00", ratified: "#56B4E9",
    provisionally_applied: "#F0E442", in_force: "#009E73", suspended: "#D55E00",
    terminated: "#555555", expired: "#555555", withdrawn: "#555555", superseded: "#555555"
  };
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"];
  // The page's one date style: "23 July 2017", "July 2017", "2017" by precision.
  var charts = {};

  function data(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function day(iso) { return Date.parse(iso + "T00:00:00Z"); }

  function partialDate(iso, precision) {
    var parts = iso.split("-");
    var month = MONTHS[Number(parts[1]) - 1];
    if (precision === "year") { return parts[0]; }
    if (precision === "month") { return month + " " + parts[0]; }
    return Number(parts[2]) + " " + month + " " + parts[0];
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" }[c];
    });
  }

  // --- Taking a chart away: SVG from ECharts, PNG drawn from that SVG ------------------------------

  function download(url, filename) {
    var link = document.createElement("a");
    link.href = url;
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  function svgUrl(chart) {
    return chart.getDataURL({ type: "svg", excludeComponents: ["toolbox"] });
  }

  function saveSvg(chart, name) { download(svgUrl(chart), name + ".svg"); }

  function savePng(chart, name) {
    var scale = 2;
    var image = new Image();
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = chart.getWidth() * scale;
      canvas.height = chart.getHeight() * scale;
      var context = canvas.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      download(canvas.toDataURL("image/png"), name + ".png");
    };
    image.src = svgUrl(chart);
  }

  // A picture icon for "Save as PNG"; ECharts' own download icon stays with "Save as SVG".
  var PICTURE = "path://M2,8L58,8L58,52L2,52Z M10,44L24,26L34,38L42,30L52,44Z M42,16A4,4,0,1,1,41.9,16Z";

  function printing() { return Boolean(window.matchMedia && window.matchMedia("print").matches); }

  function toolbox(name) {
    return {
      show: !printing(), right: 4, top: 0, itemSize: 16, showTitle: true,
      feature: {
        myPng: { show: true, title: "Save as PNG", icon: PICTURE, onclick: function (model, api) { savePng(api, name); } },
        saveAsImage: { title: "Save as SVG", name: name, type: "svg", excludeComponents: ["toolbox"] }
      }
    };
  }

  function init(element, name) {
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.fileName = name;
    charts[element.id] = chart;
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  function common(name) {
    return {
      animation: false,
      textStyle: { color: TEXT },
      // Patterns as well as colours; our own aria-label on the container stays.
      aria: { enabled: true, label: { enabled: false }, decal: { show: true } },
      toolbox: toolbox(name)
    };
  }

  function withCommon(name, option) {
    var merged = common(name);
    Object.keys(option).forEach(function (key) { merged[key] = option[key]; });
    return merged;
  }

  // --- The pair's timeline ------------------------------------------------------------------------

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
          from: partialDate(period.start, period.start_precision),
          title: agreement.title
        });
      });
      agreement.events.forEach(function (event) {
        marks.push({ value: [day(event.date), row], event: event, title: agreement.title });
      });
    });
    element.style.height = Math.max(260, 110 + rows.length * 34) + "px";
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
    var marker = input.dated ? "as of " + partialDate(input.as_of, "day") : "today";
    series.push({
      type: "scatter", name: "Events", data: marks, symbolSize: 9, symbol: "diamond",
      itemStyle: { color: TEXT },
      markLine: {
        symbol: "none", silent: true, lineStyle: { color: "#0b4f9c", type: "dashed" },
        // Level, above the plot (the y axis is inverted, so that is the line's start): along the
        // line it was turned on its side and cut off at the chart's edge.
        label: { formatter: marker, position: "start", color: "#0b4f9c", fontSize: 12 },
        data: [{ xAxis: day(input.as_of) }]
      }
    });
    init(element, input.file).setOption(withCommon(input.file, {
      grid: { left: 16, right: 96, top: 64, bottom: 40, containLabel: true },
      legend: { top: 24, left: 0, textStyle: { color: TEXT, fontSize: 13 } },
      tooltip: {
        formatter: function (p) {
          if (p.seriesType === "scatter") {
            var e = p.data.event;
            return escapeHtml(p.data.title) + "<br>" + escapeHtml(input.events[e.status] || e.status) + ", " +
              partialDate(e.date, e.precision) + (e.party ? " by " + escapeHtml(input.parties[e.party] || e.party) : "");
          }
          return escapeHtml(p.data.title) + "<br>" + escapeHtml(p.seriesName) + " from " + p.data.from;
        }
      },
      // Half a year of margin either side, so the first and last marks are not on the edge.
      xAxis: { type: "time", min: function (v) { return v.min - 183 * 864e5; }, max: function (v) { return v.max + 183 * 864e5; },
               axisLabel: { color: TEXT, fontSize: 13 } },
      yAxis: { type: "category", data: rows, inverse: true, axisLabel: { width: 380, overflow: "truncate", color: TEXT, fontSize: 13 } },
      series: series
    }));
  }

  // --- A country's partners -----------------------------------------------------------------------

  function partnersOption(input, log) {
    // A logarithmic axis has no place for 0: an empty bar is left out (the table has the 0).
    function value(n) { return log && n === 0 ? "-" : n; }
    var names = input.partners.map(function (p) { return p.name; });
    var barLabel = { show: true, position: "right", color: TEXT, fontSize: 12 };
    return {
      grid: { left: 16, right: 56, top: 56, bottom: 32, containLabel: true },
      legend: { top: 24, left: 0, textStyle: { color: TEXT, fontSize: 13 } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: log
        ? { type: "log", logBase: 10, min: 1, name: "agreements (logarithmic scale)", nameLocation: "middle", nameGap: 26 }
        : { type: "value", minInterval: 1, name: "agreements", nameLocation: "middle", nameGap: 26 },
      yAxis: { type: "category", data: names, inverse: true, axisLabel: { color: TEXT, fontSize: 13, width: 220, overflow: "truncate" } },
      series: [
        { type: "bar", name: "Agreements", data: input.partners.map(function (p) { return value(p.agreements); }),
          itemStyle: { color: "#0b4f9c" }, label: barLabel, barGap: "10%" },
        { type: "bar", name: input.in_force_label, data: input.partners.map(function (p) { return value(p.in_force); }),
          itemStyle: { color: "#009E73" }, label: barLabel }
      ]
    };
  }

  function partners(element, input) {
    element.style.height = Math.max(240, 100 + input.partners.length * 44) + "px";
    var chart = init(element, input.file);
    chart.logScale = input.log;
    chart.setOption(withCommon(input.file, partnersOption(input, input.log)));
    var toggle = document.querySelector("[data-scale-toggle='" + element.id + "']");
    if (toggle) {
      toggle.addEventListener("click", function () {
        chart.logScale = !chart.logScale;
        chart.setOption(partnersOption(input, chart.logScale));
        toggle.textContent = toggle.getAttribute(chart.logScale ? "data-linear" : "data-log");
      });
    }
  }

  // --- The pair network ---------------------------------------------------------------------------

  function network(element, input) {
    var most = Math.max.apply(null, input.edges.map(function (e) { return e.agreements; }).concat([1]));
    var biggest = Math.max.apply(null, input.nodes.map(function (n) { return n.agreements; }).concat([1]));
    var names = {};
    input.nodes.forEach(function (n) { names[n.id] = n.name; });
    var categories = [
      { name: "Countries with an agreement in force", symbol: "circle", itemStyle: { color: "#0072B2" } },
      { name: "Countries with none in force", symbol: "diamond", itemStyle: { color: "#D55E00" } }
    ];
    var chart = init(element, input.file);
    // Room for every country inside the frame: the fewer the countries, the more they push apart.
    var area = element.clientWidth * element.clientHeight;
    var repulsion = Math.max(20, Math.min(300, area / (input.nodes.length + 1) / 60));
    chart.setOption(withCommon(input.file, {
      legend: { top: 0, left: 0, textStyle: { color: TEXT, fontSize: 13 },
                data: categories.map(function (c) { return { name: c.name, icon: c.symbol }; }) },
      tooltip: {
        formatter: function (p) {
          var d = p.data;
          return escapeHtml(d.name) + ": " + d.value + " agreement" + (d.value === 1 ? "" : "s") + ", " + d.in_force + " in force now";
        }
      },
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true, top: 40, bottom: 8,
        categories: categories,
        force: { repulsion: repulsion, edgeLength: [30, 120], gravity: 0.2, layoutAnimation: false },
        label: { show: true, position: "right", formatter: "{b}", fontSize: 12, color: TEXT },
        labelLayout: { hideOverlap: true },
        scaleLimit: { min: 0.3, max: 8 },
        data: input.nodes.map(function (n) {
          return { id: n.id, name: n.name, value: n.agreements, in_force: n.in_force, category: n.in_force ? 0 : 1,
                   symbolSize: 8 + 28 * Math.sqrt(n.agreements / biggest) };
        }),
        links: input.edges.map(function (e) {
          return { source: e.source, target: e.target, value: e.agreements, in_force: e.in_force, name: e.name,
                   lineStyle: { width: 0.8 + 6 * e.agreements / most, color: "#5a626b", opacity: 0.65,
                                type: e.in_force ? "solid" : "dashed" } };
        })
      }]
    }));
    document.querySelectorAll(".zoom-tools[data-chart='" + element.id + "'] [data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var action = button.getAttribute("data-zoom");
        if (action === "reset") {
          chart.setOption({ series: [{ zoom: 1, center: null }] });
          return;
        }
        var zoom = chart.getOption().series[0].zoom || 1;
        chart.setOption({ series: [{ zoom: action === "in" ? zoom * 1.5 : zoom / 1.5 }] });
      });
    });
  }

  // --- Wiring -------------------------------------------------------------------------------------

  function wireSaveButtons() {
    document.querySelectorAll(".chart-tools[data-chart] [data-save]").forEach(function (button) {
      button.addEventListener("click", function () {
        var chart = charts[button.closest("[data-chart]").getAttribute("data-chart")];
        if (!chart) { return; }
        (button.getAttribute("data-save") === "png" ? savePng : saveSvg)(chart, chart.fileName);
      });
    });
  }

  // On paper the page is narrower than the window: redraw each chart at the printed width, and
  // back afterwards. (Print preview and emulated print media report the change the same way.)
  function fitForPrint() {
    Object.keys(charts).forEach(function (id) {
      charts[id].setOption({ toolbox: { show: !printing() } });
      charts[id].resize();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof echarts === "undefined") { return; }  // the tables still tell everything
    var kinds = [["timeline-chart", "timeline-data", timeline], ["partners-chart", "partners-data", partners],
                 ["network-chart", "network-data", network]];
    kinds.forEach(function (entry) {
      var element = document.getElementById(entry[0]);
      var input = data(entry[1]);
      if (element && input) { entry[2](element, input); }
    });
    wireSaveButtons();
    window.addEventListener("beforeprint", fitForPrint);
    window.addEventListener("afterprint", fitForPrint);
    if (window.matchMedia) { window.matchMedia("print").addEventListener("change", fitForPrint); }
    document.documentElement.setAttribute("data-charts", "ready");
  });
}());
