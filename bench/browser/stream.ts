/**
 * A ~20 KB Markdown answer streamed in 2,000 chunks into a conversation of the real renderer — either an AI
 * reply (`target: 'reply'`, the Mio-Chat path: deltas grow `message.ai`) or a bot message whose Markdown
 * part grows (`target: 'message'`, the Yunhu path: a streamed bot message is not a model reply) — (the
 * chunks are pushed as `stream` events through the bridge, one WebSocket frame per chunk, so the renderer's
 * own per-frame coalescing is what is measured). Reported: main-thread scripting time (CDP `ScriptDuration`)
 * and chunk-arrival-to-paint p95; baseline, in the same page and run: the renderer's Markdown pipeline used
 * naively (whole text re-rendered into the DOM on every chunk, at the same pace).
 */
import { fileURLToPath } from 'node:url'
import { build } from 'vite'
import type { Page } from 'playwright-core'
import type { ChatMessage } from '../../src/shared/mio'
import { chunksOf, longMarkdown } from './fixtures'
import { MAIN_THREAD, mainThreadMs, metricsOf, openSession, percentile, round } from './session'

const CHUNKS = 2000
const BYTES = 20_000
/** Pause between chunks, ms (2,000 chunks ≈ 5 s, i.e. several chunks per frame). */
const PACE_MS = 2

export interface StreamResult {
  bytes: number
  chunks: number
  streamedScriptMs: number
  naiveScriptMs: number
  ratio: number
  streamedPaintP95Ms: number
  streamedPaintP50Ms: number
  naivePaintP95Ms: number
  streamMs: number
  naiveMs: number
  renderedChars: number
  /** Main-thread split (script, whole tasks, layout, style recalc), ms. */
  streamedMainThread: { script: number; task: number; layout: number; style: number }
  naiveMainThread: { script: number; task: number; layout: number; style: number }
}

/** Records, for every stream frame the page receives, when it arrived and when the next frame was presented. */
function arrivalProbe(): void {
  const w = window as unknown as { __arrivals: Array<[number, number]> }
  w.__arrivals = []
  let waiting: Array<[number, number]> = []
  let scheduled = false
  const flush = (): void => {
    const now = performance.now()
    for (const r of waiting) r[1] = now
    waiting = []
    scheduled = false
  }
  const Native = window.WebSocket
  class Probed extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols)
      // Registered before the client's onmessage, so the arrival time is taken first.
      this.addEventListener('message', (ev: MessageEvent) => {
        if (typeof ev.data !== 'string' || !ev.data.startsWith('{"event":"stream"')) return
        const rec: [number, number] = [performance.now(), 0]
        w.__arrivals.push(rec)
        waiting.push(rec)
        if (!scheduled) {
          scheduled = true
          // rAF callbacks run before the frame's style/layout/paint; a task posted from one runs after it.
          requestAnimationFrame(() => {
            const ch = new MessageChannel()
            ;(globalThis as unknown as { __keepPort: unknown }).__keepPort = ch // an unreferenced channel can be collected before it delivers
            ch.port1.onmessage = flush
            ch.port2.postMessage(0)
          })
        }
      })
    }
  }
  window.WebSocket = Probed as typeof WebSocket
}

let bundle: string | undefined
async function naiveBundle(): Promise<string> {
  if (bundle) return bundle
  const out = await build({
    configFile: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
    build: {
      write: false,
      minify: true,
      lib: { entry: fileURLToPath(new URL('./naive-entry.js', import.meta.url)), formats: ['iife'], name: 'naiveMarkdownBundle' },
      rollupOptions: { output: { inlineDynamicImports: true } }
    }
  })
  const outputs = (Array.isArray(out) ? out : [out]) as Array<{ output: Array<{ type: string; code?: string }> }>
  const code = outputs.flatMap((o) => o.output).find((c) => c.type === 'chunk')?.code
  if (!code) throw new Error('could not bundle the naive Markdown renderer')
  return (bundle = code)
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function paintLatencies(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { __arrivals: Array<[number, number]> }).__arrivals.filter((r) => r[1] > 0).map((r) => r[1] - r[0]))
}

export async function benchStream(target: 'reply' | 'message' = 'reply'): Promise<StreamResult> {
  const text = longMarkdown(BYTES)
  const chunks = chunksOf(text, CHUNKS)
  const s = await openSession(undefined, arrivalProbe)
  try {
    const { page, cdp, bridge, accountId } = s
    const contact = s.contacts.find((c) => (target === 'reply' ? c.kind === 'llm' : c.kind === 'bot'))
    if (!contact) throw new Error(`no ${target === 'reply' ? 'AI' : 'bot'} contact`)
    await page.locator(`[data-testid="conversation-item"][data-contact-id="${contact.id}"]`).click()
    await page.locator('[data-testid="composer"]').waitFor()

    const messageId = 'r-bench-stream'
    const reply: ChatMessage =
      target === 'reply'
        ? { id: messageId, contactId: contact.id, self: false, time: Date.now(), segments: [], status: 'sent', ai: { requestId: 'bench', status: 'streaming', text: '', reasoning: '', toolCalls: [] } }
        : { id: messageId, contactId: contact.id, self: false, time: Date.now(), segments: [{ type: 'markdown', data: { text: '' } }], status: 'sent' }
    bridge.core.history.put(accountId, reply)
    bridge.core.emit('message', { accountId, message: reply })
    await page.locator(`[data-testid="message"][data-message-id="${messageId}"]`).waitFor()
    await page.waitForTimeout(300)

    // ---- the real renderer
    const s0 = await metricsOf(cdp, MAIN_THREAD)
    const t0 = Date.now()
    for (let i = 0; i < chunks.length; i++) {
      const last = i === chunks.length - 1
      bridge.core.emit('stream', { accountId, contactId: contact.id, messageId, status: last ? 'completed' : 'streaming', textAppend: chunks[i]!, reasoningAppend: '' })
      await sleep(PACE_MS)
    }
    if (target === 'reply') {
      bridge.core.history.put(accountId, { ...reply, ai: { ...reply.ai!, status: 'completed', text } })
      await page.locator(`[data-testid="message"][data-message-id="${messageId}"] [data-testid="reply-status"][data-status="completed"]`).waitFor({ state: 'attached', timeout: 60_000 })
    } else {
      // The stream's end: the provider stores the whole message and emits it once.
      const final: ChatMessage = { ...reply, segments: [{ type: 'markdown', data: { text } }] }
      bridge.core.history.put(accountId, final)
      bridge.core.emit('message', { accountId, message: final })
      // Rendered Markdown is shorter than its source (markup, math): most of the text is on screen.
      await page.waitForFunction(
        ({ id, min }) => (document.querySelector(`[data-testid="message"][data-message-id="${id}"]`)?.textContent ?? '').length >= min,
        { id: messageId, min: Math.floor(text.length * 0.5) },
        { timeout: 60_000 }
      )
    }
    await page.waitForTimeout(300)
    const streamMs = Date.now() - t0
    const s1 = await metricsOf(cdp, MAIN_THREAD)
    const lat = await paintLatencies(page)
    const renderedChars = await page.locator(`[data-testid="message"][data-message-id="${messageId}"]`).evaluate((el) => (el.textContent ?? '').length)

    // ---- baseline: the same pipeline, whole text re-rendered on every chunk
    await page.evaluate(await naiveBundle())
    await page.evaluate(() => {
      const box = document.createElement('div')
      box.id = 'naive-box'
      box.className = 'markdown'
      box.style.cssText = 'position:fixed;left:0;top:0;width:720px;height:100vh;overflow:auto;background:inherit;z-index:9999'
      document.body.appendChild(box)
    })
    const s2 = await metricsOf(cdp, MAIN_THREAD)
    const t2 = Date.now()
    const naiveLat = await page.evaluate(
      async ({ chunks, pace }) => {
        const render = (globalThis as unknown as { __naiveMarkdown: (t: string) => string }).__naiveMarkdown
        const box = document.getElementById('naive-box')!
        const recs: Array<[number, number]> = []
        let waiting: Array<[number, number]> = []
        let scheduled = false
        let text = ''
        for (const c of chunks) {
          await new Promise((r) => setTimeout(r, pace))
          const rec: [number, number] = [performance.now(), 0]
          recs.push(rec)
          waiting.push(rec)
          text += c
          box.innerHTML = render(text)
          if (!scheduled) {
            scheduled = true
            requestAnimationFrame(() => {
              const ch = new MessageChannel()
            ;(globalThis as unknown as { __keepPort: unknown }).__keepPort = ch // an unreferenced channel can be collected before it delivers
              ch.port1.onmessage = () => {
                const now = performance.now()
                for (const r of waiting) r[1] = now
                waiting = []
                scheduled = false
              }
              ch.port2.postMessage(0)
            })
          }
        }
        await new Promise((r) => setTimeout(r, 300))
        return recs.filter((r) => r[1] > 0).map((r) => r[1] - r[0])
      },
      { chunks, pace: PACE_MS }
    )
    const naiveMs = Date.now() - t2
    const s3 = await metricsOf(cdp, MAIN_THREAD)

    const streamedMainThread = mainThreadMs(s0, s1)
    const naiveMainThread = mainThreadMs(s2, s3)
    const streamedScriptMs = streamedMainThread.script
    const naiveScriptMs = naiveMainThread.script
    return {
      bytes: text.length,
      chunks: chunks.length,
      streamedScriptMs: round(streamedScriptMs),
      naiveScriptMs: round(naiveScriptMs),
      ratio: round(streamedScriptMs / naiveScriptMs, 3),
      streamedPaintP95Ms: round(percentile(lat, 95)),
      streamedPaintP50Ms: round(percentile(lat, 50)),
      naivePaintP95Ms: round(percentile(naiveLat, 95)),
      streamMs,
      naiveMs,
      renderedChars,
      streamedMainThread,
      naiveMainThread
    }
  } finally {
    await s.close()
  }
}
