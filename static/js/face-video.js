// KYC Desk: the document photo against the face in the video-KYC recording, computed in this
// browser with the vendored face-api (nothing is fetched from anywhere else). In the background a
// second, hidden player samples a frame every two seconds; each frame's largest face is compared
// with the document photo's, and the best frame is shown with its time (a click seeks the
// reviewer's player there). A frame the reviewer captures (frame.js) is compared too. The best
// score, the model and the frame's time go with the decision form; a decision never needs them.
const panel = document.querySelector('[data-video-face]');

const THRESHOLD = 50; // as on the Mark ID page: 50 is face-api's distance 0.6
const STEP_S = 2;
// MAX_FRAMES bounds the frames one comparison samples: 30 minutes of a call at one frame every STEP_S.
const MAX_FRAMES = 900;
const score = (distance) => Math.max(0, Math.min(100, Math.round(100 * (1 - distance / 1.2))));
const $ = (sel) => panel.querySelector(sel);
const fmt = (ms) => { const s = Math.floor(ms / 1000); return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0'); };

function say(text, level) {
  const s = $('[data-testid="video-face-status"]');
  s.textContent = text;
  s.className = 'small mb-0 ' + (level || 'muted');
}

function drawCrop(canvas, src, box) {
  const pad = Math.max(box.width, box.height) * 0.2;
  const side = Math.max(box.width, box.height) + 2 * pad;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#eee';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(src, box.x + box.width / 2 - side / 2, box.y + box.height / 2 - side / 2, side, side, 0, 0, canvas.width, canvas.height);
  canvas.hidden = false;
}

async function backend(tf, wasmBase) {
  try {
    tf.setWasmPaths(wasmBase);
    if (await tf.setBackend('wasm')) { await tf.ready(); return ''; }
  } catch (e) { /* the CPU below */ }
  await tf.setBackend('cpu');
  await tf.ready();
  return 'WebAssembly is not available in this browser: compared on the slower CPU path.';
}

function largest(faces) {
  return faces.reduce((a, b) => (b.box.area > a.box.area ? b : a));
}

// seekTo resolves once v has seeked to t; it rejects on an error, or when no seek ends within
// SEEK_TIMEOUT_MS (a file that cannot seek there), so the sampling never waits for ever.
const SEEK_TIMEOUT_MS = 15000;
function seekTo(v, t) {
  return new Promise((resolve, reject) => {
    let timer = 0;
    const stop = () => { clearTimeout(timer); v.removeEventListener('seeked', done); v.removeEventListener('error', fail); };
    const done = () => { stop(); resolve(); };
    const fail = () => { stop(); reject(new Error('seek failed')); };
    timer = setTimeout(fail, SEEK_TIMEOUT_MS);
    v.addEventListener('seeked', done);
    v.addEventListener('error', fail);
    v.currentTime = t;
  });
}

function fillForm(similarity, ms, model) {
  const form = document.querySelector('[data-testid="decision-form"]');
  if (!form) return;
  form.elements.face_score.value = String(similarity);
  form.elements.face_model.value = model;
  form.elements.face_frame_ms.value = String(ms);
}

function showScore(out, similarity) {
  out.textContent = String(similarity);
  out.className = 'face-score ' + (similarity >= THRESHOLD ? 's-green' : 's-red');
}

async function run() {
  const d = panel.dataset;
  let faceapi;
  const t0 = performance.now();
  try {
    say('Loading the face models…');
    faceapi = await import(d.faceLib);
    const note = await backend(faceapi.tf, d.faceWasm);
    if (note) panel.dataset.faceNote = note;
    await Promise.all([
      faceapi.nets.tinyFaceDetector.loadFromUri(d.faceModels),
      faceapi.nets.faceLandmark68Net.loadFromUri(d.faceModels),
      faceapi.nets.faceRecognitionNet.loadFromUri(d.faceModels),
    ]);
  } catch (e) {
    panel.dataset.faceState = 'failed';
    say('The face model failed to load, so no similarity was computed. Compare the faces by eye.', 's-red');
    return;
  }
  panel.dataset.faceLoadMs = String(Math.round(performance.now() - t0));
  const opts = new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.4 });
  // The largest face only gets landmarks and a descriptor: the same steps as face-api's
  // detectAllFaces().withFaceLandmarks().withFaceDescriptors(), without the faces not used.
  const describe = async (src) => {
    const faces = await faceapi.detectAllFaces(src, opts);
    if (!faces.length) return [null, 0];
    const detection = largest(faces);
    const [crop] = await faceapi.extractFaces(src, [detection]);
    const marks = await faceapi.nets.faceLandmark68Net.detectLandmarks(crop);
    const face = faceapi.extendWithFaceLandmarks(faceapi.extendWithFaceDetection({}, detection), marks);
    const [aligned] = await faceapi.extractFaces(src, [face.landmarks.align(null, { useDlibAlignment: true })]);
    return [{ detection, descriptor: await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(aligned) }, faces.length];
  };

  let img;
  try {
    img = new Image();
    img.src = d.faceDoc;
    await img.decode();
  } catch (e) {
    panel.dataset.faceState = 'noimage';
    say('The document photo could not be loaded, so no similarity was computed.', 's-red');
    return;
  }
  say('Looking for the face in the document photo…');
  const [doc, docCount] = await describe(img);
  if (!doc) {
    panel.dataset.faceState = 'nodocface';
    say('No face found in the document photo, so no similarity was computed. Compare by eye.', 's-amber');
    return;
  }
  drawCrop($('[data-testid="video-face-doc"]'), img, doc.detection.box);
  const notes = docCount > 1 ? [`The document photo shows ${docCount} faces; the largest is used.`] : [];

  // Captured frames are compared as they come, also while the recording is being sampled.
  document.addEventListener('kycdesk:frame-captured', async (e) => {
    const out = $('[data-testid="capture-similarity"]');
    const line = $('[data-testid="capture-face"]');
    line.hidden = false;
    $('[data-testid="capture-face-time"]').textContent = fmt(e.detail.ms);
    const [f] = await describe(e.detail.canvas);
    if (!f) {
      out.textContent = '–';
      out.className = '';
      $('[data-testid="capture-face-note"]').textContent = 'No face found in the captured frame.';
      return;
    }
    $('[data-testid="capture-face-note"]').textContent = '';
    const s = score(faceapi.euclideanDistance(doc.descriptor, f.descriptor));
    out.textContent = s + " / 100";
    out.className = s >= THRESHOLD ? "s-green" : "s-red";
    panel.dataset.captureScore = String(s);
  });

  const v = document.createElement('video');
  v.muted = true;
  v.preload = 'auto';
  v.src = d.faceVideo;
  try {
    await new Promise((resolve, reject) => {
      if (v.readyState >= 1) return resolve();
      v.addEventListener('loadedmetadata', resolve, { once: true });
      v.addEventListener('error', () => reject(new Error('no video')), { once: true });
    });
  } catch (e) {
    panel.dataset.faceState = 'novideo';
    say('The recording could not be read, so its frames were not compared.', 's-red');
    return;
  }
  // A recording whose header gives no duration (Infinity or NaN: a live recording's WebM) is read
  // to its seekable end when the browser knows it, else frame by frame until a seek lands short of
  // the time asked for (the end); never more than MAX_FRAMES frames.
  let duration = v.duration;
  if (!Number.isFinite(duration) && v.seekable.length) duration = v.seekable.end(v.seekable.length - 1);
  const known = Number.isFinite(duration) && duration > 0;
  const canvas = document.createElement('canvas');
  const t1 = performance.now();
  let best = null, sampled = 0, withFace = 0;
  const total = known ? Math.min(MAX_FRAMES, Math.max(1, Math.ceil(duration / STEP_S))) : 0;
  for (let t = 0; (!known || t < duration) && sampled < MAX_FRAMES; t += STEP_S) {
    say(`Comparing frames of the recording with the document photo… ${sampled + 1}${total ? ' of ' + total : ''}`);
    try { await seekTo(v, known ? Math.min(t, duration - 0.05) : t); } catch (e) { break; }
    if (!known && t > 0 && v.currentTime < t - STEP_S / 2) break; // past the end
    sampled++;
    canvas.width = v.videoWidth; canvas.height = v.videoHeight;
    canvas.getContext('2d').drawImage(v, 0, 0);
    const [f] = await describe(canvas);
    if (!f) continue;
    withFace++;
    const s = score(faceapi.euclideanDistance(doc.descriptor, f.descriptor));
    if (!best || s > best.score) {
      best = { score: s, ms: Math.round(v.currentTime * 1000), box: f.detection.box };
      panel.dataset.faceDetection = f.detection.score.toFixed(3);
      drawCrop($('[data-testid="video-face-frame"]'), canvas, best.box);
    }
  }
  panel.dataset.faceMs = String(Math.round(performance.now() - t1));
  panel.dataset.faceFrames = String(sampled);
  if (!best) {
    panel.dataset.faceState = 'noface';
    say(`No face found in the ${sampled} ${sampled === 1 ? 'frame' : 'frames'} sampled from the recording (one every ${STEP_S} s), so no similarity was computed. Capture a frame where the face shows, or compare by eye.`, 's-amber');
    return;
  }
  showScore($('[data-testid="face-similarity"]'), best.score);
  $('[data-testid="face-verdict"]').textContent = best.score >= THRESHOLD ? 'likely the same person' : 'likely different people';
  const at = $('[data-testid="video-face-best"]');
  at.hidden = false;
  at.dataset.ms = String(best.ms);
  at.textContent = 'best frame at ' + fmt(best.ms);
  at.addEventListener('click', () => {
    const player = document.querySelector('figure[data-kind="RECORDED_VIDEO"] video');
    if (player) player.currentTime = best.ms / 1000;
  });
  fillForm(best.score, best.ms, d.faceModel);
  panel.dataset.faceState = 'done';
  panel.dataset.faceBestMs = String(best.ms);
  notes.push(`A face in ${withFace} of ${sampled} frames sampled every ${STEP_S} s; compared in ${(Number(panel.dataset.faceMs) / 1000).toFixed(1)} s.`);
  if (panel.dataset.faceNote) notes.push(panel.dataset.faceNote);
  say(notes.join(' '), 'muted');
}

// A page may ask to leave the comparison out (window.kycdeskHoldVideoFace): the browser tests do,
// as they share two cores and most of them are not about faces.
if (panel && !window.kycdeskHoldVideoFace) run();
