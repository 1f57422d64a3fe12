/**
 * The onebot bot conversation through the browser build: text and image, the echo, recall (own and the
 * bot's), forwarding two messages and opening the forward card, and untrusted Markdown never running.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Locator } from 'playwright-core'
import {
  TEST_PNG,
  byTestId,
  cspViolations,
  login,
  messageAction,
  messageWithText,
  messages,
  openBot,
  pasteImage,
  sendText,
  startHarness,
  type Harness
} from './harness'

let h: Harness

beforeAll(async () => {
  h = await startHarness()
  await login(h)
  await openBot(h.page)
})

afterAll(async () => {
  await h?.close()
})

/** The newest own (data-self=1) or other (data-self=0) message containing a text. */
function mine(text: string | RegExp, self: boolean): Locator {
  return messageWithText(h.page, text).and(h.page.locator(`[data-self="${self ? '1' : '0'}"]`)).last()
}

/** The newest own message with this text once it is marked sent. */
function sent(text: string): Locator {
  return messageWithText(h.page, text).and(h.page.locator('[data-self="1"][data-status="sent"]')).last()
}

beforeEach(async () => {
  // Close whatever a failed test may have left open.
  for (let i = 0; i < 3; i++) await h.page.keyboard.press('Escape')
})

describe('bot conversation', () => {
  it('sends text; it is marked sent and the bot echoes it', async () => {
    await sendText(h.page, 'Hello from the E2E suite')
    await sent('Hello from the E2E suite').waitFor()
    await mine('Hello from the E2E suite', false).waitFor()
    // The composer is cleared after sending.
    await expect(byTestId(h.page, 'composer').inputValue()).resolves.toBe('')
    // Exactly one own copy: the temporary 'sending' copy is replaced by the sent one (ChatMessage.localId).
    await h.page.waitForTimeout(500)
    const own = messageWithText(h.page, 'Hello from the E2E suite').and(h.page.locator('[data-self="1"]'))
    expect(await own.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).toEqual(['sent'])
  })

  it('sends an image pasted into the composer; the bot echoes it', async () => {
    const before = await h.page.locator('[data-testid="message"] img').count()
    await pasteImage(h.page, TEST_PNG)
    // A pasted image is attached to the draft; sending sends it.
    await byTestId(h.page, 'send').click()
    await h.page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="message"][data-self="1"] [data-testid="segment-image"] img, [data-testid="message"][data-self="1"] img').length > 0 &&
        document.querySelectorAll('[data-testid="message"] img').length >= n + 2,
      before,
      { timeout: 15_000 }
    )
    const ownImage = h.page.locator('[data-testid="message"][data-self="1"] img').last()
    await ownImage.waitFor()
    // The image really decoded (not a broken image).
    await h.page.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0, await ownImage.elementHandle())
    await h.screenshot('chat-bot-en-light')
  })

  it('recalls an own message: it becomes a system line', async () => {
    await sendText(h.page, 'Recall me please')
    const own = sent('Recall me please')
    await own.waitFor()
    const id = await own.getAttribute('data-message-id')
    await messageAction(h.page, own, 'recall')
    const row = h.page.locator(`[data-testid="message"][data-message-id="${id}"]`)
    await row.and(h.page.locator('[data-status="recalled"]')).waitFor()
    await row.locator('[data-testid="recalled-line"]').waitFor()
    await expect(row.innerText()).resolves.not.toContain('Recall me please')
  })

  it("shows the bot's own recall as a system line", async () => {
    await sendText(h.page, '/recall')
    const botMsg = mine('this will be recalled', false)
    await botMsg.waitFor()
    const id = await botMsg.getAttribute('data-message-id')
    await h.page.locator(`[data-testid="message"][data-message-id="${id}"][data-status="recalled"] [data-testid="recalled-line"]`).waitFor({ timeout: 10_000 })
  })

  it('forwards two messages to the bot and opens the forward card', async () => {
    await sendText(h.page, 'Forward one')
    await sent('Forward one').waitFor()
    await sendText(h.page, 'Forward two')
    await sent('Forward two').waitFor()
    const first = sent('Forward one')
    const second = sent('Forward two')
    const cardsBefore = await byTestId(h.page, 'forward-card').count()

    // Start from the first message's menu (selection mode with it selected), add the second, pick the target.
    await messageAction(h.page, first, 'forward')
    const picker = byTestId(h.page, 'forward-picker')
    if (!(await picker.isVisible())) {
      await byTestId(h.page, 'selection-bar').waitFor()
      await second.locator('[data-testid="message-select"]').check()
      await byTestId(h.page, 'forward-selected').click()
    }
    await picker.waitFor()
    await picker.locator('[data-testid="forward-target"][data-contact-id="bot"]').click()
    await picker.waitFor({ state: 'detached' })

    await h.page.waitForFunction((n) => document.querySelectorAll('[data-testid="forward-card"]').length > n, cardsBefore, { timeout: 15_000 })
    const card = byTestId(h.page, 'forward-card').last()
    await card.click()
    const viewer = byTestId(h.page, 'forward-dialog')
    await viewer.waitFor()
    expect(await viewer.locator('[data-testid="forward-node"]').count()).toBe(2)
    await expect(viewer.innerText()).resolves.toContain('Forward one')
    await expect(viewer.innerText()).resolves.toContain('Forward two')
    await h.screenshot('forward-viewer-en-light')
    await h.page.keyboard.press('Escape')
    await viewer.waitFor({ state: 'detached' })
  })

  it("opens the bot's /forward card with a nested forward", async () => {
    const cardsBefore = await byTestId(h.page, 'forward-card').count()
    await sendText(h.page, '/forward')
    await h.page.waitForFunction((n) => document.querySelectorAll('[data-testid="forward-card"]').length > n, cardsBefore, { timeout: 15_000 })
    await byTestId(h.page, 'forward-card').last().click()
    const viewer = byTestId(h.page, 'forward-dialog').last()
    await viewer.waitFor()
    await expect(viewer.innerText()).resolves.toContain('Node 1')
    // The nested forward is a card inside the viewer and opens on top.
    await viewer.locator('[data-testid="forward-card"]').first().click()
    await h.page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid="forward-dialog"]')).some((v) => (v.textContent ?? '').includes('Nested node A')))
    await h.page.keyboard.press('Escape')
    await h.page.keyboard.press('Escape')
  })

  it('never runs script from message Markdown or HTML', async () => {
    const attacks = [
      '<img src=x onerror=window.__xss=1>',
      '[click me](javascript:window.__xss=1)',
      '<a href="javascript:window.__xss=1">raw link</a> <svg onload="window.__xss=1"></svg>',
      '![x](javascript:window.__xss=1) <iframe src="javascript:window.__xss=1"></iframe>'
    ]
    for (const text of attacks) {
      await sendText(h.page, text)
    }
    // Wait for every echo (the bot renders the same untrusted text back).
    await h.page.waitForFunction(
      (n) => Array.from(document.querySelectorAll('[data-testid="message"][data-self="0"]')).filter((m) => /click me|raw link|onerror/.test(m.textContent ?? '')).length >= n,
      3,
      { timeout: 15_000 }
    )
    // Click every link the attacks produced.
    const links = h.page.locator('[data-testid="message"] a')
    const n = await links.count()
    for (let i = 0; i < n; i++) {
      const href = (await links.nth(i).getAttribute('href')) ?? ''
      expect(href.toLowerCase()).not.toContain('javascript:')
      await links.nth(i).click({ trial: false }).catch(() => {})
    }
    await h.page.waitForTimeout(300)
    expect(await h.page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined()
    const dangerous = await h.page.evaluate(() =>
      Array.from(document.querySelectorAll('[data-testid="message"] *')).filter((el) =>
        Array.from(el.attributes).some((a) => /^on/i.test(a.name) || /javascript:/i.test(a.value)) || /^(IFRAME|SCRIPT|OBJECT|EMBED)$/.test(el.tagName)
      ).length
    )
    expect(dangerous).toBe(0)
    // The page stays where it was (no navigation).
    expect(new URL(h.page.url()).origin).toBe(h.bridge.origin)
  })

  it('a link whose text names another address opens only after the real host was shown', async () => {
    await sendText(h.page, '[https://bank.example/login](https://evil.example/steal)')
    const link = h.page.locator('[data-testid="message"][data-self="0"] a', { hasText: 'https://bank.example/login' }).last()
    await link.waitFor({ timeout: 15_000 })
    const before = h.opened.length
    await link.click()
    await expect(byTestId(h.page, 'confirm-text').textContent()).resolves.toMatch(/evil\.example/)
    await h.screenshot('link-mismatch-en-light')
    await byTestId(h.page, 'confirm-cancel').click()
    await h.page.waitForTimeout(200)
    expect(h.opened.length).toBe(before)
    await link.click()
    await byTestId(h.page, 'confirm-ok').click()
    await expect.poll(() => h.opened.slice(before)).toEqual(['https://evil.example/steal'])
    // A link that says where it goes opens at once.
    await sendText(h.page, '[example.com docs](https://example.com/docs)')
    const plain = h.page.locator('[data-testid="message"][data-self="0"] a', { hasText: 'example.com docs' }).last()
    await plain.waitFor({ timeout: 15_000 })
    await plain.click()
    await expect.poll(() => h.opened.at(-1)).toBe('https://example.com/docs')
    expect(await byTestId(h.page, 'confirm-dialog').count()).toBe(0)
  })

  it('keeps every message in order and no page errors or CSP violations', async () => {
    expect(await messages(h.page).count()).toBeGreaterThan(5)
    expect(h.pageErrors).toEqual([])
    expect(await cspViolations(h.page)).toEqual([])
  })
})
