// Draws the dashboard's charts from the JSON the page carries (no inline script: the CSP forbids it).
(function () {
  var data = JSON.parse(document.getElementById('chart-data').textContent);
  var weekly = echarts.init(document.getElementById('chart-weekly'));
  weekly.setOption({
    title: { text: '近12周收文与新立督办', left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0, data: ['收文', '新立督办'] },
    grid: { left: 40, right: 20, top: 40, bottom: 50 },
    xAxis: { type: 'category', data: data.weekly.map(function (w) { return w.week.slice(5); }) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: '收文', type: 'bar', data: data.weekly.map(function (w) { return w.documents; }) },
      { name: '新立督办', type: 'line', data: data.weekly.map(function (w) { return w.supervision; }) }
    ]
  });
  var units = echarts.init(document.getElementById('chart-units'));
  var pct = function (r) { return r.of ? Math.round((1000 * r.count) / r.of) / 10 : null; };
  units.setOption({
    title: { text: '各单位按时办结率（%）', left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0, data: ['公文', '督办'] },
    grid: { left: 40, right: 20, top: 40, bottom: 80 },
    xAxis: { type: 'category', data: data.units.map(function (u) { return u.unit; }), axisLabel: { rotate: 30 } },
    yAxis: { type: 'value', max: 100 },
    series: [
      { name: '公文', type: 'bar', data: data.units.map(function (u) { return pct(u.documents); }) },
      { name: '督办', type: 'bar', data: data.units.map(function (u) { return pct(u.supervision); }) }
    ]
  });
  window.addEventListener('resize', function () { weekly.resize(); units.resize(); });
})();
