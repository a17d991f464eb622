// Links: each recent run's TensorBoard, and the endpoints of the model server and the object store.
import { get, serverInfo } from './api.js';
import { badge, h, runState, section, table } from './ui.js';

export async function render(view, params, scope) {
  const [info, runs, models] = await Promise.all([serverInfo(), get('/api/runs?limit=10&offset=0'), get('/api/models').catch(() => [])]);
  const views = await Promise.all(runs.map((r) => get(`/api/runs/${encodeURIComponent(r.name)}`).catch(() => null)));
  if (!scope.alive) return;
  const rest = info.modelServer?.rest;
  view.append(h('h1', {}, 'Links'),
    section('Model server', h('dl', {},
      h('dt', {}, 'runtime'), h('dd', {}, info.runtime || 'unknown'),
      h('dt', {}, 'gRPC'), h('dd', {}, h('code', { 'data-testid': 'link-grpc' }, info.modelServer?.grpc || 'unknown')),
      h('dt', {}, 'REST'), h('dd', {}, rest ? h('a', { 'data-testid': 'link-rest', href: rest }, rest) : 'unknown'),
      models.map((m) => [h('dt', {}, `${m.name} status`), h('dd', {}, rest
        ? h('a', { href: `${rest}/v1/models/${encodeURIComponent(m.name)}` }, `${rest}/v1/models/${m.name}`) : '')]),
      h('dt', {}, 'predict (through Caravan)'), h('dd', {}, h('code', {}, `POST ${location.origin}/api/models/{model}:predict`)),
      h('dt', {}, 'S3'), h('dd', {}, info.s3 ? h('code', { 'data-testid': 'link-s3' }, info.s3) : 'unknown'),
      h('dt', {}, 'Caravan home'), h('dd', {}, h('code', {}, info.home || 'unknown')))),
    section('TensorBoard per run', table({ 'data-testid': 'tensorboards' }, ['Run', 'Status', 'TensorBoard'],
      runs.map((r, i) => {
        const tb = views[i]?.tensorboard;
        return h('tr', { 'data-run': r.name },
          h('td', {}, h('a', { href: `#/runs/${encodeURIComponent(r.name)}` }, r.name)),
          h('td', {}, badge(runState(r))),
          h('td', {}, !tb ? 'none' : tb.url ? h('a', { href: tb.url, target: '_blank', rel: 'noopener' }, tb.url)
            : h('code', {}, tb.command)));
      }))));
}
