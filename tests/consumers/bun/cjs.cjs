// `require` in Bun.
const sso = require('edge-sso');
const { smoke } = require('./smoke/smoke.cjs');

console.log(JSON.stringify(smoke(sso)));
