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
import { MAIN_THREAD, mainThreadMs, metricsOf, openSession, percentile, round, streamProbe } from './session'

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

/** Puts the naive renderer (the same Markdown pipeline, whole text re-rendered per chunk) and its box in the page. */
export async function prepareNaive(page: Page): Promise<void> {
  await page.evaluate(await naiveBundle())
  await page.evaluate(() => {
    const box = document.createElement('div')
    box.id = 'naive-box'
    box.className = 'markdown'
    box.style.cssText = 'position:fixed;left:0;top:0;width:720px;height:100vh;overflow:auto;background:inherit;z-index:9999'
    document.body.appendChild(box)
  })
}

/**
 * The naive baseline: appends each chunk when it is due (one per `pace` ms) and re-renders the whole text into the box, recording each
 * chunk's arrival and the presentation of the frame after it; resolves with the latencies (ms).
 */
export async function runNaive(page: Page, chunks: string[], pace: number): Promise<number[]> {
  return page.evaluate(
    async ({ chunks, pace }) => {
      const render = (globalThis as unknown as { __naiveMarkdown: (t: string) => string }).__naiveMarkdown
      const box = document.getElementById('naive-box')!
      const recs: Array<[number, number]> = []
      let waiting: Array<[number, number]> = []
      let scheduled = false
      let text = ''
      // Paced like the server: chunk i is due at start + i × pace; a page that falls behind takes the due ones
      // without waiting (each still re-rendered, as a naive client would), so saturation shows in the wall time.
      const start = performance.now()
      for (let i = 0; i < chunks.length; i++) {
        const c = chunks[i]!
        const wait = start + i * pace - performance.now()
        if (wait > 0) await new Promise((r) => setTimeout(r, wait))
        else if (i % 50 === 0) await new Promise((r) => setTimeout(r, 0))
        // From when the chunk was due (it "arrived"), not when a busy page got to it.
        const rec: [number, number] = [start + i * pace, 0]
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
    { chunks, pace }
  )
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function paintLatencies(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { __recv: Array<[number, number, number]> }).__recv.filter((r) => r[2] > 0).map((r) => r[2] - r[0]))
}

export async function benchStream(target: 'reply' | 'message' = 'reply'): Promise<StreamResult> {
  const text = longMarkdown(BYTES)
  const chunks = chunksOf(text, CHUNKS)
  const s = await openSession(undefined, streamProbe)
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
    await prepareNaive(page)
    const s2 = await metricsOf(cdp, MAIN_THREAD)
    const t2 = Date.now()
    const naiveLat = await runNaive(page, chunks, PACE_MS)
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
