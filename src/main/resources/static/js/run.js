// One run: steps, curves, log and evaluation, all live; its data; and retry, resubmit and stop.
import { act, get } from './api.js';
import { curves } from './charts.js';
import { evaluationView } from './evaluation.js';
import { logView, replicasOf } from './runlog.js';
import { stepView, stepsOf } from './steps.js';
import { ENDED, badge, between, bytes, debounce, fill, h, runState, section, short, time } from './ui.js';

// Parameters that say which run this is, not how to train it: not offered for a resubmit.
const IDENTITY = new Set(['model', 'snapshot', 'origin']);

export async function render(root, { id: name }, scope) {
  const url = `/api/runs/${encodeURIComponent(name)}`;
  let view = await get(url);
  const pipelines = await get('/api/pipelines').catch(() => []);
  const defaults = pipelines.find((p) => p.model === view.run.model)?.parameters || {};
  if (!scope.alive) return;

  const header = h('div', { class: 'summary' });
  const steps = stepView(scope);
  const curveBox = h('div', { 'data-testid': 'curve', class: 'curve', 'data-points': 0 });
  const evaluation = evaluationView(name, scope);
  const log = logView(name, replicasOf({ ...defaults, ...view.parameters }), scope);
  const params = h('div');
  const snapshot = h('div', { 'data-testid': 'run-snapshot' });
  const resubmitForm = h('form', { class: 'resubmit', hidden: true, onsubmit: resubmit });
  const buttons = {
    retry: h('button', { 'data-testid': 'action-retry', onclick: () => post('retry') }, '↻ Retry'),
    resubmit: h('button', { 'data-testid': 'action-resubmit', 'aria-expanded': 'false', onclick: toggleResubmit }, '✎ Resubmit…'),
    stop: h('button', { 'data-testid': 'action-stop', onclick: () => post('stop') }, '■ Stop'),
  };

  root.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/runs' }, '← Runs')),
    h('h1', {}, name),
    header,
    h('div', { class: 'actions' }, Object.values(buttons)),
    resubmitForm,
    section('Steps', steps.graph, steps.list),
    section('Training curve', h('p', { class: 'muted' }, 'Loss (solid, left axis) and batch accuracy (dashed, right axis) per step.'), curveBox),
    section('Trainer log', log),
    section('Evaluation', ...evaluation.nodes),
    section('Run data', h('h3', {}, 'Parameters'), params, h('h3', {}, 'Data snapshot'), snapshot));

  function show() {
    const { run } = view;
    fill(header,
      badge(runState(run)), ' ',
      h('span', {}, 'model ', h('a', { href: `#/models/${encodeURIComponent(run.model)}` }, run.model)),
      h('span', {}, `trigger ${run.trigger || '—'}`),
      h('span', { title: run.createdAt }, `created ${time(run.createdAt)}`),
      h('span', {}, `took ${between(run.startedAt, run.endedAt) || '—'}`),
      h('span', {}, 'version produced ', run.modelVersion != null
        ? h('a', { href: `#/models/${encodeURIComponent(run.model)}` }, `v${run.modelVersion}`) : '—'),
      view.tensorboard ? h('span', {}, 'TensorBoard ', view.tensorboard.url
        ? h('a', { href: view.tensorboard.url, target: '_blank', rel: 'noopener' }, 'open')
        : h('code', {}, view.tensorboard.command)) : null,
      run.message ? h('p', { class: 'message' }, run.message) : null);
    const ended = ENDED.has(run.status);
    buttons.stop.disabled = ended;
    buttons.retry.disabled = !ended;
    steps.set(stepsOf(view));
    const rows = Object.entries({ ...defaults, ...view.parameters }).map(([k, v]) => h('tr', {},
      h('th', { scope: 'row' }, k), h('td', {}, v), h('td', { class: 'muted' }, k in view.parameters ? '' : 'pipeline default')));
    params.replaceChildren(h('div', { class: 'scroll' }, h('table', { 'data-testid': 'run-params' }, h('tbody', {}, rows))));
    const info = view.snapshotInfo;
    fill(snapshot, h('dl', {},
      h('dt', {}, 'hash'), h('dd', {}, h('code', { title: info?.hash || run.snapshot }, info?.hash || run.snapshot)),
      info ? [h('dt', {}, 'objects'), h('dd', {}, String(info.objects)), h('dt', {}, 'bytes'),
        h('dd', {}, `${bytes(info.bytes)} (${info.bytes})`), h('dt', {}, 'location'), h('dd', {}, info.location || ''),
        info.createdAt ? [h('dt', {}, 'frozen'), h('dd', {}, time(info.createdAt))] : []] : []));
  }

  async function post(action, body) {
    const answer = await act('POST', `${url}/${action}`, body);
    if (!answer) return;
    if (answer.run && answer.run !== name) location.hash = `#/runs/${encodeURIComponent(answer.run)}`;
    else refresh();
  }

  function toggleResubmit() {
    const open = resubmitForm.hidden;
    resubmitForm.hidden = !open;
    buttons.resubmit.setAttribute('aria-expanded', String(open));
    if (!open) return;
    const current = { ...defaults, ...view.parameters };
    fill(resubmitForm,
      h('p', {}, `Start a new run of ${view.run.model} on snapshot ${short(view.run.snapshot)}; only the values you change are sent.`),
      Object.entries(current).filter(([k]) => !IDENTITY.has(k)).map(([k, v]) => h('label', {}, k, ' ',
        h('input', { name: k, value: v, 'data-was': v }))),
      h('label', {}, 'more (name=value, one per line) ', h('textarea', { name: '_more', rows: 2, placeholder: 'workers=2' })),
      h('div', { class: 'buttons' }, h('button', { type: 'submit' }, 'Resubmit'),
        h('button', { type: 'button', onclick: toggleResubmit }, 'Cancel')));
    resubmitForm.querySelector('input, textarea')?.focus();
  }

  async function resubmit(e) {
    e.preventDefault();
    const changed = {};
    for (const input of resubmitForm.querySelectorAll('input[name]')) {
      if (input.value !== input.dataset.was) changed[input.name] = input.value;
    }
    for (const line of resubmitForm.elements._more.value.split('\n')) {
      const [k, ...v] = line.split('=');
      if (k.trim() && v.length) changed[k.trim()] = v.join('=').trim();
    }
    await post('resubmit', { parameters: changed });
  }

  async function refresh() {
    view = await get(url);
    if (scope.alive) show();
  }
  const refreshSoon = debounce(() => refresh().catch(() => {}), 300);

  show();
  const pending = [];
  let curve;
  scope.onEvent((e) => {
    if (e.kind !== 'run' || e.run !== name) return;
    if (e.type === 'TrainingProgressed') return curve ? curve.append(0, e) : pending.push(e);
    if (e.type === 'RunStarted') log.reopen();
    if (e.type === 'StepStarted' || e.type === 'StepFinished') steps.apply(e);
    if (e.type === 'StepFinished' && e.step === 'evaluate') evaluation.load();
    refreshSoon();
  });
  // Asking before the evaluate step has run would only earn a 404.
  if (view.steps.some((s) => s.name === 'evaluate' && s.endedAt)) evaluation.load();
  else evaluation.none();
  const points = await get(`${url}/scalars`).catch(() => []);
  if (!scope.alive) return;
  curve = await curves(curveBox, [{ label: name, points }]);
  scope.cleanup(() => curve.destroy());
  pending.forEach((e) => curve.append(0, e));
}
