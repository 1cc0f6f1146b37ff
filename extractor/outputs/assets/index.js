// The index: filter and sort the reports table in the page (no server, no network).
(function () {
  var table = document.getElementById('reports');
  if (!table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var q = document.getElementById('filter');
  var v = document.getElementById('verdict-filter');
  function apply() {
    var text = q ? q.value : '';
    var verdict = v ? v.value : '';
    rows.forEach(function (r) {
      var show = r.textContent.indexOf(text) >= 0 && (!verdict || r.dataset.verdict === verdict);
      r.hidden = !show;
    });
  }
  if (q) q.addEventListener('input', apply);
  if (v) v.addEventListener('change', apply);
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
    th.classList.add('sortable');
    th.addEventListener('click', function () {
      var desc = th.getAttribute('aria-sort') !== 'descending';
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (o) { o.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
      rows.sort(function (a, b) {
        var x = a.cells[i].dataset.sort, y = b.cells[i].dataset.sort;
        if (x === undefined) { x = a.cells[i].textContent; y = b.cells[i].textContent; }
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : String(x).localeCompare(String(y), 'zh');
        return desc ? -c : c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  document.body.dataset.reports = rows.length;
  document.body.dataset.bars = document.querySelectorAll('#indicator-chart .mark').length;
})();
