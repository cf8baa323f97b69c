/* The self-evaluation dashboard's charts (ECharts, served by the platform). */
(function () {
  "use strict";
  var source = document.getElementById("metrics-chart-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);

  var bar = document.getElementById("metrics-bar");
  if (bar) {
    var barChart = window.echarts.init(bar, null, { renderer: "canvas" });
    barChart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: ["现值 %", "目标 %"] },
      grid: { left: 40, right: 20, bottom: 90 },
      xAxis: { type: "category", data: data.names, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", max: 100 },
      series: [
        { name: "现值 %", type: "bar", data: data.values },
        { name: "目标 %", type: "bar", data: data.targets }
      ]
    });
    window.addEventListener("resize", function () { barChart.resize(); });
  }

  var trend = document.getElementById("metrics-trend");
  if (trend) {
    var trendChart = window.echarts.init(trend, null, { renderer: "canvas" });
    trendChart.setOption({
      animation: false,
      title: { text: data.trend.dates.length ? "" : "暂无快照", left: "center", top: "middle" },
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", data: data.trend.series.map(function (s) { return s.name; }) },
      grid: { left: 40, right: 20, bottom: 40, top: 50 },
      xAxis: { type: "category", data: data.trend.dates },
      yAxis: { type: "value", max: 100 },
      series: data.trend.series.map(function (s) {
        return { name: s.name, type: "line", data: s.values, connectNulls: true };
      })
    });
    window.addEventListener("resize", function () { trendChart.resize(); });
  }
}());
