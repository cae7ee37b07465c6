// A worker script that loads and runs but is not edge-sso's (a stale or
// wrong file at the worker's URL): it never answers, so the page's side must
// give up by its start deadline instead of waiting for ever.
self.addEventListener('connect', (e) => e.ports[0].start());
self.addEventListener('message', () => {});
