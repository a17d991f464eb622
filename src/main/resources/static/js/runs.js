// Runs: a live, filtered, paged table; checkboxes pick runs to compare.
import { get, getPage } from './api.js';
import { age, badge, between, debounce, h, runState, table } from './ui.js';

const PAGE = 50;
const STATUSES = ['QUEUED', 'STARTED', 'COMPLETED', 'FAILED', 'STOPPED', 'DROPPED', 'PROMOTED', 'REJECTED', 'SUPERSEDED'];
const SINCE = [['', 'any time'], ['PT1H', 'last hour'], ['PT24H', 'last 24 hours'], ['P7D', 'last 7 days'], ['P30D', 'last 30 days']];

export async function render(view, { params }, scope) {
  const state = { model: params.get('model') || '', status: params.get('status') || '', since: params.get('since') || '', offset: 0 };
  const picked = new Set();

  const select = (testid, label, options, key) => h('label', {}, label, ' ', h('select', {
    'data-testid': testid,
    onchange: (e) => { state[key] = e.target.value; state.offset = 0; load(); },
  }, options.map(([value, text]) => h('option', { value, selected: value === state[key] }, text))));

  const models = await get('/api/models').catch(() => []);
  const body = h('tbody');
  const total = h('span', { 'data-testid': 'runs-total' });
  const prev = h('button', { 'data-testid': 'runs-prev', onclick: () => { state.offset -= PAGE; load(); } }, '← Newer');
  const next = h('button', { 'data-testid': 'runs-next', onclick: () => { state.offset += PAGE; load(); } }, 'Older →');
  const compare = h('a', {
    class: 'button', href: '#/compare',
    onclick: (e) => { if (compare.hasAttribute('aria-disabled')) e.preventDefault(); },
  }, 'Compare selected');
  const updateCompare = () => {
    compare.href = `#/compare?runs=${[...picked].map(encodeURIComponent).join(',')}`;
    compare.toggleAttribute('aria-disabled', picked.size < 2 || picked.size > 5);
    compare.textContent = `Compare selected (${picked.size})`;
  };
  updateCompare();

  view.append(
    h('h1', {}, 'Runs'),
    h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() },
      select('filter-model', 'Model', [['', 'all models'], ...models.map((m) => [m.name, m.name])], 'model'),
      select('filter-status', 'Status', [['', 'any status'], ...STATUSES.map((s) => [s, s])], 'status'),
      select('filter-since', 'Created', SINCE, 'since'),
      compare),
    h('div', { class: 'scroll' }, h('table', { 'data-testid': 'runs-table', class: 'runs' },
      h('caption', { class: 'visually-hidden' }, 'Runs, newest first'),
      h('thead', {}, h('tr', {}, ['', 'Run', 'Model', 'Status', 'Outcome', 'Trigger', 'Age', 'Duration', 'Message']
        .map((c, i) => h('th', { scope: 'col' }, i ? c : h('span', { class: 'visually-hidden' }, 'Compare'))))),
      body)),
    h('div', { class: 'paging' }, prev, total, next));

  const row = (run) => h('tr', { 'data-run': run.name },
    h('td', {}, h('input', {
      type: 'checkbox', checked: picked.has(run.name), 'aria-label': `compare ${run.name}`,
      onchange: (e) => { if (e.target.checked) picked.add(run.name); else picked.delete(run.name); updateCompare(); },
    })),
    h('td', {}, h('a', { href: `#/runs/${encodeURIComponent(run.name)}` }, run.name)),
    h('td', {}, run.model),
    h('td', { 'data-col': 'status' }, badge(runState(run))),
    h('td', { 'data-col': 'outcome' }, run.outcome || '—'),
    h('td', { 'data-col': 'trigger' }, run.trigger || ''),
    h('td', { title: run.createdAt }, age(run.createdAt)),
    h('td', {}, between(run.startedAt, run.endedAt)),
    h('td', { class: 'message' }, run.message || ''));

  async function load() {
    const query = new URLSearchParams({ limit: PAGE, offset: state.offset });
    for (const key of ['model', 'status', 'since']) if (state[key]) query.set(key, state[key]);
    const page = await getPage(`/api/runs?${query}`);
    if (!scope.alive) return;
    body.replaceChildren(...page.items.map(row));
    if (!page.items.length) body.append(h('tr', {}, h('td', { colspan: 9 }, 'No runs match. Upload data, or start a run with ./caravan submit.')));
    const known = Number.isFinite(page.total);
    const last = state.offset + page.items.length;
    total.textContent = known
      ? `${page.total} run${page.total === 1 ? "" : "s"}${page.total ? ` (showing ${state.offset + 1}–${last})` : ''}`
      : `showing ${state.offset + 1}–${last}`;
    prev.disabled = state.offset === 0;
    next.disabled = known ? last >= page.total : page.items.length < PAGE;
  }

  const reload = debounce(() => load().catch(() => {}), 200);
  // Training progress changes no column; every other run event may change a row, or add one.
  scope.onEvent((e) => { if (e.kind === 'run' && e.type !== 'TrainingProgressed') reload(); });
  // Ages grow without events.
  const timer = setInterval(reload, 30000);
  scope.cleanup(() => clearInterval(timer));
  await load();
}
