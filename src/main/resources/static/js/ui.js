// Small DOM and formatting helpers shared by the pages.

/** h('a', {href: '#/runs', class: 'x', onclick: fn}, 'text', child) builds an element. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key in el && !key.includes('-') && key !== 'list') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  el.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

/** Status as text with a shape (drawn by the CSS for data-s), coloured by the Okabe-Ito palette. */
export function badge(status) {
  return h('span', { class: 'badge', 'data-s': status || 'PENDING' }, status || 'PENDING');
}

/** What a run's status column says: the outcome once ended, else the status. */
export const runState = (run) => run.outcome || run.status;

export const ENDED = new Set(['COMPLETED', 'FAILED', 'STOPPED', 'DROPPED']);

export function age(iso) {
  if (!iso) return '';
  const s = (Date.now() - Date.parse(iso)) / 1000;
  // Coarse on purpose: a list of ages reads better in whole units.
  if (s < 60) return `${Math.max(0, Math.round(s))} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function time(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

/** A duration in seconds as "4 s", "3 min 20 s", "2 h 5 min". */
export function seconds(s) {
  if (s === null || s === undefined || Number.isNaN(s)) return '';
  if (s < 10) return `${Math.max(0, s).toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.round((s % 86400) / 3600)} h`;
}

export function between(startIso, endIso) {
  if (!startIso) return '';
  return seconds(((endIso ? Date.parse(endIso) : Date.now()) - Date.parse(startIso)) / 1000);
}

/** Java's Duration text (PT1M2.5S) in seconds. */
export function isoSeconds(text) {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(text || '');
  return m ? (+m[1] || 0) * 3600 + (+m[2] || 0) * 60 + (+m[3] || 0) : null;
}

export function bytes(n) {
  if (n === null || n === undefined) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  for (; n >= 1024 && i < units.length - 1; i++) n /= 1024;
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

export const percent = (x) => (x === null || x === undefined ? '' : `${(x * 100).toFixed(2)} %`);

export const short = (hash) => (hash ? hash.slice(0, 12) : '');

/** Calls fn at most once per wait, after the last call: bursts of events become one re-fetch. */
export function debounce(fn, wait) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
}

/** A table that scrolls sideways on a phone instead of squeezing its columns. */
export function table(attrs, head, rows) {
  return h('div', { class: 'scroll' },
    h('table', attrs, h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows)));
}

export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}

/** Replaces an element's children, skipping absent ones as h() does. */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}
