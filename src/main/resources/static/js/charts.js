// The chart libraries, loaded on demand: uPlot for training curves, ECharts for the step graph and the confusion matrix.
import { loadScript } from './api.js';

export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9'];

export const loadUPlot = () => loadScript('/webjars/uplot/dist/uPlot.iife.min.js').then(() => window.uPlot);
export const loadECharts = () => loadScript('/webjars/echarts/dist/echarts.min.js').then(() => window.echarts);

/**
 * Loss (left axis) and accuracy (right axis) against step for one or more runs, overlaid.
 * Returns {append(runIndex, point)} so live progress extends a run's curve without a redraw from scratch.
 */
export async function curves(container, runs) {
  const uPlot = await loadUPlot();
  const tables = runs.map((r) => [r.points.map((p) => p.step), r.points.map((p) => p.loss), r.points.map((p) => p.accuracy)]);
  const series = [{ label: 'step' }];
  runs.forEach((r, i) => {
    const stroke = PALETTE[i % PALETTE.length];
    const name = runs.length > 1 ? `${r.label} ` : '';
    series.push({ label: `${name}loss`, stroke, width: 2, scale: 'loss', spanGaps: true });
    series.push({ label: `${name}accuracy`, stroke, width: 2, dash: [6, 4], scale: 'acc', spanGaps: true, value: (u, v) => (v == null ? '' : v.toFixed(4)) });
  });
  const opts = {
    width: Math.max(280, container.clientWidth - 4),
    height: 260,
    series,
    scales: { x: { time: false }, acc: { range: [0, 1] } },
    axes: [{ label: 'step' }, { scale: 'loss', label: 'loss (solid)' }, { scale: 'acc', side: 1, label: 'accuracy (dashed)', grid: { show: false } }],
  };
  const join = () => (tables.length === 1 ? tables[0] : uPlot.join(tables));
  const plot = new uPlot(opts, join(), container);
  const points = () => tables.reduce((n, t) => n + t[0].length, 0);
  container.dataset.points = points();
  const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, container.clientWidth - 4), height: 260 }));
  resize.observe(container);
  return {
    append(i, p) {
      const t = tables[i];
      if (t[0].length && p.step <= t[0][t[0].length - 1]) return;
      t[0].push(p.step); t[1].push(p.loss); t[2].push(p.accuracy);
      plot.setData(join());
      container.dataset.points = points();
    },
    destroy() { resize.disconnect(); plot.destroy(); },
  };
}

/** An ECharts instance that follows its container's size and goes away with it. */
export async function echart(container) {
  const echarts = await loadECharts();
  const chart = echarts.init(container, null, { renderer: 'svg' });
  const resize = new ResizeObserver(() => chart.resize());
  resize.observe(container);
  chart.release = () => { resize.disconnect(); chart.dispose(); };
  return chart;
}
