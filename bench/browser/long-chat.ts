/**
 * A conversation of N mixed messages opened in the real renderer (through the bridge, history pre-filled in
 * the core): time to first paint after opening it, message elements in the DOM, JS heap, and the frame
 * rate while scrolling towards the top (which pages older history in as it goes).
 */
import { BOT_CONTACT_ID } from '../../src/core/accounts/mio/provider'
import { mixedMessages } from './fixtures'
import { heapMB, openSession, round, percentile } from './session'

export interface LongChatResult {
  messages: number
  firstPaintMs: number
  domMessages: number
  heapBeforeOpenMB: number
  heapMB: number
  scrollFps: number
  scrollFrameP95Ms: number
  scrollFrames: number
  scrollMs: number
  /** Whether the very first message was reached (only expected for the small baseline). */
  reachedTop: boolean
  /** Height of the list content after scrolling (grows as older pages load). */
  scrollHeightAfterPx: number
}

const SCROLL_MS = 4000
const SCROLL_STEP_PX = 150

export async function benchLongChat(count: number): Promise<LongChatResult> {
  const s = await openSession(({ history, accountId }) => history.fill(accountId, BOT_CONTACT_ID, mixedMessages(BOT_CONTACT_ID, count)))
  try {
    const { page, cdp } = s
    await page.waitForTimeout(300)
    const heapBeforeOpenMB = await heapMB(cdp)

    // Click the conversation inside the page and time until the frame that shows its messages is presented.
    const firstPaintMs = await page.evaluate(async (contactId) => {
      const item = document.querySelector<HTMLElement>(`[data-testid="conversation-item"][data-contact-id="${contactId}"]`)
      if (!item) throw new Error('no conversation item')
      const painted = new Promise<number>((resolve) => {
        const done = (): void => {
          obs.disconnect()
          // rAF callbacks run before the frame's style/layout/paint; a task posted from one runs after it.
          requestAnimationFrame(() => {
            const ch = new MessageChannel()
            ;(globalThis as unknown as { __keepPort: unknown }).__keepPort = ch // an unreferenced channel can be collected before it delivers
            ch.port1.onmessage = () => resolve(performance.now())
            ch.port2.postMessage(0)
          })
        }
        const obs = new MutationObserver(() => {
          if (document.querySelector('[data-testid="message"]')) done()
        })
        obs.observe(document.body, { childList: true, subtree: true })
      })
      const t0 = performance.now()
      item.click()
      return (await painted) - t0
    }, BOT_CONTACT_ID)

    await page.waitForTimeout(1000)
    const domMessages = await page.locator('[data-testid="message"]').count()
    const heap = await heapMB(cdp)

    const scroll = await page.evaluate(
      async ({ ms, step }) => {
        const el = document.querySelector<HTMLElement>('[data-testid="message-list"]')
        if (!el) throw new Error('no message list')
        const times: number[] = []
        const t0 = performance.now()
        await new Promise<void>((resolve) => {
          const frame = (t: number): void => {
            times.push(t)
            el.scrollTop = Math.max(0, el.scrollTop - step)
            if (performance.now() - t0 < ms) requestAnimationFrame(frame)
            else resolve()
          }
          requestAnimationFrame(frame)
        })
        const gaps = times.slice(1).map((t, i) => t - times[i]!)
        return { frames: times.length, elapsed: times[times.length - 1]! - times[0]!, gaps, atTop: el.scrollTop === 0, scrollHeight: el.scrollHeight }
      },
      { ms: SCROLL_MS, step: SCROLL_STEP_PX }
    )
    return {
      messages: count,
      firstPaintMs: round(firstPaintMs),
      domMessages,
      heapBeforeOpenMB,
      heapMB: heap,
      scrollFps: round(((scroll.frames - 1) * 1000) / scroll.elapsed),
      scrollFrameP95Ms: round(percentile(scroll.gaps, 95)),
      scrollFrames: scroll.frames,
      scrollMs: round(scroll.elapsed),
      reachedTop: scroll.atTop,
      scrollHeightAfterPx: scroll.scrollHeight
    }
  } finally {
    await s.close()
  }
}
