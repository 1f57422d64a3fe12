/**
 * Chunk-to-paint on the real path, as a user feels it: a stub Mio-Chat server in another process streams a
 * ~20 KB Markdown answer in 2,000 chunks (one per 5 ms) over a real WebSocket to the real core (its Mio-Chat
 * client, reply assembler, the main-side stream coalescer, SQLite history), through the real bridge to the
 * built renderer in Chromium; the prompt is typed and sent in the page.
 *
 * Latency of a chunk = the frame presented after the renderer received it − the server's send time. The
 * clocks (stub process, this process, the page) are calibrated by the minimum round trip. Main-thread work
 * comes from a Chromium trace (JavaScript including microtasks — where Vue's scheduler, markdown-it and
 * DOMPurify run — plus layout, style and paint, and the layouts forced from script), not `ScriptDuration`.
 *
 * Baseline, same page and run: the renderer's Markdown pipeline used naively (the whole text re-rendered on
 * every chunk), paced the same way, with its wall time so that saturation shows.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { startBridge, type RunningBridge } from '../../src/bridge/host'
import { launchChromium } from '../../test/e2e/browser'
import { chunksOf, longMarkdown } from './fixtures'
import { percentile, round, streamProbe } from './session'
import { prepareNaive, runNaive } from './stream'

const CHUNKS = 2000
const BYTES = 20_000
const PACE_MS = 5

const now = (): number => performance.timeOrigin + performance.now()

export interface MainThread {
  /** JavaScript, ms: the union of V8 execution on the main thread (tasks and microtasks), with the style and layout it forced. */
  js: number
  /** `js` less the style recalculations and layouts run inside it (forced by a script): script alone, ms. */
  script: number
  layout: number
  style: number
  paint: number
  /** Layouts run from inside JavaScript (a script read a size after a change). */
  forcedLayouts: number
  frames: number
}

export interface RealStreamResult {
  bytes: number
  chunks: number
  paceMs: number
  p50: number
  p95: number
  p99: number
  /** Chunks painted (of `chunks`). */
  painted: number
  /** Server send → the renderer received it; received → painted (ms). */
  toPage: { p50: number; p95: number; p99: number }
  inPage: { p50: number; p95: number; p99: number }
  /** `stream` events the renderer received (the coalescer's output). */
  events: number
  wallMs: number
  main: MainThread
  naive: { p50: number; p95: number; p99: number; wallMs: number; main: MainThread }
  /** The measured clock offsets (ms) and the round trips they were taken at. */
  clocks: { pageOffset: number; pageRtt: number; stubOffset: number; stubRtt: number }
}

// ------------------------------------------------------------------ the stub process

interface Stub {
  port: number
  /** The stub's first message (its port and whatever else it reports, e.g. a login). */
  hello: Record<string, unknown>
  child: ChildProcess
  ask<T>(msg: object, pick: (m: Record<string, unknown>) => T | undefined): Promise<T>
}

async function startStub(o: { script: string; execArgv: string[] }): Promise<Stub> {
  const child = fork(fileURLToPath(new URL(`../stub/${o.script}`, import.meta.url)), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: o.execArgv })
  const ask = <T>(msg: object, pick: (m: Record<string, unknown>) => T | undefined): Promise<T> =>
    new Promise((resolve) => {
      const on = (m: Record<string, unknown>): void => {
        const v = pick(m)
        if (v === undefined) return
        child.off('message', on)
        resolve(v)
      }
      child.on('message', on)
      if (Object.keys(msg).length) child.send(msg)
    })
  const hello = await ask({}, (m) => (typeof m.port === 'number' ? m : undefined))
  return { port: hello.port as number, hello, child, ask }
}

/** Offset of another clock from ours (theirs − ours), taken at the smallest of `n` round trips. */
async function calibrate(n: number, read: () => Promise<number>): Promise<{ offset: number; rtt: number }> {
  let best = { offset: 0, rtt: Infinity }
  for (let i = 0; i < n; i++) {
    const t0 = now()
    const theirs = await read()
    const t1 = now()
    if (t1 - t0 < best.rtt) best = { offset: theirs - (t0 + t1) / 2, rtt: t1 - t0 }
  }
  return { offset: best.offset, rtt: round(best.rtt, 3) }
}

// ------------------------------------------------------------------ the trace

interface TraceEvent {
  name: string
  ph: string
  ts: number
  dur?: number
  pid: number
  tid: number
  args?: { name?: string }
}

const JS_EVENTS = new Set(['FunctionCall', 'EvaluateScript', 'RunMicrotasks', 'V8.Execute', 'v8.callFunction', 'v8.run', 'EventDispatch', 'TimerFire', 'FireAnimationFrame'])
const LAYOUT_EVENTS = new Set(['Layout'])
const STYLE_EVENTS = new Set(['UpdateLayoutTree', 'RecalculateStyles'])
const PAINT_EVENTS = new Set(['Paint', 'PaintImage', 'RasterTask', 'Layerize', 'PrePaint', 'UpdateLayer', 'Commit'])

function unionMs(spans: Array<[number, number]>): number {
  spans.sort((a, b) => a[0] - b[0])
  let total = 0
  let end = -Infinity
  let start = -Infinity
  for (const [s, e] of spans) {
    if (s > end) {
      if (end > start) total += end - start
      start = s
      end = e
    } else if (e > end) end = e
  }
  if (end > start) total += end - start
  return total / 1000
}

/** Main-thread work of the page's renderer over a trace. */
function mainThreadOf(events: TraceEvent[]): MainThread {
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
  const on = events.filter((e) => main && e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && typeof e.dur === 'number')
  const spans = (names: Set<string>): Array<[number, number]> => on.filter((e) => names.has(e.name)).map((e) => [e.ts, e.ts + e.dur!])
  const js = spans(JS_EVENTS)
  const layouts = spans(LAYOUT_EVENTS)
  js.sort((a, b) => a[0] - b[0])
  const inJs = (s: number, e: number): boolean => {
    // Inside a JavaScript span = forced by a script (a frame's own layout runs outside script).
    let lo = 0
    let hi = js.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (js[mid]![0] <= s) {
        if (js[mid]![1] >= e) return true
        lo = mid + 1
      } else hi = mid - 1
    }
    for (let i = Math.max(0, hi - 8); i <= hi; i++) if (js[i]![0] <= s && js[i]![1] >= e) return true
    return false
  }
  let forced = 0
  for (const [s, e] of layouts) if (inJs(s, e)) forced++
  const forcedWork = [...layouts, ...spans(STYLE_EVENTS)].filter(([s, e]) => inJs(s, e))
  const jsMs = unionMs(js)
  return {
    js: round(jsMs),
    script: round(jsMs - unionMs(forcedWork)),
    layout: round(unionMs(layouts)),
    style: round(unionMs(spans(STYLE_EVENTS))),
    paint: round(unionMs(spans(PAINT_EVENTS))),
    forcedLayouts: forced,
    frames: on.filter((e) => e.name === 'FireAnimationFrame').length
  }
}

const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'v8', 'blink', 'toplevel'].join(',')

async function traced<T>(browser: Browser, page: Page, run: () => Promise<T>): Promise<{ value: T; main: MainThread }> {
  await browser.startTracing(page, { categories: CATEGORIES.split(',') })
  let value: T
  try {
    value = await run()
  } catch (e) {
    // stopTracing must run even when the run failed, or the next startTracing refuses.
    await browser.stopTracing().catch(() => {})
    throw e
  }
  const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] }
  return { value, main: mainThreadOf(trace.traceEvents) }
}

// ------------------------------------------------------------------ the run

const stats = (xs: number[]): { p50: number; p95: number; p99: number } => ({ p50: round(percentile(xs, 50)), p95: round(percentile(xs, 95)), p99: round(percentile(xs, 99)) })

/** What differs between platforms: the stub process, the account, the conversation and when the stream is over. */
export interface RealStreamScenario {
  /** The stub server's script (a file next to this one's `../stub/`) and the node flags it runs with. */
  stub: { script: string; execArgv: string[] }
  /** Adds the account to the bridge's core (the stub's hello message at hand); resolves with the conversation to open. */
  account(bridge: RunningBridge, hello: Record<string, unknown>, port: number): Promise<string>
  /** Resolves when the reply is complete in the page. */
  done(page: Page, text: string): Promise<void>
}

/**
 * The real path for one platform: a stub in another process, the account logged in through the bridge's core,
 * the prompt typed and sent in the built renderer, every chunk from the stub's send to the painted frame.
 */
export async function runRealStream(scenario: RealStreamScenario): Promise<RealStreamResult> {
  const text = longMarkdown(BYTES)
  const chunks = chunksOf(text, CHUNKS)
  const stub = await startStub(scenario.stub)
  const dataDir = mkdtempSync(join(tmpdir(), 'miodesk-bench-real-'))
  const bridge = await startBridge({ dataDir })
  let browser: Browser | undefined
  try {
    stub.child.send({ cmd: 'config', chunks, paceMs: PACE_MS })
    const contactId = await scenario.account(bridge, stub.hello, stub.port)

    browser = await launchChromium()
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, locale: 'en-US', colorScheme: 'light' })
    await context.addInitScript('globalThis.__name = globalThis.__name || ((f) => f)')
    await context.addInitScript(streamProbe)
    const page = await context.newPage()
    await page.goto(bridge.url)
    await page.locator(`[data-testid="conversation-item"][data-contact-id="${contactId}"]`).click()
    await page.locator('[data-testid="composer"]').waitFor()

    let id = 0
    const stubClock = await calibrate(30, () => stub.ask({ cmd: 'clock', id: ++id }, (m) => (m.clock === id ? (m.now as number) : undefined)))
    const pageClock = await calibrate(30, () => page.evaluate(() => performance.timeOrigin + performance.now()))

    // ---- the real path: typed, sent, streamed back
    const t0 = Date.now()
    // BENCH_PROFILE=file.cpuprofile: also a CPU profile of the page over the real path (where the JavaScript goes).
    const cdp = process.env.BENCH_PROFILE ? await context.newCDPSession(page) : undefined
    if (cdp) {
      await cdp.send('Profiler.enable')
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 })
      await cdp.send('Profiler.start')
    }
    const { main } = await traced(browser, page, async () => {
      await page.locator('[data-testid="composer"]').fill('write the long answer')
      await page.locator('[data-testid="send"]').click()
      await scenario.done(page, text)
      await page.waitForTimeout(300)
    })
    const wallMs = Date.now() - t0
    if (cdp) {
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: unknown }
      writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(profile))
    }
    const times = await stub.ask({ cmd: 'times' }, (m) => (Array.isArray(m.times) ? (m.times as Array<[number, number]>) : undefined))
    const recv = await page.evaluate(() => (window as unknown as { __recv: Array<[number, number, number]> }).__recv)
    // Each chunk: the first frame presented after the renderer had received its last character.
    const lat: number[] = []
    // The two halves: server send → the renderer has it (socket, client, assembler, coalescer, bridge), and
    // the renderer has it → painted.
    const toPage: number[] = []
    const inPage: number[] = []
    let j = 0
    for (const [end, sentAt] of times) {
      while (j < recv.length && recv[j]![1] < end) j++
      const r = recv[j]
      if (!r || !r[2]) continue
      const sent = sentAt - stubClock.offset
      lat.push(r[2] - pageClock.offset - sent)
      toPage.push(r[0] - pageClock.offset - sent)
      inPage.push(r[2] - r[0])
    }

    // ---- baseline: the naive pipeline, the same chunks at the same pace, in the same page
    // (BENCH_NO_BASELINE=1 leaves it out while profiling: its ratios are then NaN.)
    const t2 = Date.now()
    const naive = process.env.BENCH_NO_BASELINE
      ? { value: [] as number[], main: { js: NaN, script: NaN, layout: NaN, style: NaN, paint: NaN, forcedLayouts: NaN, frames: NaN } }
      : await prepareNaive(page).then(() => traced(browser!, page, () => runNaive(page, chunks, PACE_MS)))
    const naiveWallMs = Date.now() - t2

    return {
      bytes: text.length,
      chunks: chunks.length,
      paceMs: PACE_MS,
      ...stats(lat),
      painted: lat.length,
      toPage: stats(toPage),
      inPage: stats(inPage),
      events: recv.length,
      wallMs,
      main,
      naive: { ...stats(naive.value), wallMs: naiveWallMs, main: naive.main },
      clocks: { pageOffset: round(pageClock.offset, 3), pageRtt: pageClock.rtt, stubOffset: round(stubClock.offset, 3), stubRtt: stubClock.rtt }
    }
  } finally {
    await browser?.close().catch(() => {})
    await bridge.close().catch(() => {})
    stub.child.kill()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** Mio-Chat: the seed's raw-WebSocket gateway streams the answer to an AI contact's completion. */
export const MIO_SCENARIO: RealStreamScenario = {
  stub: { script: 'mio-stream-server.mjs', execArgv: [] },
  async account(bridge, _hello, port) {
    const acc = await bridge.core.mio.add({ server: `127.0.0.1:${port}`, id: 'bench', token: 'bench' })
    const llm = bridge.core.mio.saveLlm(acc.id, { id: '', name: 'Bench', model: 'bench-model', systemPrompt: '', temperature: 1, top_p: 1, presence_penalty: 0, frequency_penalty: 0 })
    return bridge.core.mio.contactList(acc.id).find((c) => c.llm?.id === llm.id)!.id
  },
  async done(page) {
    await page.locator('[data-testid="message"][data-ai-status] [data-testid="reply-status"][data-status="completed"]').waitFor({ state: 'attached', timeout: 120_000 })
  }
}

export const benchRealStream = (): Promise<RealStreamResult> => runRealStream(MIO_SCENARIO)

// `tsx bench/browser/real-stream.ts` (after `npm run build`): this benchmark alone.
if (import.meta.url === `file://${process.argv[1]}`) void benchRealStream().then((r) => console.log(JSON.stringify(r, null, 2)), (e: unknown) => (console.error(e), process.exit(1)))
