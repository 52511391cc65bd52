// KYC Desk: redaction boxes (views/case_redaction.templ). "Redact…" under a picture opens the
// dialog with that picture; each drag on it draws a box. "Save boxes" sends them as fractions of
// the picture's width and height (POST /media/ID/redaction, CSRF in the header); the desk paints
// them over the original and the page reloads to show the redacted picture.
(function () {
  'use strict';
  var dlg = document.querySelector('[data-redact-dialog]');
  if (!dlg || dlg.dataset.redactReady) return;
  dlg.dataset.redactReady = '1';
  var csrf = dlg.dataset.csrf;
  var canvas = dlg.querySelector('[data-redact-canvas]');
  var img = dlg.querySelector('[data-redact-img]');
  var title = dlg.querySelector('[data-redact-title]');
  var count = dlg.querySelector('[data-redact-count]');
  var error = dlg.querySelector('[data-redact-error]');
  var undo = dlg.querySelector('[data-redact-undo]');
  var save = dlg.querySelector('[data-redact-save]');
  var cancel = dlg.querySelector('[data-redact-cancel]');
  var url = '', boxes = [], drag = null, saving = false;

  function clamp(v) { return Math.max(0, Math.min(1, v)); }
  function point(ev) {
    var r = img.getBoundingClientRect();
    return { x: clamp((ev.clientX - r.left) / r.width), y: clamp((ev.clientY - r.top) / r.height) };
  }
  function place(el, b) {
    el.style.left = (b.x * 100) + '%'; el.style.top = (b.y * 100) + '%';
    el.style.width = (b.w * 100) + '%'; el.style.height = (b.h * 100) + '%';
  }
  function boxOf(a, b) {
    return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(a.x - b.x), h: Math.abs(a.y - b.y) };
  }
  function refresh() {
    count.textContent = boxes.length === 0 ? 'No boxes yet' : boxes.length === 1 ? '1 new box' : boxes.length + ' new boxes';
    undo.disabled = boxes.length === 0 || saving;
    save.disabled = boxes.length === 0 || saving;
  }
  function clear() {
    boxes = [];
    Array.prototype.forEach.call(canvas.querySelectorAll('.redact-box'), function (el) { el.remove(); });
    error.textContent = '';
    refresh();
  }

  document.addEventListener('click', function (ev) {
    var btn = ev.target.closest('[data-redact-open]');
    if (!btn) return;
    url = btn.dataset.redactUrl;
    title.textContent = 'Redact ' + (btn.dataset.redactCaption || 'picture');
    clear();
    img.src = btn.dataset.redactSrc;
    dlg.showModal();
  });
  cancel.addEventListener('click', function () { dlg.close(); });

  canvas.addEventListener('pointerdown', function (ev) {
    if (ev.button !== 0 || saving) return;
    ev.preventDefault();
    var el = document.createElement('div');
    el.className = 'redact-box is-drawing';
    el.setAttribute('data-testid', 'redact-box');
    canvas.appendChild(el);
    drag = { from: point(ev), el: el };
    place(el, boxOf(drag.from, drag.from));
    canvas.setPointerCapture(ev.pointerId);
  });
  canvas.addEventListener('pointermove', function (ev) {
    if (drag) place(drag.el, boxOf(drag.from, point(ev)));
  });
  function finish(ev) {
    if (!drag) return;
    var b = boxOf(drag.from, point(ev)), el = drag.el;
    drag = null;
    el.classList.remove('is-drawing');
    if (b.w < 0.005 || b.h < 0.005) { el.remove(); return; } // a click, not a box
    boxes.push({ box: b, el: el });
    error.textContent = '';
    refresh();
  }
  canvas.addEventListener('pointerup', finish);
  canvas.addEventListener('pointercancel', function () { if (drag) { drag.el.remove(); drag = null; } });

  undo.addEventListener('click', function () {
    var last = boxes.pop();
    if (last) last.el.remove();
    refresh();
  });

  save.addEventListener('click', function () {
    if (boxes.length === 0 || saving) return;
    saving = true; refresh();
    error.textContent = '';
    count.textContent = 'Saving…';
    var body = new URLSearchParams();
    body.set('boxes', JSON.stringify(boxes.map(function (b) { return b.box; })));
    fetch(url, {
      method: 'POST', credentials: 'same-origin', body: body,
      headers: { 'X-CSRF-Token': csrf, 'Accept': 'application/json' }
    }).then(function (res) {
      return res.json().catch(function () { return { ok: false, error: 'The desk did not answer; try again.' }; });
    }).then(function (answer) {
      if (answer.ok) { window.location.reload(); return; }
      saving = false; refresh();
      error.textContent = answer.error || 'The boxes were not saved; try again.';
    }, function () {
      saving = false; refresh();
      error.textContent = 'The desk could not be reached; the boxes were not saved.';
    });
  });
})();
