// Compare two to five runs: curves overlaid, parameters and metrics side by side, differing rows marked.
import { get, getOptional } from './api.js';
import { PALETTE, curves } from './charts.js';
import { badge, between, h, percent, runState, section, short } from './ui.js';

export async function render(view, { params }, scope) {
  const names = (params.get('runs') || '').split(',').filter(Boolean).slice(0, 5);
  view.append(h('h1', {}, 'Compare runs'));
  if (names.length < 2) return picker(view, names);

  const runs = await Promise.all(names.map(async (name) => {
    const base = `/api/runs/${encodeURIComponent(name)}`;
    const [run, points] = await Promise.all([get(base), get(`${base}/scalars`).catch(() => [])]);
    const evaluated = run.steps.some((s) => s.name === 'evaluate' && s.endedAt);
    const evaluation = evaluated ? await getOptional(`${base}/evaluation`).catch(() => null) : null;
    return { name, view: run, points, evaluation };
  }));
  if (!scope.alive) return;

  const box = h('div', { 'data-testid': 'curve', class: 'curve', 'data-points': 0 });
  const legend = h('p', {}, runs.map((r, i) => h('span', { class: 'key' },
    h('span', { style: `color:${PALETTE[i % PALETTE.length]}` }, '━━ '), `${r.name}  `)));
  view.append(
    section('Training curves', h('p', { class: 'muted' }, 'Loss solid (left axis), batch accuracy dashed (right axis); one colour per run.'), legend, box),
    section('Side by side', sideBySide(runs)));
  const chart = await curves(box, runs.map((r) => ({ label: r.name, points: r.points })));
  scope.cleanup(() => chart.destroy());
  scope.onEvent((e) => {
    const i = names.indexOf(e.run);
    if (i >= 0 && e.type === 'TrainingProgressed') chart.append(i, e);
  });
}

function sideBySide(runs) {
  const metrics = [
    ['status', (r) => badge(runState(r.view.run))],
    ['outcome', (r) => r.view.run.outcome || '—'],
    ['accuracy (evaluation)', (r) => (r.evaluation ? percent(r.evaluation.accuracy) : 'no evaluation')],
    ['duration', (r) => between(r.view.run.startedAt, r.view.run.endedAt)],
    ['model version', (r) => (r.view.run.modelVersion == null ? '—' : `v${r.view.run.modelVersion}`)],
    ['snapshot', (r) => short(r.view.run.snapshot)],
    ['trigger', (r) => r.view.run.trigger || '—'],
  ];
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.view.parameters || {})))]
    .filter((k) => k !== 'snapshot').sort();
  for (const k of keys) metrics.push([`parameter ${k}`, (r) => r.view.parameters?.[k] ?? '(default)']);
  const text = (v) => (typeof v === 'string' ? v : v.textContent);
  const rows = metrics.map(([label, read]) => {
    const values = runs.map(read);
    const differs = new Set(values.map(text)).size > 1;
    return h('tr', { 'data-differs': differs },
      h('th', { scope: 'row', class: differs ? 'differs' : null }, label),
      values.map((v) => h('td', { class: differs ? 'differs' : null }, v)));
  });
  return h('div', { class: 'scroll' }, h('table', { 'data-testid': 'compare-table' },
    h('thead', {}, h('tr', {}, h('th', {}, ''), runs.map((r) => h('th', { scope: 'col' },
      h('a', { href: `#/runs/${encodeURIComponent(r.name)}` }, r.name))))),
    h('tbody', {}, rows)));
}

/** Without two runs in the address: choose among recent ones. */
async function picker(view, chosen) {
  const runs = await get('/api/runs?limit=50&offset=0');
  const form = h('form', {
    onsubmit: (e) => {
      e.preventDefault();
      const picked = [...form.querySelectorAll('input:checked')].map((i) => i.value);
      if (picked.length < 2 || picked.length > 5) return (note.textContent = 'Pick two to five runs.');
      location.hash = `#/compare?runs=${picked.map(encodeURIComponent).join(',')}`;
    },
  });
  const note = h('p', { 'aria-live': 'polite', class: 'muted' }, 'Pick two to five runs (or tick them on the Runs page).');
  form.append(note, h('ul', { class: 'plain' }, runs.map((r) => h('li', {}, h('label', {},
    h('input', { type: 'checkbox', value: r.name, checked: chosen.includes(r.name) }), ` ${r.name} `, badge(runState(r)))))),
  h('button', { type: 'submit' }, 'Compare'));
  view.append(form);
}
