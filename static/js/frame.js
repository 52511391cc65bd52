// KYC Desk: the document photo against a frame of the recording (video-KYC case page).
// "Capture frame" draws the recording's current frame beside the document photo; one zoom and one
// pan move both pictures together (linked zoom), so the same part of the two faces stays side by
// side. "Save as evidence" stores the frame in the media archive (content-addressed, audited) with
// the time it was taken from. face-video.js compares the captured frame with the document photo.
(function () {
  'use strict';
  var video = document.querySelector('figure[data-kind="RECORDED_VIDEO"] video');
  var docImg = document.querySelector('figure[data-kind="DOCUMENT_IMAGE"] img');
  var page = document.querySelector('[data-case-id]');
  if (!video || !page || video.dataset.frameReady) return;
  video.dataset.frameReady = '1';
  var caseID = page.getAttribute('data-case-id');
  var csrfField = document.querySelector('input[name="_csrf"]');
  var csrf = csrfField ? csrfField.value : '';

  function fmt(ms) {
    var s = Math.floor(ms / 1000);
    return Math.floor(s / 60) + ':' + (s % 60 < 10 ? '0' : '') + (s % 60);
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }

  var tools = el('div', { 'class': 'frame-tools' });
  var capture = el('button', { type: 'button', 'class': 'btn btn-sm', 'data-testid': 'capture-frame',
    title: 'Put the recording\'s current frame beside the document photo' }, 'Capture frame');
  tools.appendChild(capture);
  var anchor = video.closest('figure') || video;
  anchor.appendChild(tools);

  var box = null, view = { scale: 1, x: 0, y: 0 }, frameMS = 0, canvas = null;

  function apply() {
    if (!box) return;
    box.querySelectorAll('[data-zoom-target]').forEach(function (t) {
      t.style.transform = 'translate(' + view.x + 'px,' + view.y + 'px) scale(' + view.scale + ')';
    });
    var z = box.querySelector('[data-testid="frame-zoom"]');
    if (z && +z.value !== view.scale) z.value = String(view.scale);
    var out = box.querySelector('[data-testid="frame-zoom-level"]');
    if (out) out.textContent = Math.round(view.scale * 100) + ' %';
  }

  function pane(title, node, testid) {
    var p = el('figure', { 'class': 'frame-pane', 'data-testid': testid });
    p.appendChild(el('figcaption', {}, title));
    var vp = el('div', { 'class': 'frame-viewport' });
    node.setAttribute('data-zoom-target', '');
    vp.appendChild(node);
    p.appendChild(vp);
    // Drag to pan and wheel to zoom either picture: both follow.
    var drag = null;
    vp.addEventListener('pointerdown', function (e) { drag = { x: e.clientX - view.x, y: e.clientY - view.y }; vp.setPointerCapture(e.pointerId); });
    vp.addEventListener('pointermove', function (e) { if (drag) { view.x = e.clientX - drag.x; view.y = e.clientY - drag.y; apply(); } });
    vp.addEventListener('pointerup', function () { drag = null; });
    vp.addEventListener('wheel', function (e) {
      e.preventDefault();
      view.scale = Math.max(1, Math.min(6, view.scale * (e.deltaY < 0 ? 1.2 : 1 / 1.2)));
      apply();
    }, { passive: false });
    return p;
  }

  function build() {
    if (box) box.remove();
    view = { scale: 1, x: 0, y: 0 };
    box = el('section', { 'class': 'panel frame-compare', 'data-testid': 'frame-compare', 'aria-label': 'Document photo against a frame of the recording' });
    var head = el('div', { 'class': 'panel-head' });
    head.appendChild(el('h2', { 'class': 'section-title' }, 'Document against the frame at ' + fmt(frameMS)));
    var zoom = el('input', { type: 'range', min: '1', max: '6', step: '0.1', value: '1', 'data-testid': 'frame-zoom',
      'aria-label': 'Zoom both pictures' });
    zoom.addEventListener('input', function () { view.scale = +zoom.value; apply(); });
    head.appendChild(zoom);
    head.appendChild(el('span', { 'class': 'muted small', 'data-testid': 'frame-zoom-level' }, '100 %'));
    var reset = el('button', { type: 'button', 'class': 'btn btn-quiet btn-sm' }, 'Reset');
    reset.addEventListener('click', function () { view = { scale: 1, x: 0, y: 0 }; apply(); });
    head.appendChild(reset);
    box.appendChild(head);
    var row = el('div', { 'class': 'frame-row' });
    if (docImg && docImg.currentSrc) {
      row.appendChild(pane('Document photo', el('img', { src: docImg.currentSrc, alt: 'Document photo', draggable: 'false' }), 'frame-doc'));
    } else {
      row.appendChild(el('p', { 'class': 'muted small' }, 'No archived document photo to compare with.'));
    }
    row.appendChild(pane('Frame at ' + fmt(frameMS), canvas, 'frame-captured'));
    box.appendChild(row);
    var actions = el('div', { 'class': 'form-actions' });
    if (csrf) {
      var save = el('button', { type: 'button', 'class': 'btn btn-sm', 'data-testid': 'save-capture' }, 'Save as evidence');
      save.addEventListener('click', function () { saveCapture(save); });
      actions.appendChild(save);
    }
    var close = el('button', { type: 'button', 'class': 'btn btn-quiet btn-sm', 'data-testid': 'close-capture' }, 'Close');
    close.addEventListener('click', function () { box.remove(); box = null; });
    actions.appendChild(close);
    actions.appendChild(el('span', { 'class': 'small muted', 'data-testid': 'capture-state', 'aria-live': 'polite' }, 'Not saved: only on this screen.'));
    box.appendChild(actions);
    var media = document.querySelector('[data-testid="media-panel"]');
    media.insertAdjacentElement('afterend', box);
  }

  function say(text, bad) {
    var s = box && box.querySelector('[data-testid="capture-state"]');
    if (s) { s.textContent = text; s.className = 'small ' + (bad ? 's-red' : 'muted'); }
  }

  function saveCapture(button) {
    button.disabled = true;
    say('Saving…');
    canvas.toBlob(function (blob) {
      fetch('/cases/' + caseID + '/captures?frame_ms=' + frameMS, {
        method: 'POST', credentials: 'same-origin', body: blob,
        headers: { 'Content-Type': 'image/png', 'X-CSRF-Token': csrf, 'Accept': 'application/json' }
      }).then(function (r) { return r.json(); }).then(function (a) {
        if (a.ok) { say('Saved as evidence · SHA-256 ' + a.sha256.slice(0, 12) + '…'); box.dataset.savedMedia = String(a.mediaId); }
        else { say(a.error || 'Not saved.', true); button.disabled = false; }
      }, function () { say('Not saved: the server cannot be reached.', true); button.disabled = false; });
    }, 'image/png');
  }

  capture.addEventListener('click', function () {
    if (video.readyState < 2) return;
    frameMS = Math.round(video.currentTime * 1000);
    canvas = el('canvas', { width: String(video.videoWidth), height: String(video.videoHeight), 'data-testid': 'frame-canvas' });
    canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
    build();
    document.dispatchEvent(new CustomEvent('kycdesk:frame-captured', { detail: { canvas: canvas, ms: frameMS } }));
  });
})();
