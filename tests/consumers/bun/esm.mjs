// `import` in Bun.
import * as sso from 'edge-sso';
import { smoke } from './smoke/smoke.js';

console.log(JSON.stringify(smoke(sso)));
