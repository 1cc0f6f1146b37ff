// A report page: counts for tests and for the reader; nothing here reaches the network.
document.body.dataset.facts = document.querySelectorAll('mark.fact').length;
// Its feedback memo, when the memos written beside the site (memos/memos.js) name one made from this file.
(function () {
  var p = document.getElementById('memo');
  var memos = window.selfevalMemos || {};
  if (!p || !Object.prototype.hasOwnProperty.call(memos, p.dataset.doc)) return;
  var m = memos[p.dataset.doc];
  if (!m || m.path !== p.dataset.path) return;
  p.querySelector('a').href = p.dataset.folder + encodeURIComponent(m.memo);
  p.hidden = false;
})();
