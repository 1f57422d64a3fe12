/**
 * Start-up of the browser build with a large durable history: 200 conversations (the bot and 199 AI
 * contacts) and 100,000 messages in SQLite, versus an empty start (a fresh account, no messages).
 * Measures, per start: opening the database and starting the core (Node side), and the page from
 * navigation to the first painted conversation item and to the painted open conversation.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer } from '../../server/app'
import { startBridge } from '../../src/bridge/host'
import { BOT_CONTACT_ID } from '../../src/core/accounts/mio/provider'
import { SqliteHistory } from '../../src/core/storage/sqlite-history'
import { launchChromium } from '../../test/e2e/browser'
import { mixedMessages } from './fixtures'
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
