/**
 * Streamed AI replies through the browser build against the reference server's "mio-demo" model:
 * tool-call chips through every state, the stop button, and a server killed mid-stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Locator, Page } from 'playwright-core'
import { byTestId, cspViolations, login, messages, openAi, openBot, recordedToolStates, sendText, startHarness, type Harness } from './harness'

let h: Harness

beforeAll(async () => {
  // Slow enough that every tool-call state lands in its own animation frame.
  h = await startHarness({ chunkDelayMs: 40 })
  await login(h)
  await openAi(h.page)
})

afterAll(async () => {
  await h?.close()
})

/** The newest AI reply row (data-ai-status is set on rows holding an AI reply). */
function lastReply(page: Page): Locator {
  return page.locator('[data-testid="message"][data-ai-status]').last()
}

async function replyStatus(page: Page): Promise<string | null> {
  return lastReply(page).locator('[data-testid="reply-status"]').getAttribute('data-status')
}

async function waitReplyStatus(page: Page, status: string | RegExp, timeout = 30_000): Promise<void> {
  const re = typeof status === 'string' ? new RegExp(`^${status}$`) : status
  await page.waitForFunction(
    (src) => {
      const rows = document.querySelectorAll('[data-testid="message"][data-ai-status]')
      const st = rows[rows.length - 1]?.querySelector('[data-testid="reply-status"]')?.getAttribute('data-status') ?? ''
      return new RegExp(src).test(st)
    },
    re.source,
    { timeout }
  )
}

/** Length of the newest reply's rendered answer text. */
async function replyTextLength(page: Page): Promise<number> {
  return page.evaluate(() => {
    const rows = document.querySelectorAll('[data-testid="message"][data-ai-status]')
    const row = rows[rows.length - 1]
    const md = row?.querySelector('.markdown, .md, [data-testid="markdown"]') ?? row
    return (md?.textContent ?? '').length
  })
}

describe('AI replies', () => {
  it('a reply with a tool call shows every tool state and the final text', async () => {
    const before = await messages(h.page).count()
    await sendText(h.page, 'what time is it?')
    await h.page.waitForFunction((n) => document.querySelectorAll('[data-testid="message"]').length >= n + 2, before)
    await byTestId(h.page, 'tool-call').last().waitFor()
    await waitReplyStatus(h.page, 'completed')
    const states = await recordedToolStates(h.page)
    expect(states.clock ?? Object.values(states)[0]).toEqual(['started', 'pending', 'running', 'finished'])
    await expect(lastReply(h.page).innerText()).resolves.toMatch(/The current time is/)
    // The chip expands to show its params and result.
    const chip = lastReply(h.page).locator('[data-testid="tool-call"]').first()
    await expect(chip.getAttribute('data-state')).resolves.toBe('finished')
    // "Done" is not repeated on every reply and chip: a check, the word for screen readers only.
    await expect(lastReply(h.page).locator('[data-testid="reply-status"] .sr-only').textContent()).resolves.toBe('Done')
    await expect(chip.locator('.tool__state').getAttribute('class')).resolves.toContain('sr-only')
    // A one-to-one chat does not name the other side on every bubble (the header does).
    expect(await byTestId(h.page, 'message-sender').count()).toBe(0)
    await chip.locator('button').first().click()
    await expect(chip.innerText()).resolves.toMatch(/timezone/)
    await expect(chip.innerText()).resolves.toMatch(/UTC/)
    await h.screenshot('chat-ai-tool-en-light')
  })

  it('the calculator tool gives 84 for 12*(3+4)', async () => {
    await sendText(h.page, 'calculate 12*(3+4)')
    await h.page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid="tool-call"]')).some((c) => c.getAttribute('data-name') === 'calculator'))
    await waitReplyStatus(h.page, 'completed')
    const states = await recordedToolStates(h.page)
    expect(states.calculator).toEqual(['started', 'pending', 'running', 'finished'])
    await expect(lastReply(h.page).innerText()).resolves.toMatch(/=\s*84/)
  })

  it('the stop button aborts a streaming reply', async () => {
    await sendText(h.page, 'give me a long answer')
    await waitReplyStatus(h.page, /^(pending|streaming)$/)
    await h.page.waitForFunction(() => {
      const rows = document.querySelectorAll('[data-testid="message"][data-ai-status="streaming"]')
      return (rows[rows.length - 1]?.textContent ?? '').length > 200
    })
    const stop = byTestId(h.page, 'stream-stop')
    await stop.waitFor()
    await stop.click()
    await waitReplyStatus(h.page, 'aborted', 10_000)
    const len = await replyTextLength(h.page)
    await h.page.waitForTimeout(500)
    expect(await replyTextLength(h.page)).toBe(len)
    // A stopped reply offers retry; the stop button is gone.
    await lastReply(h.page).locator('[data-testid="retry"]').waitFor()
    await stop.waitFor({ state: 'hidden' })
  })

  it('a server killed mid-stream: the reply is marked interrupted and the connection comes back by itself', async () => {
    await sendText(h.page, 'another long answer please')
    await h.page.waitForFunction(() => {
      const rows = document.querySelectorAll('[data-testid="message"][data-ai-status="streaming"]')
      return (rows[rows.length - 1]?.textContent ?? '').length > 200
    })
    await h.killServer()
    await waitReplyStatus(h.page, 'interrupted', 15_000)
    await h.page.waitForFunction(() => document.querySelector('[data-testid="connection-state"]')?.getAttribute('data-state') !== 'online', undefined, { timeout: 15_000 })
    const during = await h.page.locator('[data-testid="connection-state"]').first().getAttribute('data-state')
    expect(during).toMatch(/reconnecting|connecting|offline|authenticating/)
    // The banner says what will happen, per conversation: a model needs the server back.
    await expect(h.page.locator('.composer__offline').textContent()).resolves.toMatch(/AI can answer once the connection is back/)
    await h.screenshot('chat-ai-interrupted-en-light')
    // …and a bot chat's outbox sends what is written once the link is back.
    await openBot(h.page)
    await expect(h.page.locator('.composer__offline').textContent()).resolves.toMatch(/waits and goes out once the connection is back/)
    await openAi(h.page)
    await h.restartServer()
    // No click: the client reconnects on its own.
    await h.page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor({ timeout: 30_000 })
    expect(await replyStatus(h.page)).toBe('interrupted')
    // Retry now works against the restarted server.
    await lastReply(h.page).locator('[data-testid="retry"]').click()
    await waitReplyStatus(h.page, 'completed', 60_000)
  })

  it('no page errors and no CSP violations', async () => {
    expect(h.pageErrors).toEqual([])
    expect(await cspViolations(h.page)).toEqual([])
  })
})
