// Runs in the worker before the package's code: every postMessage the worker
// makes (to a page's port, to its page, to the relay channel) is copied,
// bodies as text, to /app/log, where the test scans it for tokens.
const nativeFetch = globalThis.fetch.bind(globalThis);
const latin1 = new TextDecoder('windows-1252');
const flat = (v, depth = 0) => {
  if (depth > 8) return '[deep]';
  if (v instanceof ArrayBuffer) return latin1.decode(v);
  if (ArrayBuffer.isView(v)) return latin1.decode(v);
  if (Array.isArray(v)) return v.map((x) => flat(x, depth + 1));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, flat(x, depth + 1)]));
  return v;
};
let queue = Promise.resolve();
const record = (where, msg) => {
  const body = JSON.stringify({ where, msg: flat(msg) });
  queue = queue.then(() => nativeFetch('/app/log', { method: 'POST', body }).catch(() => {}));
};
const wrap = (proto, where) => {
  if (proto === undefined) return;
  const original = proto.postMessage;
  proto.postMessage = function postMessage(msg, ...rest) {
    record(where, msg); // before: a transferred buffer is detached afterwards
    return original.call(this, msg, ...rest);
  };
};
wrap(globalThis.MessagePort?.prototype, 'port');
wrap(globalThis.BroadcastChannel?.prototype, 'relay');
if (typeof DedicatedWorkerGlobalScope === 'function') wrap(DedicatedWorkerGlobalScope.prototype, 'page');
