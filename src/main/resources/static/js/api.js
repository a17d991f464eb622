// Talking to Caravan: reads, token-guarded actions, the problem line, and the one shared event stream.

const TOKEN_KEY = 'caravan.apiToken';
const TOKEN_HINT = 'The token is in $CARAVAN_HOME/api-token (.caravan/api-token by default), printed by ./caravan at start, or CARAVAN_API_TOKEN.';

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

export function showProblem(text) {
  const el = document.querySelector('[data-testid=problem]');
  el.textContent = text || '';
  el.hidden = !text;
}

async function read(res) {
  if (!res.ok) {
    const problem = await res.json().catch(() => ({}));
    throw new ApiError(res.status, problem.detail || problem.title || `${res.status} ${res.statusText}`);
  }
  const type = res.headers.get('content-type') || '';
  if (type.includes('json')) return res.json();
  const text = await res.text();
  return text === '' ? true : text;
}

export async function get(path) {
  return read(await fetch(path, { headers: { Accept: 'application/json' } }));
}

/** A page of a list with the total the server counted (NaN when it does not say). */
export async function getPage(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' } });
  const items = await read(res);
  return { items, total: Number(res.headers.get('X-Total-Count') ?? NaN) };
}

/** Null when the server has none (404), as "no evaluation yet". */
export async function getOptional(path) {
  try {
    return await get(path);
  } catch (e) {
    if (e.status === 404) return null;
    throw e;
  }
}

/**
 * A change (non-GET) with the stored token, asking for one first when there is none or it was refused.
 * Resolves to the answer, or null after showing why it failed.
 */
export async function act(method, path, body) {
  let token = sessionStorage.getItem(TOKEN_KEY) || await askToken();
  while (token) {
    const res = await fetch(path, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status !== 401) {
      try {
        const answer = await read(res);
        showProblem('');
        return answer;
      } catch (e) {
        showProblem(e.message);
        return null;
      }
    }
    sessionStorage.removeItem(TOKEN_KEY);
    const problem = await res.json().catch(() => ({}));
    const detail = problem.detail || 'The token was refused (401).';
    // Caravan's own 401 says where its token is; add our hint only when it does not.
    const why = /token is/.test(detail) ? detail : `${detail} ${TOKEN_HINT}`;
    showProblem(why);
    token = await askToken(why);
  }
  showProblem(`Not done: ${method} ${path} needs the API token. ${TOKEN_HINT}`);
  return null;
}

/**
 * A prediction changes nothing, so Caravan answers one from this machine without a token, as TF Serving's REST port
 * does; from elsewhere it asks for the token as an action does. Resolves to {answer, version} (the version that
 * answered, from X-Model-Version, when the model server names it), or null after showing why it failed.
 */
export async function predict(path, body) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const res = await fetch(path, {
    method: 'POST',
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status === 401) {
    const answer = await act('POST', path, body);
    return answer && { answer, version: null };
  }
  try {
    const answer = await read(res);
    showProblem('');
    return { answer, version: res.headers.get('X-Model-Version') };
  } catch (e) {
    showProblem(e.message);
    return null;
  }
}

function askToken(why) {
  const dialog = document.querySelector('[data-testid=token-dialog]');
  const input = dialog.querySelector('[data-testid=token-input]');
  dialog.querySelector('.why').textContent = why || 'Changes need Caravan\'s API token.';
  input.value = '';
  dialog.returnValue = '';
  dialog.showModal();
  input.focus();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      const token = dialog.returnValue === 'save' ? input.value.trim() : '';
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      resolve(token);
    }, { once: true });
  });
}

const listeners = new Set();
let source;

/** Listens to /api/events (run and model events, parsed); returns the function that stops listening. */
export function onEvent(listener) {
  if (!source) connect();
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// A page the browser leaves lets go of its stream at once: an abandoned one would hold one of the six connections a
// browser keeps to a host until the server noticed, and stall the next pages' loads. A page shown again reconnects.
addEventListener('pagehide', () => {
  source?.close();
  source = null;
});
addEventListener('pageshow', (e) => {
  if (e.persisted && listeners.size && !source) connect();
});

function connect() {
  source = new EventSource('/api/events');
  const live = document.getElementById('live');
  const open = () => { live.textContent = '● live'; live.dataset.state = 'open'; };
  source.onopen = open;
  source.onerror = () => { live.textContent = '○ reconnecting'; live.dataset.state = 'closed'; };
  for (const kind of ['run', 'model']) {
    source.addEventListener(kind, (message) => {
      open();
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      event.kind = kind;
      for (const listener of listeners) listener(event);
    });
  }
}

const scripts = new Map();

/** Loads a classic script once (the chart libraries set globals), so heavy ones come only with the pages that need them. */
export function loadScript(src) {
  if (!scripts.has(src)) {
    scripts.set(src, new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      script.onload = resolve;
      script.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.append(script);
    }));
  }
  return scripts.get(src);
}

let info;

/** /api/info once: runtime, model server and S3 endpoints (null fields when the server does not say). */
export function serverInfo() {
  info ??= getOptional('/api/info').catch(() => null).then((i) => i || {});
  return info;
}
