/**
 * Helpers to make sure the built renderer (`out/renderer`) exists and is newer than its sources, used by
 * `npm run dev:web`, the E2E global setup and the browser benchmarks.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULT_STATIC_DIR } from './host'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** Sources whose change makes the renderer build stale. */
const SOURCES = ['src/renderer', 'src/shared', 'electron.vite.config.ts', 'package.json']

function newestMtime(path: string): number {
  let st
  try {
    st = statSync(path)
  } catch {
    return 0
  }
  if (!st.isDirectory()) return st.mtimeMs
  let max = st.mtimeMs
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name.startsWith('.')) continue
    max = Math.max(max, newestMtime(join(path, name)))
  }
  return max
}

export type BuildState = 'missing' | 'stale' | 'fresh'

export function rendererBuildState(staticDir = DEFAULT_STATIC_DIR): BuildState {
  const index = join(staticDir, 'index.html')
  if (!existsSync(index)) return 'missing'
  const built = statSync(index).mtimeMs
  const newest = Math.max(...SOURCES.map((s) => newestMtime(join(REPO_ROOT, s))))
  return newest > built ? 'stale' : 'fresh'
}

/** Runs `electron-vite build` (main, preload and renderer) in the repository; throws when it fails. */
export function buildRenderer(opts: { quiet?: boolean } = {}): void {
  const bin = join(REPO_ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js')
  const r = spawnSync(process.execPath, [bin, 'build'], { cwd: REPO_ROOT, stdio: opts.quiet ? 'pipe' : 'inherit', encoding: 'utf8' })
  if (r.status !== 0) {
    const out = opts.quiet ? `\n${String(r.stdout ?? '').slice(-4000)}\n${String(r.stderr ?? '').slice(-4000)}` : ''
    throw new Error(`electron-vite build failed (exit ${r.status ?? r.signal})${out}`)
  }
}

/** Builds when the renderer build is missing, or stale (unless `onlyIfMissing`). Returns what it found. */
export function ensureRendererBuilt(opts: { onlyIfMissing?: boolean; force?: boolean; quiet?: boolean; staticDir?: string } = {}): BuildState {
  const state = rendererBuildState(opts.staticDir)
  if (opts.force || state === 'missing' || (state === 'stale' && !opts.onlyIfMissing)) buildRenderer(opts)
  return state
}
