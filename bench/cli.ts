/**
 * CLI start-up on the real path: wall time from spawning `node bin/miodesk.mjs chat …` to the first
 * streamed token on its stdout, against the reference server (spec dialect, in this process), beside a
 * baseline from the same run: bench/cli-baseline.mjs, a bare `ws` client doing the same login and
 * streamed completion. Also the source paths for comparison: the bin without a build (tsx, as a fresh
 * clone runs it) and `npm run cli`. Runs are interleaved (baseline, bundled bin, tsx bin, npm run cli)
 * after one warm-up round. Goal: the bundled bin's p50 ≤ 250 ms. Reported, never asserted.
 *
 * The CLI is built first (scripts/build-cli.mjs into out/cli/), so the figure is that of this tree.
 * Run alone: `npx tsx bench/cli.ts` (prints JSON).
 */
import { execFileSync, spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { startServer } from '../server/app'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const RUNS = 15
const GOAL_MS = 250
const PROMPT = 'hello'
const MODEL = 'mio-demo'

interface Variant {
  key: 'baseline' | 'bin_bundled' | 'bin_tsx' | 'npm_run_cli'
  label: string
  cmd: string
  args: (server: string, id: string, code: string) => string[]
  env?: Record<string, string>
}

function npm(): { cmd: string; pre: string[] } {
  // Under `npm run bench` npm says where it lives; else the `npm` on PATH.
  const cli = process.env.npm_execpath
  return cli && /npm-cli\.[cm]?js$/.test(cli) ? { cmd: process.execPath, pre: [cli] } : { cmd: 'npm', pre: [] }
}

const chatArgs = (server: string, id: string, code: string): string[] => ['chat', '--server', server, '--id', id, '--token', code, '--model', MODEL, PROMPT]

const VARIANTS: Variant[] = [
  { key: 'baseline', label: 'bare ws client (bench/cli-baseline.mjs)', cmd: process.execPath, args: (s, id, c) => [join(ROOT, 'bench', 'cli-baseline.mjs'), s, id, c, MODEL, PROMPT] },
  { key: 'bin_bundled', label: 'node bin/miodesk.mjs chat (bundled build)', cmd: process.execPath, args: (s, id, c) => [join(ROOT, 'bin', 'miodesk.mjs'), ...chatArgs(s, id, c)] },
  { key: 'bin_tsx', label: 'node bin/miodesk.mjs chat without a build (tsx + source)', cmd: process.execPath, args: (s, id, c) => [join(ROOT, 'bin', 'miodesk.mjs'), ...chatArgs(s, id, c)], env: { MIODESK_CLI_FROM_SOURCE: '1' } },
  { key: 'npm_run_cli', label: 'npm run cli -- chat (tsx)', cmd: npm().cmd, args: (s, id, c) => [...npm().pre, 'run', '--silent', 'cli', '--', ...chatArgs(s, id, c)] }
]

/** Spawn to the first byte on stdout (ms); the run must then end with exit 0. */
function firstToken(v: Variant, server: string, id: string, code: string): Promise<{ ms: number; first: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, MIODESK_SERVER: '', MIODESK_ID: '', MIODESK_TOKEN: '', ...v.env }
    const t0 = performance.now()
    const child = spawn(v.cmd, v.args(server, id, code), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let first: { ms: number; first: string } | undefined
    let stderr = ''
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    child.stdout.on('data', (d: Buffer) => {
      first ??= { ms: performance.now() - t0, first: d.toString() }
    })
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('exit', (exitCode, signal) => {
      clearTimeout(killer)
      if (exitCode !== 0 || !first) reject(new Error(`${v.label}: exit ${exitCode ?? signal}, stdout ${first ? 'started' : 'empty'}: ${stderr.trim()}`))
      else resolve(first)
    })
  })
}

/** Nearest-rank percentile. */
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!
}

const r1 = (x: number): number => Math.round(x * 10) / 10

export async function benchCli(runs = RUNS): Promise<object> {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-cli.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] })
  const ref = await startServer({ port: 0, adminCode: 'bench-admin', userCode: 'bench-user', chunkDelayMs: 0 })
  const server = `ws://127.0.0.1:${ref.port}`
  const ms: Record<Variant['key'], number[]> = { baseline: [], bin_bundled: [], bin_tsx: [], npm_run_cli: [] }
  try {
    for (let round = -1; round < runs; round++) {
      for (const v of VARIANTS) {
        const r = await firstToken(v, server, `bench-${v.key}`, ref.userCode)
        // Every variant must print the reply's text, not a tool line or an error.
        if (!/^\s*Hello/.test(r.first)) throw new Error(`${v.label}: first output was ${JSON.stringify(r.first.slice(0, 80))}`)
        if (round >= 0) ms[v.key].push(r.ms)
      }
    }
  } finally {
    await ref.close()
  }
  const p50 = (k: Variant['key']): number => r1(pct(ms[k], 50))
  const p95 = (k: Variant['key']): number => r1(pct(ms[k], 95))
  return {
    name: 'cli-first-token',
    unit: 'ms',
    what: 'process spawn to the first streamed token on stdout, `chat` against the reference server (spec dialect), p50',
    value: p50('bin_bundled'),
    p95_ms: p95('bin_bundled'),
    baseline: VARIANTS[0]!.label,
    baseline_value: p50('baseline'),
    baseline_p95_ms: p95('baseline'),
    ratio: Math.round((p50('bin_bundled') / p50('baseline')) * 100) / 100,
    goal: `p50 <= ${GOAL_MS} ms (bundled bin)`,
    met: p50('bin_bundled') <= GOAL_MS,
    bin_tsx_p50_ms: p50('bin_tsx'),
    bin_tsx_p95_ms: p95('bin_tsx'),
    npm_run_cli_p50_ms: p50('npm_run_cli'),
    npm_run_cli_p95_ms: p95('npm_run_cli'),
    runs,
    samples: Object.fromEntries(Object.entries(ms).map(([k, xs]) => [k, xs.map(r1)]))
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchCli().then((r) => console.log(JSON.stringify(r, null, 2)))
}
