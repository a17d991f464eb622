// Schedules: cron, time zone, policy, the next five fires and the recent ones; create and delete.
import { act, get } from './api.js';
import { badge, fill, h, section, table, time } from './ui.js';

const POLICIES = ['Allow', 'Forbid', 'Replace'];

export async function render(view, params, scope) {
  const list = h('div');
  view.append(h('h1', {}, 'Schedules'), list, section('New schedule', await form(load)));

  async function load() {
    const schedules = await get('/api/schedules');
    if (!scope.alive) return;
    fill(list, schedules.length ? schedules.map((s) => card(s, load)) : h('p', {}, 'No schedules yet: create one below.'));
  }
  scope.onEvent((e) => { if (e.type === 'RunStarted' || e.type === 'RunFinished' || e.type === 'Skipped') load().catch(() => {}); });
  await load();
}

/** A fire time as the schedule's own time zone tells it, since that is the zone its cron is read in. */
function zoned(iso, zone) {
  try {
    return new Date(iso).toLocaleString(undefined, { timeZone: zone || undefined, timeZoneName: 'short' });
  } catch {
    return time(iso);
  }
}

function card(s, reload) {
  const remove = async () => {
    if (await act('DELETE', `/api/schedules/${encodeURIComponent(s.name)}`)) reload();
  };
  return h('section', { class: 'card', 'data-schedule': s.name },
    h('h2', {}, `${s.name} `, h('span', { class: 'muted' }, `retrains ${s.model}`), s.state ? [' ', badge(s.state)] : null),
    h('dl', {},
      h('dt', {}, 'cron'), h('dd', {}, h('code', {}, s.cron)),
      h('dt', {}, 'time zone'), h('dd', {}, s.timeZone || ''),
      h('dt', {}, 'policy'), h('dd', {}, s.concurrencyPolicy || ''),
      h('dt', {}, 'starting deadline'), h('dd', {}, s.startingDeadline || 'none'),
      h('dt', {}, 'parameters'), h('dd', {}, Object.entries(s.parameters || {}).map(([k, v]) => `${k}=${v}`).join(', ') || 'pipeline defaults')),
    h('h3', {}, 'Next five fires'),
    h('ol', { 'data-testid': 'next-fires' }, (s.nextFireTimes || []).slice(0, 5).map((t) => h('li', {}, zoned(t, s.timeZone)))),
    h('h3', {}, 'Recent fires'),
    (s.history || []).length ? table({ 'data-testid': 'fires' }, ['Scheduled', 'Fired', 'Outcome', 'Run', 'Reason'],
      s.history.map((f) => h('tr', {}, h('td', {}, time(f.scheduledAt)), h('td', {}, time(f.firedAt)),
        h('td', {}, badge(f.outcome)), h('td', {}, f.run ? h('a', { href: `#/runs/${encodeURIComponent(f.run)}` }, f.run) : '—'),
        h('td', {}, f.reason || '')))) : h('p', { class: 'muted' }, 'Not fired yet.'),
    h('div', { class: 'buttons' }, h('button', { 'data-testid': `action-delete-${s.name}`, onclick: remove }, `✗ Delete ${s.name}`)));
}

async function form(reload) {
  const models = await get('/api/models').catch(() => []);
  const pipelines = await get('/api/pipelines').catch(() => []);
  const names = [...new Set([...pipelines.map((p) => p.model), ...models.map((m) => m.name)])];
  const field = (label, input) => h('label', {}, label, input);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const f = h('form', { class: 'stack', 'data-testid': 'schedule-form' },
    field('Name', h('input', { name: 'name', required: true, pattern: '[a-z0-9][a-z0-9-]*', placeholder: 'nightly' })),
    field('Model', h('select', { name: 'model' }, names.map((n) => h('option', { value: n }, n)))),
    field('Cron (Quartz)', h('input', { name: 'cron', required: true, value: '0 0 2 * * ?', 'aria-describedby': 'cron-help' })),
    h('p', { id: 'cron-help', class: 'muted' }, 'seconds minutes hours day-of-month month day-of-week: 0 0 2 * * ? is every day at 02:00.'),
    field('Time zone', h('input', { name: 'timeZone', value: zone })),
    field('Concurrency policy', h('select', { name: 'concurrencyPolicy' }, POLICIES.map((p) => h('option', { value: p }, p)))),
    field('Starting deadline', h('input', { name: 'startingDeadline', placeholder: 'PT10M (optional)' })),
    field('Parameters', h('textarea', { name: 'parameters', rows: 2, placeholder: 'trainSteps=2000 (one per line)' })),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', 'data-testid': 'schedule-create' }, 'Create schedule')));
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = Object.fromEntries(new FormData(f));
    const parameters = Object.fromEntries(v.parameters.split('\n').map((l) => l.split('='))
      .filter(([k, val]) => k.trim() && val !== undefined).map(([k, ...val]) => [k.trim(), val.join('=').trim()]));
    const body = { ...v, parameters, startingDeadline: v.startingDeadline || null };
    if (await act('POST', '/api/schedules', body)) {
      f.reset();
      reload();
    }
  });
  return f;
}
