// KYC Desk: face against face, computed in this browser with the vendored face-api (no network:
// the library, its models and the WebAssembly kernels are served by KYC Desk itself).
// The panel [data-face-compare] names the two images, the library and the models; this module
// finds the largest face in each, crops it, compares their descriptors, shows a 0-100 similarity
// and fills the decision form's hidden face fields. Every failure ends as a sentence in the panel.
const panel = document.querySelector('[data-face-compare]');

// Similarity is 100 at distance 0 and 50 at face-api's usual same-person threshold of 0.6
// (the README documents the threshold as 50).
const THRESHOLD = 50;
const score = (distance) => Math.max(0, Math.min(100, Math.round(100 * (1 - distance / 1.2))));

const $ = (sel) => panel.querySelector(sel);
const say = (text, level) => {
  const s = $('[data-testid="face-status"]');
  s.textContent = text;
  s.className = 'small mb-0 ' + (level || 'muted');
};

function loadImage(src) {
  const img = new Image();
  img.src = src;
  return img.decode().then(() => img);
}

// drawCrop draws the face box, widened by a fifth on each side, into the canvas.
function drawCrop(canvas, img, box) {
  const pad = Math.max(box.width, box.height) * 0.2;
  const side = Math.max(box.width, box.height) + 2 * pad;
  const x = box.x + box.width / 2 - side / 2;
  const y = box.y + box.height / 2 - side / 2;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#eee';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, x, y, side, side, 0, 0, canvas.width, canvas.height);
  canvas.hidden = false;
}

async function backend(tf, wasmBase) {
  try {
    tf.setWasmPaths(wasmBase);
    if (await tf.setBackend('wasm')) { await tf.ready(); return ''; }
  } catch (e) { /* fall through to the CPU */ }
  await tf.setBackend('cpu');
  await tf.ready();
  return 'WebAssembly is not available in this browser: compared on the slower CPU path.';
}

// largest returns the biggest detected face, and a sentence when there were several.
function largest(faces, what) {
  const best = faces.reduce((a, b) => (b.box.area > a.box.area ? b : a));
  const note = faces.length > 1 ? `The ${what} shows ${faces.length} faces; the largest is used.` : '';
  return [best, note];
}

// describe finds the faces in img and describes only the largest: the same steps as face-api's
// detectAllFaces().withFaceLandmarks().withFaceDescriptors() (crop, 68 landmarks, dlib alignment,
// descriptor), without the landmarks and descriptors of faces that are not used.
async function describe(faceapi, img, opts, what) {
  const faces = await faceapi.detectAllFaces(img, opts);
  if (faces.length === 0) return null;
  const [detection, note] = largest(faces, what);
  const [crop] = await faceapi.extractFaces(img, [detection]);
  const marks = await faceapi.nets.faceLandmark68Net.detectLandmarks(crop);
  const face = faceapi.extendWithFaceLandmarks(faceapi.extendWithFaceDetection({}, detection), marks);
  const [aligned] = await faceapi.extractFaces(img, [face.landmarks.align(null, { useDlibAlignment: true })]);
  const descriptor = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(aligned);
  return { box: detection.box, descriptor, note };
}

async function run() {
  const d = panel.dataset;
  let faceapi;
  let notes = [];
  const t0 = performance.now();
  // The two pictures download and decode while the library and the models load.
  const pictures = [d.faceDoc, d.faceSelfie].map((src) => loadImage(src).catch(() => null));
  try {
    say('Loading the face models…');
    faceapi = await import(d.faceLib);
    const note = await backend(faceapi.tf, d.faceWasm);
    if (note) notes.push(note);
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
  say('Comparing the faces…');
  const t1 = performance.now();
  const opts = new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.4 });
  const sides = [['doc', 'document photo'], ['selfie', 'selfie']];
  const found = [];
  for (const [i, [key, what]] of sides.entries()) {
    const img = await pictures[i];
    if (!img) {
      panel.dataset.faceState = 'noimage';
      say(`The ${what} could not be loaded, so no similarity was computed.`, 's-red');
      return;
    }
    const face = await describe(faceapi, img, opts, what);
    if (!face) {
      panel.dataset.faceState = 'noface';
      say(`No face found in the ${what}, so no similarity was computed. Compare by eye.`, 's-amber');
      return;
    }
    if (face.note) notes.push(face.note);
    drawCrop($(`[data-testid="face-crop-${key}"]`), img, face.box);
    found.push(face.descriptor);
  }
  const similarity = score(faceapi.euclideanDistance(found[0], found[1]));
  panel.dataset.faceMs = String(Math.round(performance.now() - t1));
  const same = similarity >= THRESHOLD;
  const out = $('[data-testid="face-similarity"]');
  out.textContent = String(similarity);
  out.className = 'face-score ' + (same ? 's-green' : 's-red');
  const verdict = $('[data-testid="face-verdict"]');
  verdict.textContent = same ? 'likely the same person' : 'likely different people';
  const vendor = d.faceVendor || '';
  if ((vendor === 'FACE_MATCH' && !same) || (vendor === 'FACE_MISMATCH' && same)) {
    $('[data-testid="face-disagree"]').hidden = false;
  }
  const form = document.querySelector('[data-testid="decision-form"]');
  if (form) {
    form.elements.face_score.value = String(similarity);
    form.elements.face_model.value = d.faceModel;
  }
  panel.dataset.faceState = 'done';
  say(notes.join(' ') || `Compared in ${(Number(panel.dataset.faceMs) / 1000).toFixed(1)} s.`, 'muted');
}

// A page may ask to leave the comparison out (window.kycdeskHoldFace): the browser tests do, as
// they share two cores and most of them are not about faces.
if (panel && !window.kycdeskHoldFace) run();
