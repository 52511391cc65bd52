// KYC Desk: small progressive enhancements. Every page works without this file.
// No inline script or handler exists anywhere (CSP script-src 'self'); everything is wired here
// from data-* attributes.
(function () {
  'use strict';

  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };

  function isTyping(el) {
    if (!el || el === document.body) return false;
    var tag = el.tagName;
    // A focused radio, checkbox or button takes no text: shortcuts still work there.
    if (tag === 'INPUT' && /^(radio|checkbox|button|submit|reset)$/.test(el.type)) return false;
    return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
  }

  // ── Row selection for j / k / Enter ────────────────────────────────────────
  function rows() { return $$('[data-row]').filter(function (r) { return r.offsetParent !== null; }); }

  function selectRow(delta) {
    var all = rows();
    if (!all.length) return;
    var cur = all.findIndex(function (r) { return r.classList.contains('is-selected'); });
    var next = cur < 0 ? (delta > 0 ? 0 : all.length - 1) : Math.max(0, Math.min(all.length - 1, cur + delta));
    if (cur >= 0) { all[cur].classList.remove('is-selected'); all[cur].removeAttribute('aria-selected'); }
    all[next].classList.add('is-selected');
    all[next].setAttribute('aria-selected', 'true');
    all[next].scrollIntoView({ block: 'nearest' });
  }

  function openSelectedRow() {
    var row = $('[data-row].is-selected');
    var link = row && $('a[data-row-link]', row);
    if (link) { link.click(); return true; }
    return false;
  }

  // ── Shortcut help overlay ──────────────────────────────────────────────────
  function toggleHelp(show) {
    var help = $('#kbd-help');
    if (!help) return;
    help.hidden = show === undefined ? !help.hidden : !show;
  }

  // ── Image lightbox ─────────────────────────────────────────────────────────
  var box = null;
  var view = { img: null, zoom: 1, rotate: 0, x: 0, y: 0 };

  function button(label, testid, title) {
    var b = document.createElement('button');
    b.type = 'button'; b.className = 'btn btn-sm'; b.textContent = label; b.title = title;
    b.setAttribute('data-testid', testid);
    return b;
  }

  function buildLightbox() {
    box = document.createElement('div');
    box.className = 'lightbox'; box.hidden = true;
    box.setAttribute('role', 'dialog'); box.setAttribute('aria-modal', 'true');
    box.setAttribute('aria-label', 'Image viewer'); box.setAttribute('data-testid', 'lightbox');
    var bar = document.createElement('div'); bar.className = 'lightbox-bar';
    var title = document.createElement('span'); title.className = 'title';
    var level = document.createElement('span'); level.className = 'zoom-level';
    level.setAttribute('data-testid', 'zoom-level');
    var count = document.createElement('span'); count.className = 'lightbox-count muted';
    count.setAttribute('data-testid', 'lightbox-count');
    var zoomOut = button('−', 'zoom-out', 'Zoom out (-)');
    var zoomIn = button('+', 'zoom-in', 'Zoom in (+)');
    var rotate = button('⟳ Rotate', 'rotate', 'Rotate 90° (r)');
    var reset = button('Reset', 'zoom-reset', 'Fit to screen (0)');
    var orig = document.createElement('a');
    orig.className = 'btn btn-sm'; orig.textContent = 'Open original'; orig.target = '_blank'; orig.rel = 'noopener';
    orig.setAttribute('data-testid', 'open-original');
    var close = button('✕ Close', 'lightbox-close', 'Close (Esc)');
    [title, count, zoomOut, level, zoomIn, rotate, reset, orig, close].forEach(function (n) { bar.appendChild(n); });
    var stage = document.createElement('div'); stage.className = 'lightbox-stage';
    var img = document.createElement('img'); img.alt = ''; img.draggable = false;
    img.setAttribute('data-testid', 'lightbox-img');
    stage.appendChild(img);
    box.appendChild(bar); box.appendChild(stage);
    document.body.appendChild(box);
    view.img = img;

    img.addEventListener('load', apply);
    window.addEventListener('resize', function () { if (!box.hidden) apply(); });
    zoomIn.addEventListener('click', function () { zoomBy(1.25); });
    zoomOut.addEventListener('click', function () { zoomBy(0.8); });
    rotate.addEventListener('click', function () { view.rotate = (view.rotate + 90) % 360; apply(); });
    reset.addEventListener('click', resetView);
    close.addEventListener('click', closeLightbox);
    stage.addEventListener('click', function (e) { if (e.target === stage) closeLightbox(); });
    stage.addEventListener('wheel', function (e) { e.preventDefault(); zoomBy(e.deltaY < 0 ? 1.15 : 1 / 1.15); }, { passive: false });

    // Drag to pan a zoomed image.
    var drag = null;
    img.addEventListener('pointerdown', function (e) {
      drag = { x: e.clientX - view.x, y: e.clientY - view.y };
      img.setPointerCapture(e.pointerId); stage.classList.add('is-dragging');
    });
    img.addEventListener('pointermove', function (e) {
      if (!drag) return;
      view.x = e.clientX - drag.x; view.y = e.clientY - drag.y; apply();
    });
    var end = function () { drag = null; stage.classList.remove('is-dragging'); };
    img.addEventListener('pointerup', end);
    img.addEventListener('pointercancel', end);
    box._title = title; box._level = level; box._orig = orig; box._count = count;
  }

  function zoomBy(f) { view.zoom = Math.max(0.25, Math.min(8, Math.round(view.zoom * f * 100) / 100)); apply(); }
  function resetView() { view.zoom = 1; view.rotate = 0; view.x = 0; view.y = 0; apply(); }

  // Scale that fits the whole (possibly rotated) image in the stage; zoom 1 means "fit".
  function fitScale() {
    var img = view.img, stage = img.parentNode;
    var w = img.naturalWidth || 800, h = img.naturalHeight || 600;
    if (view.rotate % 180) { var t = w; w = h; h = t; }
    return Math.min(4, (stage.clientWidth - 32) / w, (stage.clientHeight - 32) / h);
  }

  function apply() {
    var img = view.img;
    img.style.width = (img.naturalWidth || 800) + 'px';
    img.style.height = (img.naturalHeight || 600) + 'px';
    img.style.transform = 'translate(' + view.x + 'px,' + view.y + 'px) rotate(' + view.rotate + 'deg) scale(' + view.zoom * fitScale() + ')';
    img.setAttribute('data-zoom', String(view.zoom));
    img.setAttribute('data-rotate', String(view.rotate));
    // The level is the real size on screen (100% = one image pixel per screen pixel), not the
    // zoom relative to "fit"; a large photo fitted to the screen reads, say, 43%.
    var real = view.zoom * fitScale();
    box._level.textContent = Math.round(real * 100) + '%';
    box._level.title = view.zoom === 1 ? 'Fitted to the screen' : 'Zoom';
    var all = $$('img[data-zoomable]'), i = all.indexOf(opener);
    box._count.textContent = i >= 0 && all.length > 1 ? (i + 1) + ' of ' + all.length : '';
  }

  var opener = null;
  function openLightbox(src) {
    if (!box) buildLightbox();
    opener = src;
    var full = src.getAttribute('data-full') || src.currentSrc || src.src;
    view.img.src = full;
    view.img.alt = src.alt || '';
    box._title.textContent = src.getAttribute('data-caption') || src.alt || '';
    box._orig.href = full;
    resetView();
    box.hidden = false;
    $('[data-testid="lightbox-close"]', box).focus();
  }

  function closeLightbox() {
    if (!box || box.hidden) return false;
    box.hidden = true;
    if (opener) opener.focus({ preventScroll: true });
    return true;
  }

  // Step to the previous or next zoomable image on the page (compare front, back and selfie).
  function stepLightbox(delta) {
    var all = $$('img[data-zoomable]');
    var i = all.indexOf(opener);
    if (i >= 0 && all.length > 1) openLightbox(all[(i + delta + all.length) % all.length]);
  }

  // ── Local times ────────────────────────────────────────────────────────────
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  function pad(n) { return n < 10 ? '0' + n : String(n); }
  // zoneName is the viewer's zone as the browser abbreviates it ("IST", "GMT+5:30", "CET").
  function zoneName(d) {
    try {
      var part = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' }).formatToParts(d)
        .filter(function (p) { return p.type === 'timeZoneName'; })[0];
      return part ? part.value : '';
    } catch (e) { return ''; }
  }

  // Date filters are read in the viewer's zone: forms carry it in their tz field.
  function fillZones() {
    var tz = '';
    try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { tz = ''; }
    $$('input[data-tz]').forEach(function (i) { if (!i.value) i.value = tz; });
  }

  function localTimes(root) {
    var thisYear = new Date().getFullYear();
    $$('time[datetime][data-local]', root).forEach(function (t) {
      var d = new Date(t.getAttribute('datetime'));
      if (isNaN(d)) return;
      if (!t.title) t.title = 'UTC ' + d.toISOString().slice(0, 19).replace('T', ' ');
      var day = d.getDate() + ' ' + MONTHS[d.getMonth()] + (d.getFullYear() !== thisYear ? ' ' + d.getFullYear() : '');
      var clock = pad(d.getHours()) + ':' + pad(d.getMinutes()) + (t.hasAttribute('data-seconds') ? ':' + pad(d.getSeconds()) : '');
      t.textContent = t.hasAttribute('data-date-only') ? day : day + ' ' + clock + ' ' + zoneName(d);
    });
  }

  // ── Language switcher ──────────────────────────────────────────────────────
  // Shows the [data-lang-text] elements whose data-lang matches the choice, hides the others.
  // Text outside [data-lang-text] (English) always stays. Without JS the links carry ?lang=.
  function switchLang(control, lang) {
    var scope = control.closest('[data-lang-scope]') || document;
    $$('[data-lang-text]', scope).forEach(function (el) { el.hidden = el.getAttribute('data-lang') !== lang; });
    $$('[data-lang-switch]', scope).forEach(function (c) {
      if (c.tagName === 'SELECT') { c.value = lang; return; }
      var on = c.getAttribute('data-lang') === lang;
      if (on) c.setAttribute('aria-current', 'true'); else c.removeAttribute('aria-current');
    });
    var url = new URL(window.location.href);
    url.searchParams.set('lang', lang);
    history.replaceState(history.state, '', url);
    try { sessionStorage.setItem(langKey(scope), lang); } catch (err) { /* storage off: the address keeps it */ }
  }

  // The reviewer's last choice is remembered per case for the browser session; the page itself
  // opens in the customer's language (chosen on the server), and ?lang= wins over both.
  function langKey(scope) {
    var page = scope.closest('[data-case-id]');
    return 'kycdesk.lang.' + (page ? page.getAttribute('data-case-id') : location.pathname);
  }
  function restoreLang() {
    if (new URL(window.location.href).searchParams.has('lang')) return;
    $$('[data-lang-scope]').forEach(function (scope) {
      var saved;
      try { saved = sessionStorage.getItem(langKey(scope)); } catch (err) { return; }
      if (!saved) return;
      var sw = $$('a[data-lang-switch]', scope).filter(function (a) { return a.getAttribute('data-lang') === saved; })[0];
      if (sw && sw.getAttribute('aria-current') !== 'true') switchLang(sw, saved);
    });
  }


  // ── Decision form ─────────────────────────────────────────────────────────
  // The reasons offered follow the chosen outcome; 1–9 pick one; the form checks itself before it
  // asks the server, and Ctrl+Enter (the one confirmation from the keyboard) ticks "I have checked
  // the evidence" and records. The server checks everything again.
  function decisionForm() { return $('[data-decision-form]'); }

  function chosenOutcome(form) {
    var r = $('input[name="outcome"]:checked', form);
    return r ? r.value : '';
  }

  function filterReasons(form) {
    var outcome = chosenOutcome(form), sel = $('select[name="reason"]', form), n = 0;
    if (!sel) return;
    $$('option[data-outcome]', sel).forEach(function (o) {
      var fits = !outcome || !o.dataset.outcome || o.dataset.outcome === outcome;
      o.hidden = !fits; o.disabled = !fits;
      if (fits) { n++; o.textContent = (n <= 9 ? n + ' · ' : '') + o.dataset.label; o.dataset.key = n <= 9 ? String(n) : ''; }
      else o.dataset.key = '';
      if (!fits && o.selected) sel.value = '';
    });
    $$('optgroup', sel).forEach(function (g) {
      g.hidden = !$$('option', g).some(function (o) { return !o.hidden; });
    });
  }

  function showProblem(form, field, msg) {
    var el = form.querySelector('[name="' + field + '"]');
    var box = form.querySelector('[data-client-error="' + field + '"]');
    if (!box) {
      box = document.createElement('span');
      box.className = 'field-error';
      box.setAttribute('data-client-error', field);
      box.setAttribute('data-testid', 'error-' + field);
      var anchor = field === 'outcome' ? $('.choices', form) : (field === 'confirm' ? $('.confirm-line', form) : el);
      anchor.insertAdjacentElement('afterend', box);
    }
    box.textContent = msg; box.hidden = !msg;
    if (el && el.setAttribute) el.setAttribute('aria-invalid', msg ? 'true' : 'false');
  }

  // checkDecision shows every problem beside its field and reports whether there were none.
  function checkDecision(form) {
    var outcome = chosenOutcome(form), reason = $('select[name="reason"]', form), note = $('textarea[name="note"]', form);
    var opt = reason && reason.selectedOptions[0];
    var problems = {
      outcome: outcome ? '' : 'Choose Allow or Decline.',
      reason: reason && reason.value ? '' : 'Choose a reason.',
      note: '',
      confirm: $('input[name="confirm"]', form).checked ? '' : 'Tick the box to confirm you have checked the evidence.'
    };
    if (opt && opt.dataset.outcome && outcome && opt.dataset.outcome !== outcome) problems.reason = 'This reason does not fit your outcome; choose another.';
    var blank = !note.value.trim();
    if (blank && outcome === 'decline') problems.note = 'Say why you decline: the customer may ask, and an auditor will.';
    if (blank && outcome === 'allow' && form.dataset.noteForAllow === 'true') problems.note = 'Explain why you allow a case the vendor marked SUSPECTED.';
    var ok = true;
    Object.keys(problems).forEach(function (f) {
      // A server-rendered problem for the field gives way to the page's own check.
      $$('.field-error[data-testid="error-' + f + '"]:not([data-client-error])', form).forEach(function (x) { x.hidden = true; });
      showProblem(form, f, problems[f]);
      if (problems[f]) ok = false;
    });
    var first = form.querySelector('[aria-invalid="true"]');
    if (!ok && first && first.focus) first.focus();
    return ok;
  }

  function initDecisionForm() {
    // After a refused POST (any case form: decision, hold, send back…) the page stands at
    // /cases/N/ACTION; its address is the case's, whether or not this viewer has a decision form.
    var m = window.location.pathname.match(/^(\/cases\/\d+)\/[a-z-]+$/);
    if (m) history.replaceState(history.state, '', m[1] + window.location.search.replace(/([?&])flash=[^&]*&?/, '$1').replace(/[?&]$/, ''));
    var form = decisionForm();
    if (form) filterReasons(form);
  }

  document.addEventListener('keydown', function (e) {
    var form = decisionForm();
    if (!form) return;
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && form.contains(e.target)) {
      e.preventDefault();
      $('input[name="confirm"]', form).checked = true;
      if (checkDecision(form)) { form.dataset.checked = '1'; form.requestSubmit(); }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target) || !/^[1-9]$/.test(e.key)) return;
    var opt = $$('select[name="reason"] option', form).filter(function (o) { return o.dataset.key === e.key; })[0];
    if (!opt) return;
    e.preventDefault();
    $('select[name="reason"]', form).value = opt.value;
    var note = $('textarea[name="note"]', form);
    if (note) note.focus();
  }, true);

  document.addEventListener('change', function (e) {
    var form = e.target.form;
    if (form && form.hasAttribute('data-decision-form') && e.target.name === 'outcome') filterReasons(form);
  });

  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form.hasAttribute('data-decision-form') || form.dataset.checked) { delete form.dataset.checked; return; }
    if (!checkDecision(form)) { e.preventDefault(); e.stopImmediatePropagation(); }
  }, true);

  // ── Wiring ─────────────────────────────────────────────────────────────────
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') {
      if (closeLightbox()) { e.preventDefault(); return; }
      var help = $('#kbd-help');
      if (help && !help.hidden) { toggleHelp(false); e.preventDefault(); return; }
      if (isTyping(e.target)) e.target.blur();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
    if (e.key === 'Enter' && e.target.matches('img[data-zoomable]')) { openLightbox(e.target); e.preventDefault(); return; }
    if (box && !box.hidden) {
      var k = { '+': function () { zoomBy(1.25); }, '=': function () { zoomBy(1.25); }, '-': function () { zoomBy(0.8); },
        'r': function () { view.rotate = (view.rotate + 90) % 360; apply(); }, '0': resetView,
        'ArrowLeft': function () { stepLightbox(-1); }, 'ArrowRight': function () { stepLightbox(1); } }[e.key];
      if (k) { k(); e.preventDefault(); }
      return;
    }
    switch (e.key) {
      case 'j': selectRow(1); break;
      case 'k': selectRow(-1); break;
      case 'Enter':
        // Enter on a focused link or button keeps its own meaning.
        if (e.target.closest('a, button, summary') || !openSelectedRow()) return;
        break;
      case '?': toggleHelp(); break;
      case '/': var s = $('[data-search]'); if (!s) return; s.focus(); if (s.select) s.select(); break;
      default:
        // Page-specific shortcuts: <button data-shortcut="c">Claim</button> is clicked on "c".
        var t = $$('[data-shortcut]').filter(function (el) {
          return el.getAttribute('data-shortcut') === e.key && !el.disabled && el.offsetParent !== null;
        })[0];
        if (!t) return;
        t.focus();
        if (!isTyping(t) || t.type === 'radio' || t.type === 'checkbox') t.click();
    }
    e.preventDefault();
  });

  document.addEventListener('click', function (e) {
    var el = e.target.closest('img[data-zoomable]');
    if (el) { e.preventDefault(); openLightbox(el); return; }
    if (e.target.closest('[data-kbd-help-toggle]') || e.target.id === 'kbd-help') { toggleHelp(); return; }
    if (e.target.closest('[data-history-back]')) { history.back(); return; }
    var dismiss = e.target.closest('[data-dismiss]');
    if (dismiss) { var m = dismiss.closest('.flash, .banner'); if (m) m.hidden = true; return; }
    var sw = e.target.closest('a[data-lang-switch]');
    if (sw && sw.getAttribute('data-lang')) { e.preventDefault(); switchLang(sw, sw.getAttribute('data-lang')); return; }
    var row = e.target.closest('[data-row]');
    if (row) {
      $$('[data-row].is-selected').forEach(function (r) { r.classList.remove('is-selected'); r.removeAttribute('aria-selected'); });
      row.classList.add('is-selected'); row.setAttribute('aria-selected', 'true');
    }
  });

  document.addEventListener('change', function (e) {
    if (e.target.matches('select[data-lang-switch]')) switchLang(e.target, e.target.value);
  });

  document.addEventListener('submit', function (e) {
    var form = e.target;
    var msg = (e.submitter && e.submitter.getAttribute('data-confirm')) || form.getAttribute('data-confirm');
    if (msg && !window.confirm(msg)) { e.preventDefault(); return; }
    // Guard against a double click recording a decision twice.
    if (form.method.toLowerCase() === 'post') {
      if (form.dataset.submitting) { e.preventDefault(); return; }
      form.dataset.submitting = '1';
      setTimeout(function () { delete form.dataset.submitting; }, 4000);
    }
  });

  function init() {
    localTimes(document);
    fillZones();
    initDecisionForm();
    restoreLang();
    // Keyboard users reach zoomable images with Tab and open them with Enter.
    $$('img[data-zoomable]').forEach(function (img) { if (!img.hasAttribute('tabindex')) img.tabIndex = 0; });
    if (history.length > 1) $$('[data-history-back]').forEach(function (b) { b.hidden = false; });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init); else init();
})();
