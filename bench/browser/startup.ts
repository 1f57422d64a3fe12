/**
 * Start-up of the browser build with a large durable history: 200 conversations (the bot and 199 AI
 * contacts) and 100,000 messages in SQLite, versus an empty start (a fresh account, no messages).
 * Measures, per start: opening the database and starting the core (Node side), and the page from
 * navigation to the first painted conversation item and to the painted open conversation.
 *
 * Code splitting (`benchCodeSplitting`), against the same sources built with everything eager (one chunk, see
 * eager-lazy.js), in the same run: the JavaScript the login screen loads before its form is painted (gzip
 * bytes of the requested scripts, from the page's resource timing, cross-checked against the build output),
 * and the time from opening a conversation whose last message is Markdown (with code and math) to that
 * Markdown painted, on a fresh page opened as soon as the conversation list shows.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { startServer } from '../../server/app'
import { REPO_ROOT } from '../../src/bridge/build'
import { DEFAULT_STATIC_DIR, resolveStaticPath, startBridge } from '../../src/bridge/host'
import { BOT_CONTACT_ID } from '../../src/core/accounts/mio/provider'
import { SqliteHistory } from '../../src/core/storage/sqlite-history'
import { launchChromium } from '../../test/e2e/browser'
import { gzipSize, gzipTotal, initialScripts } from '../../test/helpers/bundle'
import { FastHistory, mixedMessages } from './fixtures'
import { round } from './session'

export interface StartupResult {
  conversations: number
  messages: number
  /** Node: open the SQLite file, start the core, list accounts and contacts (what the first page asks for). */
  coreStartMs: number
  /** Page: navigation start → first conversation item painted (median of the runs). */
  firstPaintMs: number
  /** Page: navigation start → the open conversation's messages painted (the first conversation is opened). */
  conversationPaintMs: number
  runs: number[]
}

const RUNS = 5

export async function benchStartup(conversations: number, messages: number): Promise<StartupResult> {
  const server = await startServer({ port: 0, adminCode: 'bench-admin', userCode: 'bench-user', chunkDelayMs: 1 })
  const dir = mkdtempSync(join(tmpdir(), 'miodesk-bench-startup-'))
  const browser = await launchChromium()
  try {
    // 1. Prepare the data directory with a first bridge: the account, the contacts and the history.
    {
      const bridge = await startBridge({ dataDir: dir })
      const acc = await bridge.core.mio.add({ server: `ws://127.0.0.1:${server.port}`, id: 'bench', token: 'bench-user' })
      for (let i = 1; i < conversations; i++) {
        bridge.core.mio.saveLlm(acc.id, { id: `c${i}`, name: `Contact ${i}`, model: 'mio-demo', systemPrompt: '', temperature: 1, top_p: 1, presence_penalty: 0, frequency_penalty: 0 })
      }
      const ids = bridge.core.mio.contactList(acc.id).map((c) => c.id)
      const per = Math.floor(messages / Math.max(1, ids.length))
      const h = bridge.core.history.inner as SqliteHistory
      ids.forEach((cid, k) => {
        const batch = mixedMessages(cid, k === 0 ? messages - per * (ids.length - 1) : per, Date.UTC(2024, 0, 1) + k * 7).map((m) => ({ ...m, id: `${k}-${m.id}` }))
        for (let i = 0; i < batch.length; i += 1000) h.putMany(acc.id, batch.slice(i, i + 1000))
      })
      await bridge.close()
    }

    // 2. Start from that directory several times, timing the core and the page.
    const runs: { core: number; paint: number; conv: number }[] = []
    for (let r = 0; r < RUNS; r++) {
      const t = performance.now()
      const bridge = await startBridge({ dataDir: dir })
      await bridge.core.start()
      const accounts = bridge.core.accounts.list()
      for (const a of accounts) bridge.core.mio.contactList(a.id)
      const coreMs = performance.now() - t
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' })
      await context.addInitScript('globalThis.__name = globalThis.__name || ((f) => f)')
      await context.addInitScript(() => {
        const w = window as unknown as { __paint?: Record<string, number> }
        w.__paint = {}
        const mark = (key: string, sel: string): void => {
          const check = (): boolean => {
            if (w.__paint![key] !== undefined || !document.querySelector(sel)) return false
            w.__paint![key] = -1
            requestAnimationFrame(() => {
              const ch = new MessageChannel()
              ch.port1.onmessage = () => (w.__paint![key] = performance.now())
              ch.port2.postMessage(0)
            })
            return true
          }
          const obs = new MutationObserver(() => {
            if (check()) obs.disconnect()
          })
          document.addEventListener('DOMContentLoaded', () => {
            if (!check()) obs.observe(document.body, { childList: true, subtree: true })
          })
        }
        mark('item', '[data-testid="conversation-item"]')
        mark('message', '[data-testid="message"]')
      })
      const page = await context.newPage()
      await page.goto(bridge.url)
      await page.locator('[data-testid="conversation-item"]').first().waitFor({ timeout: 30_000 })
      await page.locator(`[data-testid="conversation-item"][data-contact-id="${BOT_CONTACT_ID}"]`).click()
      if (messages > 0) await page.locator('[data-testid="message"]').first().waitFor({ timeout: 30_000 })
      await page.waitForFunction(() => {
        const p = (window as unknown as { __paint: Record<string, number> }).__paint
        return p.item !== undefined && p.item > 0
      })
      const p = await page.evaluate(() => (window as unknown as { __paint: Record<string, number> }).__paint)
      runs.push({ core: coreMs, paint: p.item!, conv: p.message ?? NaN })
      await context.close()
      await bridge.close()
    }
    const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    return {
      conversations,
      messages,
      coreStartMs: round(med(runs.map((x) => x.core))),
      firstPaintMs: round(med(runs.map((x) => x.paint))),
      conversationPaintMs: round(med(runs.map((x) => x.conv))),
      runs: runs.map((x) => round(x.paint))
    }
  } finally {
    await browser.close().catch(() => {})
    await server.close().catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------
// Code splitting: the first load's JavaScript, and the first Markdown render, against an eager build.

/** The renderer's goal for the JavaScript the login screen loads (issue 14), gzip bytes. */
export const INITIAL_JS_GOAL_BYTES = 150_000

/**
 * Builds the renderer "everything eager" into a temporary directory: electron-vite's own renderer config
 * (electron.vite.config.ts as electron-vite resolves it), with src/renderer/src/lazy.ts replaced by
 * eager-lazy.js (every lazy component imported statically), i.e. one chunk as before code splitting.
 * The baseline of the same run.
 */
export async function buildEagerRenderer(): Promise<{ dir: string; cleanup: () => void }> {
  const { resolveConfig } = await import('electron-vite')
  const { build } = await import('vite')
  const lazyModule = join(REPO_ROOT, 'src', 'renderer', 'src', 'lazy.ts')
  const eagerModule = fileURLToPath(new URL('./eager-lazy.js', import.meta.url))
  const dir = mkdtempSync(join(tmpdir(), 'miodesk-bench-eager-'))
  process.env.NODE_ENV_ELECTRON_VITE = 'production'
  const resolved = await resolveConfig({ root: REPO_ROOT, mode: 'production', logLevel: 'silent' }, 'build', 'production')
  const renderer = resolved.config?.renderer
  if (!renderer) throw new Error('electron.vite.config.ts has no renderer config')
  const eager = {
    name: 'miodesk-bench-eager',
    enforce: 'pre' as const,
    async resolveId(this: { resolve: (s: string, i?: string, o?: object) => Promise<{ id: string } | null> }, source: string, importer?: string) {
      if (!importer || !/(^|\/)lazy(\.ts)?$/.test(source)) return null
      const r = await this.resolve(source, importer, { skipSelf: true })
      return r?.id === lazyModule ? eagerModule : null
    }
  }
  await build({ ...renderer, logLevel: 'silent', plugins: [eager, ...(renderer.plugins ?? [])], build: { ...renderer.build, outDir: dir, emptyOutDir: true } } as Parameters<typeof build>[0])
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * Injected before the page's scripts: `window.__marks[key]` becomes the time (performance.now) the frame
 * after `selector` first matched was presented; `window.__marks.pointerdown`, the first pointer press.
 */
function markProbe(marks: Record<string, string>): void {
  const w = window as unknown as { __marks: Record<string, number> }
  w.__marks = {}
  document.addEventListener('pointerdown', () => (w.__marks.pointerdown ??= performance.now()), true)
  const pending = new Map(Object.entries(marks))
  const check = (): void => {
    for (const [key, sel] of pending) {
      if (!document.querySelector(sel)) continue
      pending.delete(key)
      w.__marks[key] = -1
      // rAF callbacks run before the frame's style/layout/paint; a task posted from one runs after it.
      requestAnimationFrame(() => {
        const ch = new MessageChannel()
        ;(globalThis as unknown as { __keep: unknown[] }).__keep = [...((globalThis as unknown as { __keep?: unknown[] }).__keep ?? []), ch]
        ch.port1.onmessage = () => (w.__marks[key] = performance.now())
        ch.port2.postMessage(0)
      })
    }
    if (!pending.size) obs.disconnect()
  }
  const obs = new MutationObserver(check)
  document.addEventListener('DOMContentLoaded', () => {
    check()
    if (pending.size) obs.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-md-pending'] })
  })
}

async function waitMark(page: Page, key: string, timeout = 30_000): Promise<number> {
  await page.waitForFunction((k) => ((window as unknown as { __marks: Record<string, number> }).__marks[k] ?? 0) > 0, key, { timeout })
  return page.evaluate((k) => (window as unknown as { __marks: Record<string, number> }).__marks[k]!, key)
}

export interface InitialJsResult {
  /** Gzip bytes (each file compressed on its own, zlib's default level) of the scripts requested before the login form was painted. */
  gzipBytes: number
  /** The same scripts as served (uncompressed). */
  rawBytes: number
  files: string[]
  /** Scripts requested after that (the idle prefetch of the lazy chunks), gzip bytes. */
  laterGzipBytes: number
  laterFiles: string[]
  /** The same count read from the build output (index.html and its static imports), gzip bytes: a cross-check. */
  fromBuildGzipBytes: number
  /** Navigation start → the login form painted, ms (median of the runs). */
  loginPaintMs: number
  runs: number[]
}

interface InitialJsRun {
  loginMs: number
  initial: string[]
  later: string[]
}

/**
 * One fresh start on the login screen (a new data directory, no account, a new browser context): the page's
 * resource timing, read once the login form was painted and the page then left idle for a while. A script
 * counts as initial when its request started before that paint.
 */
async function initialJsRun(staticDir: string, browser: Browser): Promise<InitialJsRun> {
  const dir = mkdtempSync(join(tmpdir(), 'miodesk-bench-initial-'))
  const bridge = await startBridge({ dataDir: dir, staticDir })
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' })
  try {
    await context.addInitScript('globalThis.__name = globalThis.__name || ((f) => f)')
    await context.addInitScript(markProbe, { login: '[data-testid="login-submit"]' })
    const page = await context.newPage()
    await page.goto(bridge.url)
    const loginMs = await waitMark(page, 'login')
    await page.waitForTimeout(2500)
    const entries = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => ({ name: e.name, start: e.startTime })))
    const path = (u: string): string => new URL(u).pathname.replace(/^\/+/, '')
    const scripts = entries.filter((e) => /\.js$/.test(new URL(e.name).pathname))
    return { loginMs, initial: scripts.filter((e) => e.start < loginMs).map((e) => path(e.name)), later: scripts.filter((e) => e.start >= loginMs).map((e) => path(e.name)) }
  } finally {
    await context.close()
    await bridge.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

function initialJsResult(staticDir: string, runs: InitialJsRun[]): InitialJsResult {
  const size = (files: string[], gz: boolean): number =>
    files.reduce((n, f) => {
      const file = resolveStaticPath(staticDir, `/${f}`)
      if (!file) throw new Error(`not a built file: ${f}`)
      const bytes = readFileSync(file)
      return n + (gz ? gzipSize(bytes) : bytes.length)
    }, 0)
  const last = runs[runs.length - 1]!
  const sizes = new Set(runs.map((r) => size(r.initial, true)))
  if (sizes.size > 1) throw new Error(`the login page loaded different scripts from run to run: ${[...sizes].join(', ')} B`)
  return {
    gzipBytes: size(last.initial, true),
    rawBytes: size(last.initial, false),
    files: last.initial,
    laterGzipBytes: size(last.later, true),
    laterFiles: last.later,
    fromBuildGzipBytes: gzipTotal(staticDir, initialScripts(staticDir)),
    loginPaintMs: round(median(runs.map((r) => r.loginMs))),
    runs: runs.map((r) => round(r.loginMs))
  }
}

/** A bot message with what the Markdown chunk brings: emphasis, a highlighted code block, a formula. */
const FIRST_MARKDOWN = 'The **answer**, in TypeScript:\n\n```ts\nconst answer: number = 6 * 7\nconsole.log(answer)\n```\n\nand as a formula: $\\sqrt{1764} = 42$.'

export interface FirstMarkdownResult {
  /** Pointer press on the conversation → its Markdown message painted as Markdown, ms (median). */
  firstRenderMs: number
  runs: number[]
  /** Runs in which the plain text was painted before the Markdown (the chunk was still on its way). */
  plainFirstRuns: number
  /** Pointer press → the conversation's first message painted (any message, Markdown or not), ms (median). */
  firstMessageMs: number
  /** Navigation start → the conversation list painted (when the click comes), ms (median). */
  listPaintMs: number
}

interface FirstMarkdownRun {
  ms: number
  messageMs: number
  plainFirst: boolean
  listMs: number
}

/** A logged-in start whose bot conversation ends with FIRST_MARKDOWN, on one build. */
async function firstMarkdownSetup(staticDir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = await startServer({ port: 0, adminCode: 'bench-admin', userCode: 'bench-user', chunkDelayMs: 1 })
  const history = new FastHistory()
  const bridge = await startBridge({ history, staticDir })
  const acc = await bridge.core.mio.add({ server: `ws://127.0.0.1:${server.port}`, id: 'bench', token: 'bench-user' })
  const t0 = Date.UTC(2024, 0, 1)
  history.fill(acc.id, BOT_CONTACT_ID, [
    ...mixedMessages(BOT_CONTACT_ID, 20, t0),
    { id: 'first-md', contactId: BOT_CONTACT_ID, self: false, time: t0 + 3_600_000, segments: [{ type: 'text', data: { text: FIRST_MARKDOWN } }], status: 'sent' }
  ])
  return {
    url: bridge.url,
    async close() {
      await bridge.close().catch(() => {})
      await server.close().catch(() => {})
    }
  }
}

/**
 * Time to the first Markdown render on first use: a fresh page (its own context, nothing cached) of a
 * logged-in start; the bot conversation, whose last message is Markdown with code and math, is opened as
 * soon as the conversation list is painted, and timed from that press to the rendered Markdown painted.
 */
async function firstMarkdownRun(url: string, browser: Browser): Promise<FirstMarkdownRun> {
  const target = '[data-testid="message"][data-message-id="first-md"]'
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' })
  try {
    await context.addInitScript('globalThis.__name = globalThis.__name || ((f) => f)')
    await context.addInitScript(markProbe, {
      item: '[data-testid="conversation-item"]',
      message: '[data-testid="message"]',
      plain: `${target} .md[data-md-pending]`,
      markdown: `${target} .md:not([data-md-pending]) .katex`
    })
    const page = await context.newPage()
    await page.goto(url)
    const listMs = await waitMark(page, 'item')
    await page.locator(`[data-testid="conversation-item"][data-contact-id="${BOT_CONTACT_ID}"]`).click()
    const done = await waitMark(page, 'markdown')
    await waitMark(page, 'message')
    const marks = await page.evaluate(() => (window as unknown as { __marks: Record<string, number> }).__marks)
    return { ms: done - marks.pointerdown!, messageMs: marks.message! - marks.pointerdown!, plainFirst: (marks.plain ?? 0) > 0 && marks.plain! < done, listMs }
  } finally {
    await context.close()
  }
}

function firstMarkdownResult(runs: FirstMarkdownRun[]): FirstMarkdownResult {
  return {
    firstRenderMs: round(median(runs.map((r) => r.ms))),
    runs: runs.map((r) => round(r.ms)),
    plainFirstRuns: runs.filter((r) => r.plainFirst).length,
    firstMessageMs: round(median(runs.map((r) => r.messageMs))),
    listPaintMs: round(median(runs.map((r) => r.listMs)))
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const SPLIT_RUNS = 9

export interface CodeSplittingResult {
  split: { initial: InitialJsResult; markdown: FirstMarkdownResult }
  eager: { initial: InitialJsResult; markdown: FirstMarkdownResult }
}

/**
 * The code-split build (out/renderer) against the eager build of the same sources, in one run, the two
 * alternating run by run so that a slower moment of the machine weighs on both.
 */
export async function benchCodeSplitting(): Promise<CodeSplittingResult> {
  const eagerBuild = await buildEagerRenderer()
  const builds = { split: DEFAULT_STATIC_DIR, eager: eagerBuild.dir }
  const browser = await launchChromium()
  const setups: Array<{ close: () => Promise<void> }> = []
  try {
    const initial = { split: [] as InitialJsRun[], eager: [] as InitialJsRun[] }
    const markdown = { split: [] as FirstMarkdownRun[], eager: [] as FirstMarkdownRun[] }
    const split = await firstMarkdownSetup(builds.split)
    setups.push(split)
    const eager = await firstMarkdownSetup(builds.eager)
    setups.push(eager)
    const urls = { split: split.url, eager: eager.url }
    for (let r = 0; r < SPLIT_RUNS; r++) {
      for (const k of r % 2 ? (['eager', 'split'] as const) : (['split', 'eager'] as const)) {
        initial[k].push(await initialJsRun(builds[k], browser))
        markdown[k].push(await firstMarkdownRun(urls[k], browser))
      }
    }
    return {
      split: { initial: initialJsResult(builds.split, initial.split), markdown: firstMarkdownResult(markdown.split) },
      eager: { initial: initialJsResult(builds.eager, initial.eager), markdown: firstMarkdownResult(markdown.eager) }
    }
  } finally {
    for (const s of setups) await s.close()
    await browser.close().catch(() => {})
    eagerBuild.cleanup()
  }
}
