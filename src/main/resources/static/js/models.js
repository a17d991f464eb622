// Models: which version served when, every version's accuracy, state and lineage; promote and roll back.
import { act, get, getOptional } from './api.js';
import { badge, debounce, fill, h, percent, section, short, table, time } from './ui.js';

export async function render(view, { id }, scope) {
  const list = h('div');
  const detail = h('div');
  view.append(h('h1', {}, 'Models'), list, detail);

  async function load() {
    const models = await get('/api/models');
    if (!scope.alive) return;
    const name = id || models.find((m) => m.servingVersion != null)?.name || models[0]?.name;
    fill(list, table({ 'data-testid': 'models-list' }, ['Model', 'Serving version', 'Accuracy', 'Versions'],
      models.map((m) => h('tr', { 'data-model': m.name, 'aria-current': m.name === name ? 'true' : null },
        h('td', {}, h('a', { href: `#/models/${encodeURIComponent(m.name)}` }, m.name)),
        h('td', {}, m.servingVersion == null ? 'none' : `v${m.servingVersion}`),
        h('td', {}, percent(m.servingAccuracy)), h('td', {}, String(m.versions))))));
    if (!models.length) list.append(h('p', {}, 'No models yet: a first run that passes its gate makes one.'));
    if (name) fill(detail, await model(name, load));
  }

  scope.onEvent(debounce((e) => { if (e.kind === 'model' || e.type === 'RunFinished') load().catch(() => {}); }, 200));
  await load();
}

async function model(name, reload) {
  const base = `/api/models/${encodeURIComponent(name)}`;
  const [versions, history] = await Promise.all([get(base), getOptional(`${base}/history`).catch(() => null)]);
  const serving = versions.find((v) => v.state === 'SERVING');
  const events = history || [];
  const change = async (path) => { if (await act('POST', `${base}${path}`)) reload(); };

  return section(`Model ${name}`,
    h('p', { class: 'row' }, 'Serving version: ',
      h('strong', { 'data-testid': 'serving-version' }, serving ? String(serving.version) : 'none'),
      serving ? ` (accuracy ${percent(serving.accuracy)}, since ${time(serving.promotedAt)})` : '',
      h('button', { 'data-testid': 'action-rollback', onclick: () => change('/rollback'), disabled: !serving },
        '⟲ Roll back to the previous version')),
    h('h3', {}, 'Which version served when'),
    timeline(versions, events),
    h('h3', {}, 'Versions'),
    table({ 'data-testid': 'versions' }, ['Version', 'State', 'Accuracy', 'Lineage: snapshot → run → version', 'Promoted / rolled back', 'Created', ''],
      versions.map((v) => h('tr', { 'data-version': v.version, 'data-state': v.state },
        h('th', { scope: 'row' }, `v${v.version}`),
        h('td', {}, badge(v.state)),
        h('td', {}, percent(v.accuracy)),
        h('td', {}, h('code', { title: v.snapshot }, short(v.snapshot)), ' → ',
          h('a', { href: `#/runs/${encodeURIComponent(v.runName)}` }, v.runName), ` → v${v.version}`),
        h('td', {}, who(v, events)),
        h('td', {}, time(v.createdAt)),
        h('td', {}, v.state === 'SERVING' ? '' : h('button', {
          'data-testid': `action-promote-${v.version}`, onclick: () => change(`/versions/${v.version}/promote`),
        }, `Promote v${v.version}`))))));
}

/** Who or what promoted a version and rolled it back, from the history (else the version's own reason). */
function who(version, events) {
  const lines = events.filter((e) => e.version === version.version || e.fromVersion === version.version).map((e) => {
    if (e.action === 'promoted' && e.version === version.version) return `promoted ${time(e.at)} by ${e.by || e.run || '?'}`;
    if (e.action === 'rolledBack' && e.fromVersion === version.version) return `rolled back ${time(e.at)} by ${e.by || '?'}${e.reason && !e.reason.startsWith('rolled back by') ? `: ${e.reason}` : ''}`;
    if (e.action === 'rolledBack') return `restored ${time(e.at)} by a roll back from v${e.fromVersion}`;
    return null;
  }).filter(Boolean);
  return lines.length ? lines.map((l) => h('div', {}, l)) : version.reason || '';
}

/** One lane per version that ever served, a bar from each time it started serving to when it stopped. */
function timeline(versions, events) {
  const spans = [];
  for (const v of versions) {
    // Each history entry names the version serving from then on (a roll back names the one it restored).
    const starts = events.filter((e) => e.version === v.version).map((e) => e.at);
    if (!starts.length && v.promotedAt) starts.push(v.promotedAt);
    for (const start of starts) {
      const next = events.find((e) => Date.parse(e.at) > Date.parse(start) && e.version !== v.version);
      const end = next ? next.at : v.state === 'SERVING' ? null : v.retiredAt;
      spans.push({ version: v.version, start: Date.parse(start), end: end ? Date.parse(end) : Date.now(), open: !end });
    }
  }
  const box = h('div', { 'data-testid': 'model-timeline', class: 'timeline' });
  if (!spans.length) return fill(box, h('p', {}, 'No version has served yet.'));
  const from = Math.min(...spans.map((s) => s.start));
  const to = Date.now();
  const at = (t) => `${((t - from) / Math.max(1, to - from)) * 100}%`;
  for (const v of versions.filter((x) => spans.some((s) => s.version === x.version))) {
    box.append(h('div', { class: 'lane' }, h('span', {}, `v${v.version}`), h('div', { class: 'track' },
      spans.filter((s) => s.version === v.version).map((s) => h('span', {
        class: `span${s.open ? '' : ' past'}`, style: `left:${at(s.start)};width:calc(${at(s.end)} - ${at(s.start)})`,
        title: `v${v.version} served ${time(new Date(s.start).toISOString())} – ${s.open ? 'now' : time(new Date(s.end).toISOString())}`,
      }, s.open ? '✓ serving' : '■ served')))));
  }
  box.append(h('div', { class: 'axis' }, h('span', {}, time(new Date(from).toISOString())), h('span', {}, 'now')));
  return box;
}
