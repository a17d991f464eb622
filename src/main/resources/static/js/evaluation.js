// A run's evaluation: the gate's verdict and reason, the confusion matrix and the misclassified test images.
import { getOptional } from './api.js';
import { echart } from './charts.js';
import { fill, h, percent } from './ui.js';

export function evaluationView(run, scope) {
  const verdict = h('div', { 'data-testid': 'evaluation', class: 'verdict' }, 'Loading the evaluation…');
  const confusion = h('div', { 'data-testid': 'confusion', class: 'confusion', role: 'img', hidden: true });
  const strip = h('div', { 'data-testid': 'misclassified', class: 'strip' });
  let chart;

  function none() {
    verdict.textContent = 'No evaluation yet: the evaluate step has not run for this run.';
  }

  async function load() {
    let evaluation;
    try {
      evaluation = await getOptional(`/api/runs/${encodeURIComponent(run)}/evaluation`);
    } catch (e) {
      verdict.textContent = `The evaluation could not be read: ${e.message}`;
      return;
    }
    if (!scope.alive) return;
    if (!evaluation) return none();
    const gate = evaluation.gate || {};
    fill(verdict,
      h('span', { class: 'badge', 'data-s': gate.passed ? 'PASSED' : 'REJECTED' }, gate.passed ? 'PASSED' : 'REJECTED'), ' ',
      h('strong', {}, `accuracy ${percent(evaluation.accuracy)}`),
      gate.threshold != null ? ` (minimum ${percent(gate.threshold)})` : '',
      h('p', {}, gate.reason || ''));
    drawConfusion(evaluation);
    strip.replaceChildren(...(evaluation.misclassified || []).map((m) => h('figure', {},
      h('img', { src: m.image, width: 56, height: 56, alt: `test image ${m.index}: true ${m.label}, predicted ${m.predicted}` }),
      h('figcaption', {}, `true ${m.label} / predicted ${m.predicted}`))));
    if (!strip.childElementCount) strip.textContent = 'No misclassified images.';
  }

  async function drawConfusion(evaluation) {
    confusion.hidden = false;
    const labels = evaluation.labels || evaluation.confusion.map((_, i) => String(i));
    const mistakes = [];
    const hits = [];
    let worst = 1;
    evaluation.confusion.forEach((row, t) => row.forEach((n, p) => {
      (p === t ? hits : mistakes).push([p, t, n]);
      if (p !== t) worst = Math.max(worst, n);
    }));
    confusion.setAttribute('aria-label', `Confusion matrix, rows true label, columns predicted: ${evaluation.confusion.map((r, t) => `${labels[t]}: ${r.join(' ')}`).join('; ')}`);
    chart ??= await echart(confusion);
    scope.cleanup(() => chart.release());
    // Mistakes are shaded up to the largest one so they stand out; the diagonal (right answers) has its own colour.
    chart.setOption({
      animation: false,
      tooltip: { formatter: (c) => `true ${labels[c.value[1]]}, predicted ${labels[c.value[0]]}: ${c.value[2]}` },
      grid: { left: 60, right: 20, top: 20, bottom: 60 },
      xAxis: { type: 'category', data: labels, name: 'predicted', nameLocation: 'middle', nameGap: 28, splitArea: { show: true } },
      yAxis: { type: 'category', data: labels, name: 'true', nameLocation: 'middle', nameGap: 36, inverse: true, splitArea: { show: true } },
      visualMap: { show: false, seriesIndex: 0, min: 0, max: worst, inRange: { color: ['#f7f7f7', '#E69F00', '#D55E00'] } },
      series: [
        { type: 'heatmap', data: mistakes, label: { show: true, fontSize: 10 } },
        { type: 'heatmap', data: hits, itemStyle: { color: '#cfe8dd' }, label: { show: true, fontSize: 10, fontWeight: 'bold' } },
      ],
    });
  }

  return { nodes: [verdict, confusion, strip], load, none };
}
