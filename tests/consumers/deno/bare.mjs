// Deno, the bare specifier resolved from node_modules (package.json present).
import * as sso from 'edge-sso';
import { smoke } from './smoke/smoke.js';

console.log(JSON.stringify(smoke(sso)));
