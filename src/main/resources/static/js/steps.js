// A run's seven steps: an ECharts graph (status colour, shape and text per node) and the same as a list.
import { echart } from './charts.js';
import { fill, h, isoSeconds, seconds } from './ui.js';

export const STEPS = ['prepare', 'validateData', 'tensorboard', 'train', 'evaluate', 'promote', 'smokeTest'];

// Okabe-Ito colour and an ECharts shape per status, so a status never rests on colour alone.
const LOOK = {
  COMPLETED: ['#009E73', 'circle', '✓'],
  FAILED: ['#D55E00', 'triangle', '✗'],
  STARTED: ['#0072B2', 'diamond', '◐'],
  STARTING: ['#0072B2', 'diamond', '◐'],
  STOPPED: ['#999999', 'rect', '■'],
  ABANDONED: ['#999999', 'rect', '■'],
  UNKNOWN: ['#999999', 'rect', '?'],
  PENDING: ['#888888', 'emptyCircle', '○'],
};

/** Steps by name from a RunView's list; steps not reached are PENDING. */
export function stepsOf(view) {
  const byName = Object.fromEntries(view.steps.map((s) => [s.name, s]));
  return STEPS.map((name) => ({ name, status: 'PENDING', ...byName[name] }));
}

function duration(step) {
  if (step.durationMs != null) return seconds(step.durationMs / 1000);
  if (step.duration) return seconds(isoSeconds(step.duration));
  if (step.startedAt && step.status.startsWith('START')) return `${seconds((Date.now() - Date.parse(step.startedAt)) / 1000)}…`;
  return '';
}

const rank = (s) => (s.status === 'PENDING' ? 0 : s.status.startsWith('START') ? 1 : 2);

export function stepView(scope) {
  const graph = h('div', { 'data-testid': 'step-graph', class: 'step-graph', role: 'img', 'aria-label': 'Step graph; the list below says the same' });
  const list = h('ul', { 'data-testid': 'steps', class: 'steps' });
  let chart;
  let steps = [];

  // Items are updated in place, not replaced, so a reader (or a test) holding one keeps it.
  function drawList() {
    for (const s of steps) {
      let li = list.querySelector(`li[data-step="${s.name}"]`);
      if (!li) list.append(li = h('li', { 'data-step': s.name }));
      li.dataset.status = s.status;
      fill(li, h('span', { class: 'badge', 'data-s': s.status }, s.status), ' ',
        h('strong', {}, s.name), ' ', h('span', { class: 'muted' }, duration(s)),
        s.message ? h('div', { class: 'message' }, s.message) : null);
    }
  }

  function drawGraph() {
    if (!chart) return;
    const narrow = graph.clientWidth < 640;
    // Nodes sit on hidden axes (one slot per step), left to right, or top to bottom on a phone.
    const slot = { type: 'value', show: false, min: -0.5, max: STEPS.length - 0.5 };
    const across = narrow ? { type: 'value', show: false, min: -0.2, max: 1 } : { type: 'value', show: false, min: -1, max: 1 };
    chart.setOption({
      animation: false,
      grid: narrow ? { left: 16, right: 16, top: 16, bottom: 16 } : { left: 10, right: 10, top: 12, bottom: 78 },
      xAxis: narrow ? across : slot,
      yAxis: narrow ? { ...slot, inverse: true } : across,
      tooltip: { formatter: (p) => (p.dataType === 'node' ? tip(steps[p.dataIndex]) : '') },
      series: [{
        type: 'graph', coordinateSystem: 'cartesian2d', edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 8,
        lineStyle: { color: '#666', width: 1.5 },
        label: { show: true, position: narrow ? 'right' : 'bottom', color: '#222', fontSize: 12, lineHeight: 15, formatter: (p) => label(steps[p.dataIndex], narrow) },
        data: steps.map((s, i) => {
          const [color, symbol] = LOOK[s.status] || LOOK.UNKNOWN;
          return {
            name: s.name, value: narrow ? [0, i] : [i, 0], symbol, symbolSize: 24,
            itemStyle: { color, borderColor: s.status === 'PENDING' ? '#666' : color, borderWidth: 2 },
          };
        }),
        links: STEPS.slice(1).map((name, i) => ({ source: STEPS[i], target: name })),
      }],
    }, { replaceMerge: ['series'] });
  }

  const tip = (s) => `${s.name}: ${s.status} ${duration(s)}<br>${(s.message || '').replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'))}`;
  // On a phone one line per node; the list below has the messages.
  const label = (s, narrow) => {
    const status = `${(LOOK[s.status] || LOOK.UNKNOWN)[2]} ${s.status}`;
    if (narrow) return `${s.name}  ${status}  ${duration(s)}`;
    const message = s.message && s.message.length > 24 ? `${s.message.slice(0, 23)}…` : s.message || '';
    return `${s.name}\n${status}\n${duration(s)}\n${message}`;
  };

  echart(graph).then((c) => {
    if (!scope.alive) return c.release();
    chart = c;
    scope.cleanup(() => chart.release());
    drawGraph();
    new ResizeObserver(() => drawGraph()).observe(graph);
  }).catch(() => graph.append('The step graph needs ECharts, which did not load; the list below has the steps.'));

  const tick = setInterval(() => { if (steps.some((s) => s.status.startsWith('START'))) { drawList(); drawGraph(); } }, 1000);
  scope.cleanup(() => clearInterval(tick));

  return {
    graph,
    list,
    /** Shows the server's steps, keeping a step an event already moved further (the server may lag by a moment). */
    set(next) {
      steps = next.map((s, i) => (steps[i] && rank(steps[i]) > rank(s) ? steps[i] : s));
      drawList();
      drawGraph();
    },
    /** Applies a StepStarted or StepFinished event. */
    apply(event) {
      const step = steps.find((s) => s.name === event.step);
      if (!step) return;
      if (event.type === 'StepStarted') {
        Object.assign(step, { status: 'STARTED', startedAt: new Date().toISOString(), endedAt: null, duration: null, durationMs: null, message: null });
      } else {
        Object.assign(step, { status: event.status || 'COMPLETED', durationMs: event.durationMs, message: event.message });
      }
      drawList();
      drawGraph();
    },
  };
}
