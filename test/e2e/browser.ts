/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** Launching Debian's Chromium through playwright-core (shared by the E2E suite and the browser benches). */
import { chromium, type Browser } from 'playwright-core'

export function chromiumPath(): string {
  return process.env.MIODESK_CHROMIUM || '/usr/bin/chromium'
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update']

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS, ...extraArgs] })
}
