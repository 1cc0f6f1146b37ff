// The index: filter, sort and page the reports table in the page (no server, no network). A page shows
// `data-page-size` rows of those the filters keep, so a folder of a thousand reports stays one screen of rows.
(function () {
  var table = document.getElementById('reports');
  if (!table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var q = document.getElementById('filter');
  var v = document.getElementById('verdict-filter');
  var pager = document.getElementById('pager');
  var size = parseInt(table.dataset.pageSize, 10) || rows.length || 1;
  var page = 0;
  function kept() {
    var text = q ? q.value : '';
    var verdict = v ? v.value : '';
    return rows.filter(function (r) {
      return r.textContent.indexOf(text) >= 0 && (!verdict || r.dataset.verdict === verdict);
    });
  }
  function show() {
    var keep = kept();
    var pages = Math.max(1, Math.ceil(keep.length / size));
    page = Math.min(page, pages - 1);
    var on = new Set(keep.slice(page * size, (page + 1) * size));
    rows.forEach(function (r) { r.hidden = !on.has(r); });
    if (pager) {
      pager.hidden = pages < 2;
      document.getElementById('page-of').textContent = pager.dataset.pageOf
        .replace('{page}', page + 1).replace('{pages}', pages).replace('{rows}', keep.length);
      document.getElementById('prev').disabled = page === 0;
      document.getElementById('next').disabled = page >= pages - 1;
    }
  }
  function refilter() { page = 0; show(); }
  if (q) q.addEventListener('input', refilter);
  if (v) v.addEventListener('change', refilter);
  if (pager) {
    document.getElementById('prev').addEventListener('click', function () { page -= 1; show(); });
    document.getElementById('next').addEventListener('click', function () { page += 1; show(); });
  }
  // The summary's counts filter the table by their verdict.
  Array.prototype.forEach.call(document.querySelectorAll('[data-verdict-link]'), function (a) {
    a.addEventListener('click', function () { if (v) { v.value = a.dataset.verdictLink; refilter(); } });
  });
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
      refilter();
    });
  });
  show();
  document.body.dataset.reports = rows.length;
  document.body.dataset.bars = document.querySelectorAll('#indicator-chart .mark').length;
})();
