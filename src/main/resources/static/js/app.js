// The router: a hash route picks a page module; each page gets a scope to register its listeners and clean-ups.
import { onEvent, showProblem } from './api.js';

const pages = {
  runs: () => import('./runs.js'),
  compare: () => import('./compare.js'),
  models: () => import('./models.js'),
  schedules: () => import('./schedules.js'),
  try: () => import('./try.js'),
  links: () => import('./links.js'),
};

let scope;

/** What a page may hold while shown: event listeners, timers, streams; all let go when the route changes. */
function newScope() {
  const cleanups = [];
  return {
    alive: true,
    onEvent(listener) { cleanups.push(onEvent(listener)); },
    cleanup(fn) { cleanups.push(fn); },
    close() { this.alive = false; cleanups.forEach((fn) => fn()); },
  };
}

async function route(event) {
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [page = 'runs', ...rest] = path.split('/').map(decodeURIComponent);
  const params = new URLSearchParams(query);
  scope?.close();
  scope = newScope();
  const mine = scope;
  showProblem('');
  for (const link of document.querySelectorAll('nav a')) {
    link.toggleAttribute('aria-current', link.getAttribute('href') === `#/${page}`);
  }
  const view = document.getElementById('view');
  const load = page === 'runs' && rest.length ? () => import('./run.js') : pages[page] || pages.runs;
  try {
    const module = await load();
    if (!mine.alive) return;
    view.replaceChildren();
    if (event) {
      // A new page: start at its top, with keyboard focus at its start rather than on the link left behind.
      window.scrollTo(0, 0);
      view.focus({ preventScroll: true });
    }
    await module.render(view, { id: rest.join('/'), params }, mine);
  } catch (e) {
    if (mine.alive) showProblem(e.message);
  }
}

window.addEventListener('hashchange', route);
// A page the browser leaves closes its streams (the run's log among them); shown again from the back-forward cache,
// it is drawn afresh.
window.addEventListener('pagehide', () => scope?.close());
window.addEventListener('pageshow', (e) => { if (e.persisted) route(); });
// Opened at once so the header shows whether live updates arrive, whichever page comes first.
onEvent(() => {});
route();
