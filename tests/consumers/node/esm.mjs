// `import` in Node: the `import` condition, pkg/index.js.
import * as sso from 'edge-sso';
import * as oauth from 'edge-sso/oauth';
import { smoke } from './smoke/smoke.js';

console.log(JSON.stringify(smoke(sso, oauth)));
