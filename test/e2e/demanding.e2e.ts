/**
 * What a demanding user notices (issue #12): an account is shown by a name, not `id@127.0.0.1:port`, and its
 * initials come from it; after a restart the app reopens the conversation and the message at the top that
 * the user left; a quote in a Yunhu group names the member who wrote the quoted message, not the group.
 * Screens: zh and en, light and dark, 1280×800 and 800×600.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { byTestId, conversationItem, login, messageAction, openAi, recordedToolStates, sendText, startHarness, yunhuSignIn, type Harness } from './harness'

const harnesses: Harness[] = []
afterAll(async () => {
  for (const h of harnesses) await h.close()
})

async function setLook(page: Page, locale: 'en' | 'zh-CN', theme: 'light' | 'dark'): Promise<void> {
  await byTestId(page, 'open-settings').first().click()
  await byTestId(page, 'settings-locale').selectOption(locale)
  await byTestId(page, 'settings-theme').selectOption(theme)
  await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme)
  await page.keyboard.press('Escape')
  await byTestId(page, 'settings-theme').waitFor({ state: 'detached' })
}

/** Eight screenshots of what is on screen: zh/en × light/dark × 1280×800/800×600. */
async function shoot(h: Harness, name: string, before?: (page: Page) => Promise<void>): Promise<void> {
  for (const locale of ['zh-CN', 'en'] as const) {
    for (const theme of ['light', 'dark'] as const) {
      await h.page.keyboard.press('Escape')
      await setLook(h.page, locale, theme)
      for (const size of [
        { width: 1280, height: 800 },
        { width: 800, height: 600 }
      ]) {
        await h.page.setViewportSize(size)
        await before?.(h.page)
        await h.page.waitForTimeout(150)
        await h.screenshot(`${name}-${locale === 'en' ? 'en' : 'zh'}-${theme}-${size.width}`)
      }
    }
  }
  await h.page.setViewportSize({ width: 1280, height: 800 })
  await h.page.keyboard.press('Escape')
  await setLook(h.page, 'en', 'light')
}

/** The message at the top of the list and how far it is scrolled past. */
async function topMessage(page: Page): Promise<{ id: string; offset: number }> {
  return page.evaluate(() => {
    const list = document.querySelector<HTMLElement>('[data-testid="message-list"]')!
    const top = list.getBoundingClientRect().top
    const rows = [...list.querySelectorAll<HTMLElement>('[data-testid="message"]')]
    const row = rows.find((r) => r.getBoundingClientRect().bottom > top + 1)!
    return { id: row.dataset.messageId!, offset: Math.round(top - row.getBoundingClientRect().top) }
  })
}

describe('a Mio-Chat account', () => {
  it('is named by a readable host with its initial, and reopens the conversation and the message at the top after a restart', async () => {
    const h = await startHarness({ chunkDelayMs: 2 })
    harnesses.push(h)
    const page = h.page
    await login(h)
    // The account rail and header: a name, never id@127.0.0.1:port; its initial from that name.
    const name = `localhost:${h.serverPort}`
    await expect.poll(() => byTestId(page, 'account-title').textContent()).toBe(name)
    const rail = page.locator('[data-testid="account-item"]').first()
    expect(await rail.getAttribute('aria-label')).toContain(name)
    expect(await rail.locator('.avatar').textContent()).toBe('L')
    expect(await page.locator('body').textContent()).not.toContain(`alice@127.0.0.1`)
    // The account's card: the same name, its initial.
    await shoot(h, 'demanding-account-card', async (p) => {
      await p.keyboard.press('Escape')
      await p.locator('[data-testid="account-item"]').first().click()
      await expect.poll(() => byTestId(p, 'account-card-name').textContent()).toContain(name)
    })
    await page.keyboard.press('Escape')

    await openAi(page)
    // A tool call whose states arrive 2 ms apart (the real server sends running and finished within
    // milliseconds): every state is on screen for a frame, running included.
    await sendText(page, 'what time is it')
    await expect.poll(() => page.locator('[data-testid="reply-status"][data-status="completed"]').count(), { timeout: 30_000 }).toBe(1)
    expect((await recordedToolStates(page)).clock).toEqual(['started', 'pending', 'running', 'finished'])
    // A conversation long enough to scroll.
    for (let i = 0; i < 3; i++) {
      await sendText(page, `write something long ${i}`)
      await expect.poll(() => page.locator('[data-testid="reply-status"][data-status="completed"]').count(), { timeout: 30_000 }).toBe(i + 2)
    }
    const title = await byTestId(page, 'chat-title').textContent()
    // The chat subtitle is no raw contact id.
    expect(await page.locator('.chat__sub').first().textContent()).not.toMatch(/llm:|·\s*bot\b/)
    await shoot(h, 'demanding-account')

    // Scroll up to the middle, then restart the page.
    await byTestId(page, 'message-list').evaluate((el) => (el.scrollTop = Math.max(0, el.scrollHeight / 2 - 137)))
    await page.waitForTimeout(600)
    const before = await topMessage(page)
    const p2 = await h.reload()
    await expect.poll(() => byTestId(p2, 'chat-title').textContent(), { timeout: 15_000 }).toBe(title)
    await expect.poll(async () => (await topMessage(p2)).id, { timeout: 10_000 }).toBe(before.id)
    await p2.waitForTimeout(500)
    const after = await topMessage(p2)
    expect(after.id).toBe(before.id)
    expect(Math.abs(after.offset - before.offset)).toBeLessThanOrEqual(4)
    // Not pinned to the bottom: the "newest" button shows.
    await byTestId(p2, 'new-messages').waitFor()
    // Another conversation and back: the same message at the top again.
    await conversationItem(p2, 'bot').click()
    await expect.poll(() => byTestId(p2, 'chat-title').textContent()).not.toBe(title)
    await p2.waitForTimeout(400)
    await p2.locator('[data-testid="conversation-item"][data-contact-id^="llm:"]').first().click()
    await expect.poll(async () => (await topMessage(p2)).id, { timeout: 10_000 }).toBe(before.id)
    await shoot(h, 'demanding-restored')
    expect(h.pageErrors).toEqual([])
  }, 240_000)
})

describe('a Yunhu group', () => {
  it('a quote names the member who wrote the quoted message; the account is shown by the user’s nickname', async () => {
    const h = await startHarness({ yunhu: true })
    harnesses.push(h)
    const page = h.page
    await yunhuSignIn(h)
    await page.locator('[data-testid="conversation-item"][data-kind="group"]').first().waitFor({ timeout: 20_000 })
    const accountName = (await byTestId(page, 'account-title').textContent())!.trim()
    expect(accountName).not.toMatch(/@|\(Yunhu\)/)
    expect(accountName.length).toBeGreaterThan(0)

    const group = page.locator('[data-testid="conversation-item"][data-kind="group"]').first()
    const groupId = (await group.getAttribute('data-contact-id'))!
    await conversationItem(page, groupId).click()
    await byTestId(page, 'composer').waitFor()
    const groupName = (await byTestId(page, 'chat-title').textContent())!.trim()
    const theirs = page.locator('[data-testid="message"][data-self="0"]').filter({ has: page.locator('[data-testid="message-sender"]') }).last()
    await theirs.waitFor({ timeout: 15_000 })
    const sender = (await theirs.locator('[data-testid="message-sender"]').textContent())!.trim()
    expect(sender).not.toBe(groupName)
    await messageAction(page, theirs, 'reply')
    await sendText(page, '引用一下')
    const quote = page.locator('[data-testid="message"][data-self="1"] [data-testid="segment-reply"] .seg-quote__name').last()
    await expect.poll(() => quote.textContent(), { timeout: 15_000 }).toBe(sender)
    await shoot(h, 'demanding-yunhu-quote', async (p) => {
      await p.locator('[data-testid="message"]').last().scrollIntoViewIfNeeded()
    })
    expect(h.pageErrors).toEqual([])
  }, 240_000)
})

describe('a reply the server cut off', () => {
  it('says so in the UI’s language, with a full-width colon in Chinese, and the banner says “connection lost” once', async () => {
    const h = await startHarness({ locale: 'zh-CN', chunkDelayMs: 20 })
    harnesses.push(h)
    const page = h.page
    await login(h)
    await openAi(page)
    await sendText(page, 'write something long')
    await page.waitForFunction(() => (document.querySelector('[data-testid="message"][data-ai-status="streaming"]')?.textContent ?? '').length > 200)
    await h.killServer()
    const status = page.locator('[data-testid="reply-status"]').last()
    await expect.poll(() => status.getAttribute('data-status'), { timeout: 15_000 }).toBe('interrupted')
    const words = (await status.locator('.ai__status-text').textContent())!
    expect(words).toMatch(/^回复被中断：/)
    expect(words).not.toMatch(/[A-Za-z]{3}|: /)
    const banner = byTestId(page, 'connection-banner').first()
    await banner.waitFor({ timeout: 15_000 })
    const said = (await banner.textContent())!
    expect(said.match(/连接已断开/g)?.length ?? 0).toBeLessThanOrEqual(1)
    expect(said).not.toMatch(/Connection lost|the server|broke off/)
    await shoot(h, 'demanding-interrupted', async (p) => {
      await p.locator('[data-testid="reply-status"]').last().scrollIntoViewIfNeeded()
    })
    // In English the same reply reads in English.
    await setLook(page, 'en', 'light')
    await expect.poll(() => status.locator('.ai__status-text').textContent()).toMatch(/^The reply was interrupted: /)
  }, 240_000)
})
