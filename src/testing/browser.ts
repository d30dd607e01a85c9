// Headless Chromium for browser tests, driven by playwright-core (which never downloads a browser: it runs
// the distribution's /usr/bin/chromium, found on PATH by requireBinary, so a missing browser skips loudly
// or fails under REQUIRE_INTEROP=1). Each launch gets a fresh profile and no background traffic.
// Test-only code: like src/node, it may use node: modules.
import { chromium, type BrowserContext } from 'playwright-core';
import { requireBinary, scratchDirectory } from './interop.js';

/** Quiet, offline-friendly flags: no sandbox (containers), no GPU, no update, sync or first-run work. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface Chromium {
  context: BrowserContext;
  /** Closes the browser and removes its profile directory. */
  close(): Promise<void>;
}

/** Launches headless Chromium with a fresh user-data-dir; `test` is vitest's context (for the skip). */
export async function launchChromium(test: { skip: (note?: string) => never }, viewport = { width: 1280, height: 800 }): Promise<Chromium> {
  const executablePath = requireBinary('chromium', test);
  const profile = scratchDirectory('tls13-lab-chromium-');
  const context = await chromium.launchPersistentContext(profile.dir, { executablePath, headless: true, args: CHROMIUM_FLAGS, viewport });
  return {
    context,
    close: async () => {
      await context.close();
      profile.remove();
    },
  };
}
