// `import` in Node: the `import` condition, pkg/index.js.
import * as sso from 'edge-sso';
import { smoke } from './smoke/smoke.js';

console.log(JSON.stringify(smoke(sso)));
