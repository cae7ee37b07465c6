// Debian's Chromium driven by playwright-core: never a downloaded browser.
// The flags keep it off the network this machine does not have (background
// networking, component updates, sync, QUIC) and let it run as root headless.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

/** Launches /usr/bin/chromium headless; throws a clear error when it is missing. */
export async function launchChromium() {
  if (!existsSync(CHROMIUM)) throw new Error('Debian chromium is required (scripts/setup.sh browser installs it)');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}
