/**
 * Debian's Chromium for the browser tests, driven by playwright-core (never a downloaded browser).
 * Where /usr/bin/chromium is missing the tests skip with `CHROMIUM_MISSING`; CI installs it and
 * fails when it is not there (.ci/run).
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or false. */
export const CHROMIUM_MISSING: string | false = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser checks`;

/** A headless Chromium, quiet (no updates, no sync, no background traffic). */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
}
