/**
 * The report's only script (inlined, allowed by its hash in the page's Content-Security-Policy):
 * click-to-sort on table.sortable headers, and row filters for tables named by a [data-filter-table]
 * form. It reads cell text and data-* attributes only and never builds HTML from them.
 */
export const SCRIPT = `(function () {
  'use strict';
  function key(td) {
    var v = td.getAttribute('data-sort');
    if (v !== null && v !== '' && !isNaN(Number(v))) return Number(v);
    return (v !== null ? v : td.textContent || '').trim().toLowerCase();
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, i) {
      th.tabIndex = 0;
      th.setAttribute('aria-sort', 'none');
      function sort() {
        var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
        Array.prototype.forEach.call(heads, function (o) { o.setAttribute('aria-sort', 'none'); });
        th.setAttribute('aria-sort', dir);
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[i]), y = key(b.cells[i]);
          var c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
          return dir === 'ascending' ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); } });
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll('[data-filter-table]'), function (form) {
    var table = document.getElementById(form.getAttribute('data-filter-table'));
    if (!table) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var text = form.querySelector('input[type=search]');
    var selects = Array.prototype.slice.call(form.querySelectorAll('select'));
    var count = form.querySelector('.filter-count');
    function apply() {
      var q = text ? text.value.trim().toLowerCase() : '';
      var shown = 0;
      rows.forEach(function (r) {
        var ok = !q || (r.textContent || '').toLowerCase().indexOf(q) >= 0;
        selects.forEach(function (s) { if (ok && s.value && r.getAttribute('data-' + s.name) !== s.value) ok = false; });
        r.hidden = !ok;
        if (ok) shown++;
      });
      if (count) count.textContent = shown + ' of ' + rows.length + ' shown';
    }
    form.addEventListener('input', apply);
    form.addEventListener('change', apply);
    form.addEventListener('submit', function (e) { e.preventDefault(); });
    apply();
  });
})();`;
