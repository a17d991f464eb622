// Try the model: draw a digit (or drop a PNG), send it as 28x28 floats through the REST predict API, show the answer.
import { get, predict, serverInfo } from './api.js';
import { fill, h, percent } from './ui.js';

const SIZE = 280;

export async function render(view) {
  const models = await get('/api/models').catch(() => []);
  const canvas = h('canvas', { 'data-testid': 'digit-canvas', width: SIZE, height: SIZE, 'aria-label': 'Drawing area: draw a digit with the mouse, a pen or a finger' });
  const ink = canvas.getContext('2d', { willReadFrequently: true });
  const select = h('select', { 'data-testid': 'try-model' }, models.map((m) => h('option', { value: m.name }, m.name)));
  select.value = models.find((m) => m.servingVersion != null)?.name || models[0]?.name || '';
  const answer = h('span', { 'data-testid': 'try-answer', class: 'answer', 'aria-live': 'polite' }, '–');
  const version = h('span', { 'data-testid': 'try-version' });
  const bars = h('div', { 'data-testid': 'try-bars', class: 'bars' });
  const file = h('input', { 'data-testid': 'try-file', type: 'file', accept: 'image/png,image/*', onchange: () => file.files[0] && load(file.files[0]) });

  const clear = () => {
    ink.fillStyle = '#000';
    ink.fillRect(0, 0, SIZE, SIZE);
  };
  clear();
  draw(canvas, ink);

  async function load(blob) {
    const image = await createImageBitmap(blob);
    clear();
    const scale = Math.min(SIZE / image.width, SIZE / image.height);
    ink.drawImage(image, (SIZE - image.width * scale) / 2, (SIZE - image.height * scale) / 2, image.width * scale, image.height * scale);
    // MNIST is white ink on black: turn a dark-on-light picture around.
    const pixels = ink.getImageData(0, 0, SIZE, SIZE);
    let sum = 0;
    for (let i = 0; i < pixels.data.length; i += 4) sum += pixels.data[i];
    if (sum / (SIZE * SIZE) > 127) {
      for (let i = 0; i < pixels.data.length; i += 4) for (let c = 0; c < 3; c++) pixels.data[i + c] = 255 - pixels.data[i + c];
      ink.putImageData(pixels, 0, 0);
    }
  }

  async function ask() {
    const model = select.value;
    if (!model) return (answer.textContent = 'no model');
    const result = await predict(`/api/models/${encodeURIComponent(model)}:predict`, { signature_name: 'serving_default', instances: [toMnist(canvas)] });
    if (!result) return;
    const p = result.answer.predictions?.[0] ?? {};
    const probabilities = Array.isArray(p) ? p : p.probabilities || p.predictions || p.scores || [];
    const best = p.classes ?? probabilities.indexOf(Math.max(...probabilities));
    answer.textContent = String(best);
    fill(bars, probabilities.map((x, digit) => h('div', { class: `bar${digit === best ? ' top' : ''}`, 'data-digit': digit },
      h('span', {}, String(digit)), h('span', { class: 'fill', style: `width:${(x * 100).toFixed(1)}%` }),
      h('span', {}, `${digit === best ? '★ ' : ''}${percent(x).replace(' %', '%')}`))));
    version.textContent = result.version ?? await answeringVersion(model);
  }

  const drop = h('div', {
    class: 'drop',
    ondragover: (e) => { e.preventDefault(); drop.classList.add('over'); },
    ondragleave: () => drop.classList.remove('over'),
    ondrop: (e) => { e.preventDefault(); drop.classList.remove('over'); if (e.dataTransfer.files[0]) load(e.dataTransfer.files[0]); },
  }, canvas);

  view.append(h('h1', {}, 'Try the model'),
    h('p', {}, 'Draw a digit 0–9 in the black square (mouse, pen or finger), or drop a PNG on it, then ask the served model. ',
      'The drawing goes as a 28×28 image through the same REST API any client uses: ', h('code', {}, 'POST /api/models/{model}:predict'), '.'),
    h('div', { class: 'try' },
      h('div', {}, drop,
        h('div', { class: 'buttons' },
          h('button', { 'data-testid': 'try-predict', onclick: ask }, 'Predict'),
          h('button', { 'data-testid': 'try-clear', onclick: () => { clear(); answer.textContent = '–'; bars.replaceChildren(); version.textContent = ''; } }, 'Clear')),
        h('label', {}, 'Model ', select), h('br'), h('label', {}, 'or a PNG ', file)),
      h('div', {}, h('p', {}, 'Answer: ', answer), h('p', {}, 'Answered by version ', version), bars)));
}

/** Thick round strokes, as MNIST's pen, from mouse, pen or touch. */
function draw(canvas, ink) {
  let last = null;
  const at = (e) => {
    const box = canvas.getBoundingClientRect();
    return [(e.clientX - box.left) * (SIZE / box.width), (e.clientY - box.top) * (SIZE / box.height)];
  };
  canvas.addEventListener('pointerdown', (e) => {
    canvas.setPointerCapture(e.pointerId);
    last = at(e);
    stroke(last, last);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!last) return;
    const next = at(e);
    stroke(last, next);
    last = next;
  });
  for (const end of ['pointerup', 'pointercancel']) canvas.addEventListener(end, () => { last = null; });
  function stroke([x0, y0], [x1, y1]) {
    Object.assign(ink, { strokeStyle: '#fff', lineWidth: 22, lineCap: 'round', lineJoin: 'round' });
    ink.beginPath();
    ink.moveTo(x0, y0);
    ink.lineTo(x1, y1);
    ink.stroke();
  }
}

/**
 * The drawing as MNIST has its digits (yann.lecun.com/exdb/mnist): the ink's bounding box fitted into 20x20, keeping
 * its aspect ratio, then placed so that the ink's centre of mass is the centre of 28x28; floats 0..1, rows of columns.
 * Centring the box instead moves a 7's bar up and its foot down, and a model trained on MNIST reads it as a 2.
 */
export function toMnist(canvas) {
  const data = canvas.getContext('2d').getImageData(0, 0, SIZE, SIZE).data;
  let [left, top, right, bottom] = [SIZE, SIZE, -1, -1];
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      if (data[(y * SIZE + x) * 4] > 30) {
        left = Math.min(left, x); right = Math.max(right, x); top = Math.min(top, y); bottom = Math.max(bottom, y);
      }
    }
  }
  const small = document.createElement('canvas');
  small.width = small.height = 28;
  const out = small.getContext('2d', { willReadFrequently: true });
  out.fillStyle = '#000';
  out.fillRect(0, 0, 28, 28);
  if (right >= 0) {
    const w = right - left + 1;
    const hgt = bottom - top + 1;
    const scale = 20 / Math.max(w, hgt);
    const [boxW, boxH] = [Math.max(1, Math.round(w * scale)), Math.max(1, Math.round(hgt * scale))];
    out.imageSmoothingQuality = 'high';
    out.drawImage(canvas, left, top, w, hgt, 0, 0, boxW, boxH);
    const [massX, massY] = centreOfMass(out.getImageData(0, 0, boxW, boxH).data, boxW, boxH);
    const box = out.getImageData(0, 0, boxW, boxH);
    out.fillRect(0, 0, 28, 28);
    const shift = (mass, length) => Math.min(28 - length, Math.max(0, Math.round(14 - mass)));
    out.putImageData(box, shift(massX, boxW), shift(massY, boxH));
  }
  const pixels = out.getImageData(0, 0, 28, 28).data;
  return Array.from({ length: 28 }, (_, y) => Array.from({ length: 28 }, (_, x) => pixels[(y * 28 + x) * 4] / 255));
}

/** The ink-weighted mean of pixel centres, [x, y] in pixels from the top left of an RGBA image. */
function centreOfMass(rgba, width, height) {
  let [sum, x, y] = [0, 0, 0];
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const ink = rgba[(row * width + col) * 4];
      sum += ink; x += ink * (col + 0.5); y += ink * (row + 0.5);
    }
  }
  return sum === 0 ? [width / 2, height / 2] : [x / sum, y / sum];
}

/**
 * When the answer did not name its version: the model server's own word when it shares this page's origin (TF Serving
 * sends no CORS headers),
 * else the registry's serving version, read right after the answer.
 */
async function answeringVersion(model) {
  const rest = (await serverInfo()).modelServer?.rest;
  if (rest && new URL(rest, location.href).origin === location.origin) {
    try {
      const status = await get(`${rest}/v1/models/${encodeURIComponent(model)}`);
      const available = status.model_version_status?.find((s) => s.state === 'AVAILABLE');
      if (available) return String(available.version);
    } catch {
      // Not reachable from here: the registry knows too.
    }
  }
  const models = await get('/api/models').catch(() => []);
  const served = models.find((m) => m.name === model)?.servingVersion;
  return served == null ? 'unknown' : String(served);
}
