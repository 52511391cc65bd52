// KYC Desk: the case checklist (views/case_checklist.templ). Each row's bookmark, disposition and
// note is saved as the reviewer works (POST /cases/ID/checklist, CSRF in the header), so a reload
// keeps it; the decision freezes it on the server. Bookmarks are drawn as ticks on a bar under the
// recording; a click on a tick seeks there. Keys (never while typing in a field): space play/pause,
// ←/→ five seconds, b bookmark the current instruction, [ and ] the previous or next instruction.
(function () {
  'use strict';
  var panel = document.querySelector('[data-checklist]');
  if (!panel || panel.dataset.checklistReady) return;
  panel.dataset.checklistReady = '1';
  var editable = panel.dataset.editable === 'true';
  var caseID = panel.dataset.caseId, csrf = panel.dataset.csrf;
  // The instructions: what the keys move through and bookmark (a location row takes no bookmark).
  var rows = Array.prototype.slice.call(panel.querySelectorAll('[data-checklist-row][data-key^="instruction:"]'));
  var video = document.querySelector('figure[data-kind="RECORDED_VIDEO"] video');
  var current = 0;

  function fmt(ms) {
    var s = Math.floor(ms / 1000), m = Math.floor(s / 60);
    if (m >= 60) return Math.floor(m / 60) + ':' + pad(m % 60) + ':' + pad(s % 60);
    return m + ':' + pad(s % 60);
  }
  function pad(n) { return (n < 10 ? '0' : '') + n; }

  // ── Saving ──────────────────────────────────────────────────────────────────
  var inflight = 0, timers = new Map(), waiters = [];
  function settle() {
    if (inflight > 0 || timers.size > 0) return;
    var w = waiters; waiters = [];
    w.forEach(function (f) { f(); });
  }
  function flush() {
    timers.forEach(function (t, row) { clearTimeout(t); timers.delete(row); save(row); });
    return new Promise(function (resolve) { waiters.push(resolve); settle(); });
  }
  function busy() { return inflight > 0 || timers.size > 0; }

  function rowState(row) {
    var chosen = row.querySelector('[data-disposition-choice]:checked');
    var note = row.querySelector('[data-checklist-note]');
    return { key: row.dataset.key, bookmark_ms: row.dataset.bookmarkMs || '',
      disposition: chosen ? chosen.value : '', note: note ? note.value : '' };
  }

  function say(row, text, bad) {
    var s = row.querySelector('[data-save-state]');
    if (!s) return;
    s.textContent = text;
    s.className = 'cl-save small ' + (bad ? 's-red' : 'muted');
  }

  // One save per row at a time, each with the row's whole state: a change made while a save is on
  // its way is sent after it, so the server always ends with the latest state.
  var sending = new Set(), again = new Set();
  function save(row, leaving) {
    if (!editable) return;
    if (sending.has(row) && !leaving) { again.add(row); return; }
    sending.add(row);
    inflight++;
    say(row, 'Saving…');
    var st = rowState(row), body = new URLSearchParams();
    Object.keys(st).forEach(function (k) { body.set(k, st[k]); });
    fetch('/cases/' + caseID + '/checklist', {
      method: 'POST', credentials: 'same-origin', body: body, keepalive: !!leaving,
      headers: { 'X-CSRF-Token': csrf, 'Accept': 'application/json' }
    }).then(function (r) {
      return r.json().catch(function () { return { ok: false, error: 'The server did not answer; your change is not saved.' }; });
    }).then(function (a) {
      var newer = again.has(row) || timers.has(row);
      if (!a.ok) {
        say(row, a.error || 'Not saved.', true);
      } else if (!newer) {
        say(row, 'Saved');
      }
      if (a.ok && a.progress) {
        var p = panel.querySelector('[data-checklist-progress]');
        if (p) p.textContent = a.progress;
      }
    }, function () {
      say(row, 'Not saved: the server cannot be reached.', true);
    }).then(function () {
      sending.delete(row);
      inflight--;
      if (again.has(row)) { again.delete(row); save(row); }
      settle();
    });
  }

  function saveSoon(row, delay) {
    if (timers.has(row)) clearTimeout(timers.get(row));
    say(row, 'Not saved yet');
    timers.set(row, setTimeout(function () { timers.delete(row); save(row); }, delay));
  }

  // Leaving the page sends what is still waiting to be saved.
  window.addEventListener('pagehide', function () {
    timers.forEach(function (t, row) { clearTimeout(t); timers.delete(row); save(row, true); });
  });

  // A decision waits for the rows still being saved: the server freezes what it has.
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form.hasAttribute('data-decision-form') || !busy()) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    flush().then(function () { form.requestSubmit(); });
  }, true);

  // ── Current row ─────────────────────────────────────────────────────────────
  function setCurrent(i) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r, j) {
      r.classList.toggle('is-current', j === current);
      if (j === current) r.setAttribute('aria-current', 'step'); else r.removeAttribute('aria-current');
    });
    if (rows[current].scrollIntoView) rows[current].scrollIntoView({ block: 'nearest' });
  }

  // ── Bookmarks and the marker bar ───────────────────────────────────────────
  var bar = null, played = null;
  function buildBar() {
    if (!video || bar) return;
    bar = document.createElement('div');
    bar.className = 'scrubber';
    bar.setAttribute('data-testid', 'scrubber');
    bar.setAttribute('aria-label', 'Bookmarks in the recording');
    var track = document.createElement('div');
    track.className = 'scrub-track';
    track.setAttribute('data-testid', 'scrub-track');
    played = document.createElement('div');
    played.className = 'scrub-played';
    track.appendChild(played);
    bar.appendChild(track);
    var frame = video.closest('.media-frame') || video;
    frame.insertAdjacentElement('afterend', bar);
    track.addEventListener('click', function (e) {
      if (!isFinite(video.duration) || e.target.closest('.scrub-tick')) return;
      var r = track.getBoundingClientRect();
      video.currentTime = Math.max(0, Math.min(1, (e.clientX - r.left) / r.width)) * video.duration;
    });
    video.addEventListener('timeupdate', progress);
    video.addEventListener('seeked', progress);
    video.addEventListener('loadedmetadata', drawTicks);
    video.addEventListener('durationchange', drawTicks);
  }
  function progress() {
    if (played && isFinite(video.duration) && video.duration > 0) {
      played.style.width = (100 * video.currentTime / video.duration) + '%';
    }
  }

  // The ticks come from the rows (and, read-only, from the decision history's bookmarks).
  function marks() {
    var out = [];
    rows.forEach(function (r) {
      if (r.dataset.bookmarkMs !== undefined && r.dataset.bookmarkMs !== '') out.push({ n: r.dataset.n, ms: +r.dataset.bookmarkMs });
    });
    return out;
  }
  function drawTicks() {
    if (!bar) return;
    var track = bar.querySelector('.scrub-track');
    Array.prototype.slice.call(track.querySelectorAll('.scrub-tick')).forEach(function (t) { t.remove(); });
    var dur = video && isFinite(video.duration) ? video.duration * 1000 : 0;
    marks().forEach(function (m) {
      var t = document.createElement('button');
      t.type = 'button';
      t.className = 'scrub-tick';
      t.textContent = m.n;
      t.title = 'Instruction ' + m.n + ' at ' + fmt(m.ms);
      t.setAttribute('data-testid', 'bookmark-tick');
      t.setAttribute('data-n', m.n);
      t.setAttribute('data-ms', String(m.ms));
      t.style.left = (dur > 0 ? Math.min(100, 100 * m.ms / dur) : 0) + '%';
      t.addEventListener('click', function () { seek(m.ms); });
      track.appendChild(t);
    });
  }
  function seek(ms) {
    if (!video) return;
    video.currentTime = ms / 1000;
  }

  function bookmark(row) {
    if (!editable || !video || !row) return;
    var ms = Math.round(video.currentTime * 1000);
    row.dataset.bookmarkMs = String(ms);
    var b = row.querySelector('[data-bookmark-seek]');
    if (b) { b.textContent = '⌖ ' + fmt(ms); b.hidden = false; }
    drawTicks();
    save(row);
  }

  // ── Events ──────────────────────────────────────────────────────────────────
  panel.addEventListener('change', function (e) {
    var row = e.target.closest('[data-checklist-row]');
    if (!row) return;
    if (e.target.matches('[data-disposition-choice]')) {
      row.dataset.disposition = e.target.value;
      save(row);
    } else if (e.target.matches('[data-checklist-note]')) {
      saveSoon(row, 0);
    }
  });
  panel.addEventListener('input', function (e) {
    var row = e.target.closest('[data-checklist-row]');
    if (row && e.target.matches('[data-checklist-note]')) saveSoon(row, 600);
  });
  panel.addEventListener('focusin', function (e) {
    var row = e.target.closest('[data-checklist-row]');
    if (row) setCurrent(rows.indexOf(row));
  });
  document.addEventListener('click', function (e) {
    var set = e.target.closest('[data-bookmark-set]');
    if (set) {
      var row = set.closest('[data-checklist-row]');
      setCurrent(rows.indexOf(row));
      bookmark(row);
      return;
    }
    var sk = e.target.closest('[data-bookmark-seek]');
    if (sk) {
      var r = sk.closest('[data-checklist-row]');
      var ms = sk.dataset.bookmarkMs || (r && r.dataset.bookmarkMs);
      if (ms) seek(+ms);
    }
  });

  function typing(el) {
    if (!el || el === document.body) return false;
    if (el.tagName === 'INPUT' && /^(radio|checkbox|button|submit|reset)$/.test(el.type)) return false;
    return el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable;
  }

  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    var lb = document.querySelector('[data-testid="lightbox"]');
    if (lb && !lb.hidden) return;
    var onControl = e.target.closest && e.target.closest('button, a, input, summary') && e.target !== video;
    switch (e.key) {
      case ' ':
        if (!video || onControl) return;
        if (video.paused) video.play(); else video.pause();
        break;
      case 'ArrowLeft':
      case 'ArrowRight':
        if (!video || (onControl && e.target.type === 'radio')) return;
        var d = e.key === 'ArrowLeft' ? -5 : 5;
        video.currentTime = Math.max(0, Math.min(isFinite(video.duration) ? video.duration : Infinity, video.currentTime + d));
        break;
      case 'b':
        if (!editable || !video) return;
        bookmark(rows[current]);
        setCurrent(current + 1);
        break;
      case '[':
      case ']':
        if (!editable || !video) return;
        setCurrent(current + (e.key === '[' ? -1 : 1));
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
  }, true);

  buildBar();
  drawTicks();
  progress();
})();
