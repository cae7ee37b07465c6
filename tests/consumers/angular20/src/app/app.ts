// The app: the shared smoke (tests/consumers/smoke/, copied into ../../smoke/
// by the harness) on edge-sso as an npm user imports it; the answer goes in the page.
import { Component } from '@angular/core';
// edge-sso alone: with edge-sso/oauth beside it (a second inlined module) the
// bundle is 1.15 MB and a new project's default budget (1 MB) fails ng build.
import * as sso from 'edge-sso';
// @ts-ignore: the smoke is plain JavaScript, shared by every consumer
import { smoke } from '../../smoke/smoke.js';

@Component({
  selector: 'app-root',
  template: '<pre id="result">{{ result }}</pre>',
})
export class App {
  protected readonly result = JSON.stringify(smoke(sso));
}
