/**
 * `npm run bench`: runs every benchmark and writes each result as JSON into bench/results/
 * (one file per benchmark plus summary.json). Numbers are measured beside a baseline from the same
 * run and reported as a ratio; goals are reported, never asserted. The CLI benchmark builds the CLI
 * (out/cli/) first and spawns it against the reference server.
 *   npm run bench              # core benchmarks (Node)
 *   npm run bench -- --browser # also the renderer benchmarks in headless Chromium
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { benchMio } from './mio'

const here = new URL('.', import.meta.url).pathname
const outDir = join(here, 'results')

type Result = Record<string, unknown> & { name: string }

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2))
  const results: Result[] = []
  const run = async (label: string, fn: () => Promise<unknown>): Promise<void> => {
    process.stderr.write(`bench: ${label}…\n`)
    const r = await fn()
    for (const x of Array.isArray(r) ? r : [r]) results.push(x as Result)
  }
  await run('mio', benchMio)
  await run('yunhu decode', async () => (await import('./yunhu-decode')).benchYunhuDecode())
  await run('storage', async () => (await import('./storage')).benchStorage())
  await run('search', async () => (await import('./search')).benchSearch())
  await run('export', async () => (await import('./export')).benchExport())
  await run('yunhu push loopback', async () => (await import('./yunhu-e2e')).benchYunhuPushLoopback())
  await run('cli first token', async () => (await import('./cli')).benchCli())
  if (args.has('--browser')) await run('browser', async () => (await import('./browser/index')).runBrowserBenches())
  mkdirSync(outDir, { recursive: true })
  const stamp = { machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, at: new Date().toISOString() }
  for (const r of results) writeFileSync(join(outDir, `${r.name}.json`), JSON.stringify({ ...r, ...stamp }, null, 2) + '\n')
  writeFileSync(join(outDir, 'summary.json'), JSON.stringify({ ...stamp, results }, null, 2) + '\n')
  for (const r of results) {
    const shown = Object.entries(r)
      .filter(([k]) => ['value', 'unit', 'baseline_value', 'ratio', 'goal', 'met'].includes(k) || /_(ms|fps|mb|per_s|count)$/.test(k))
      .map(([k, v]) => `${k}=${typeof v === 'number' ? Math.round(v * 100) / 100 : String(v)}`)
      .join(' ')
    console.log(`${r.name}: ${shown}`)
  }
  console.log(`written to ${outDir}`)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
