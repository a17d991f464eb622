// A run's trainer log, streamed per replica and following the end unless the reader scrolled up.
import { h } from './ui.js';

const MAX_CHARS = 400000;

/** The replicas a run's cluster has: the chief, worker-0.., ps-0.. (ps defaults to 1 when there are workers). */
export function replicasOf(parameters = {}) {
  const workers = Number(parameters.workers) || 0;
  const ps = parameters.ps === undefined ? (workers ? 1 : 0) : Number(parameters.ps) || 0;
  return ['chief', ...Array.from({ length: workers }, (_, i) => `worker-${i}`), ...Array.from({ length: ps }, (_, i) => `ps-${i}`)];
}

export function logView(run, replicas, scope) {
  const pre = h('pre', { 'data-testid': 'log', class: 'log', tabindex: 0, 'aria-label': 'Trainer log' });
  const status = h('span', { class: 'muted', 'aria-live': 'polite' });
  const select = h('select', { 'data-testid': 'replica-select', hidden: replicas.length < 2, onchange: () => open(select.value) },
    replicas.map((r) => h('option', { value: r }, r)));
  let source;

  const follow = () => pre.scrollHeight - pre.scrollTop - pre.clientHeight < 40;
  function append(text) {
    const atEnd = follow();
    pre.append(text);
    if (pre.textContent.length > MAX_CHARS) pre.textContent = pre.textContent.slice(-MAX_CHARS / 2);
    if (atEnd) pre.scrollTop = pre.scrollHeight;
  }

  function open(replica) {
    source?.close();
    pre.textContent = '';
    status.textContent = 'streaming…';
    const query = replica === 'chief' ? '' : `?replica=${encodeURIComponent(replica)}`;
    source = new EventSource(`/api/runs/${encodeURIComponent(run)}/logs/stream${query}`);
    const mine = source;
    source.addEventListener('line', (e) => append(`${e.data}\n`));
    source.addEventListener('end', (e) => { mine.close(); status.textContent = `log complete (run ${e.data})`; });
    source.addEventListener('problem', (e) => { mine.close(); status.textContent = e.data; });
    // A server without the stream (or one that refused it): fall back to the log as it is now.
    source.onerror = () => {
      if (mine.readyState !== EventSource.CLOSED || pre.textContent) return;
      fetch(`/api/runs/${encodeURIComponent(run)}/logs${query}`).then(async (res) => {
        const text = await res.text();
        if (res.ok) { append(text); status.textContent = 'log as of now (no live stream)'; } else {
          status.textContent = (JSON.parse(text || '{}').detail) || `no log (${res.status})`;
        }
      }).catch(() => { status.textContent = 'no log'; });
    };
  }

  scope.cleanup(() => source?.close());
  open(replicas[0]);
  const view = h('div', {}, h('div', { class: 'row' }, h('label', { hidden: replicas.length < 2 }, 'Replica ', select), status), pre);
  // A retried run starts again after its stream ended: the page follows its new log.
  view.reopen = () => open(select.value);
  return view;
}
