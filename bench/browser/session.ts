/**
 * One benchmark session: the reference server, a bridge whose core uses a pre-fillable history, a logged-in
 * account, and a Chromium page on the built renderer (the same path as the E2E tests).
 */
import type { Browser, CDPSession, Page } from 'playwright-core'
import { startBridge, type RunningBridge } from '../../src/bridge/host'
import { startServer, type RunningServer } from '../../server/app'
import type { Contact } from '../../src/shared/api'
import { launchChromium } from '../../test/e2e/browser'
import { FastHistory } from './fixtures'

export interface BenchSession {
  server: RunningServer
  bridge: RunningBridge
  history: FastHistory
  accountId: string
  contacts: Contact[]
  browser: Browser
  page: Page
  cdp: CDPSession
  close(): Promise<void>
}

export async function openSession(
  fill?: (s: { history: FastHistory; accountId: string; contacts: Contact[] }) => void,
  initScript?: () => void
): Promise<BenchSession> {
  const server = await startServer({ port: 0, adminCode: 'bench-admin', userCode: 'bench-user', chunkDelayMs: 1 })
  const history = new FastHistory()
  const bridge = await startBridge({ history })
  const acc = await bridge.core.mio.add({ server: `ws://127.0.0.1:${server.port}`, id: 'bench', token: 'bench-user' })
  const contacts = bridge.core.mio.contactList(acc.id)
  fill?.({ history, accountId: acc.id, contacts })
  const browser = await launchChromium(['--enable-precise-memory-info', '--js-flags=--expose-gc'])
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, locale: 'en-US', colorScheme: 'light' })
  // tsx (esbuild keepNames) wraps named functions in `__name(...)`; page functions need it defined too.
  await context.addInitScript('globalThis.__name = globalThis.__name || ((f) => f)')
  if (initScript) await context.addInitScript(initScript)
  const page = await context.newPage()
  const cdp = await context.newCDPSession(page)
  await cdp.send('Performance.enable')
  await page.goto(bridge.url)
  await page.locator('[data-testid="conversation-item"]').first().waitFor({ timeout: 30_000 })
  return {
    server,
    bridge,
    history,
    accountId: acc.id,
    contacts,
    browser,
    page,
    cdp,
    async close() {
      await browser.close().catch(() => {})
      await bridge.close().catch(() => {})
      await server.close().catch(() => {})
    }
  }
}

/** A CDP Performance metric (seconds for *Duration metrics). */
export async function metric(cdp: CDPSession, name: string): Promise<number> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> }
  return metrics.find((m) => m.name === name)?.value ?? NaN
}

/** Several CDP Performance metrics at once. */
export async function metricsOf(cdp: CDPSession, names: readonly string[]): Promise<Record<string, number>> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> }
  return Object.fromEntries(names.map((n) => [n, metrics.find((m) => m.name === n)?.value ?? NaN]))
}

/** Main-thread time split, ms, between two `metricsOf(MAIN_THREAD)` snapshots. */
export const MAIN_THREAD = ['ScriptDuration', 'TaskDuration', 'LayoutDuration', 'RecalcStyleDuration'] as const
export function mainThreadMs(a: Record<string, number>, b: Record<string, number>): { script: number; task: number; layout: number; style: number } {
  const d = (k: string): number => Math.round((b[k]! - a[k]!) * 10000) / 10
  return { script: d('ScriptDuration'), task: d('TaskDuration'), layout: d('LayoutDuration'), style: d('RecalcStyleDuration') }
}

/** Used JS heap after a full GC, in MB. */
export async function heapMB(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage')
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number }
  return Math.round((usedSize / 1048576) * 10) / 10
}

export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!
}

export const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d

/**
 * In the page: for every `stream` event of the bridge, the text received so far (source characters) and when,
 * and the presentation time of the frame after it (a task posted from rAF runs after that frame's paint).
 */
export function streamProbe(): void {
  const w = window as unknown as { __recv: Array<[number, number, number]> }
  w.__recv = []
  let received = 0
  let waiting: Array<[number, number, number]> = []
  let scheduled = false
  const clock = (): number => performance.timeOrigin + performance.now()
  const flush = (): void => {
    const t = clock()
    for (const r of waiting) r[2] = t
    waiting = []
    scheduled = false
  }
  const Native = window.WebSocket
  class Probed extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols)
      this.addEventListener('message', (ev: MessageEvent) => {
        if (typeof ev.data !== 'string' || !ev.data.startsWith('{"event":"stream"')) return
        const at = clock()
        const p = (JSON.parse(ev.data) as { payload: { text?: string; textAppend?: string } }).payload
        received = p.text !== undefined ? p.text.length : received + (p.textAppend?.length ?? 0)
        const rec: [number, number, number] = [at, received, 0]
        w.__recv.push(rec)
        waiting.push(rec)
        if (!scheduled) {
          scheduled = true
          requestAnimationFrame(() => {
            const ch = new MessageChannel()
            ;(globalThis as unknown as { __keepPort: unknown }).__keepPort = ch
            ch.port1.onmessage = flush
            ch.port2.postMessage(0)
          })
        }
      })
    }
  }
  window.WebSocket = Probed as typeof WebSocket
}
