// Reads a JSON array of strings on stdin and writes, for each, how the WHATWG
// URL parser (Node's `URL`) reads it: null when it throws, otherwise its
// components. Used by src/url/whatwg_differential.rs.
//
// `search` and `hash` do not tell an empty query or fragment from none, so
// both are read from the serialization: its first `#` starts the fragment
// and, before that, its first `?` the query (the parser percent-encodes
// every other `#` and `?`).
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const inputs = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const out = inputs.map((s) => {
  let u;
  try {
    u = new URL(s);
  } catch {
    return null;
  }
  const href = u.href;
  const hash = href.indexOf('#');
  const beforeHash = hash < 0 ? href : href.slice(0, hash);
  const q = beforeHash.indexOf('?');
  return {
    protocol: u.protocol,
    username: u.username,
    password: u.password,
    hostname: u.hostname,
    port: u.port,
    pathname: u.pathname,
    query: q < 0 ? null : beforeHash.slice(q + 1),
    fragment: hash < 0 ? null : href.slice(hash + 1),
  };
});
process.stdout.write(JSON.stringify(out));
