/**
 * Builds the renderer once when `out/renderer` is missing or older than its sources, and checks that a
 * Chromium is available, before any E2E file runs.
 */
import { existsSync } from 'node:fs'
import { ensureRendererBuilt } from '../../src/bridge/build'
import { chromiumPath } from './browser'

export default function setup(): void {
  const exe = chromiumPath()
  if (!existsSync(exe)) {
    throw new Error(`E2E: no Chromium at ${exe}. Install it with "apt-get install -y chromium" or set MIODESK_CHROMIUM.`)
  }
  if (process.env.MIODESK_E2E_NO_BUILD === '1') return
  const state = ensureRendererBuilt({ quiet: true })
  if (state !== 'fresh') console.log(`E2E: the renderer build was ${state}; rebuilt it (electron-vite build).`)
}
