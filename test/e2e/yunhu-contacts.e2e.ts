/**
 * Yunhu contacts and conversations in the window, against the reference server: a friend request that
 * arrives while the app is open (badge, requests list, accept), the unread count that drops when a chat
 * is opened (on the server too), pinning a chat, forwarding a message to another Yunhu chat, the search
 * inside a chat with the jump to a hit, and the profile card. Screenshots in zh and en, light and dark,
 * at 1280×800 and 800×600, go to screenshots/.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { byTestId, conversationItem, messageAction, messageWithText, setLook, startHarness, yunhuSignIn, type Harness } from './harness'

let h: Harness
const ME = '1000001'
const FRIEND = '1000002'
const MEMBER = '1000003'
const GROUP = '300000001'
const ECHO = '60000001'

const hooks = () => h.server.yunhu!.social

async function section(page: Page, s: 'chats' | 'contacts'): Promise<void> {
  await byTestId(page, `yunhu-section-${s}`).click()
}

async function openChat(page: Page, id: string): Promise<void> {
  await section(page, 'chats')
  await conversationItem(page, id).click()
  await byTestId(page, 'composer').waitFor()
}

/** The same screen in the four looks and two sizes. */
async function shots(page: Page, name: string, reopen: () => Promise<void> = async () => {}): Promise<void> {
  for (const [locale, theme] of [
    ['en', 'light'],
    ['zh-CN', 'dark']
  ] as const) {
    // Menus and dialogs close first (they cover the settings button), and are opened again by `reopen`.
    for (let i = 0; i < 2; i++) await page.keyboard.press('Escape')
    await setLook(page, locale, theme)
    await reopen()
    await page.setViewportSize({ width: 1280, height: 800 })
    await h.screenshot(`${name}-${locale}-${theme}-1280`)
    await page.setViewportSize({ width: 800, height: 600 })
    await h.screenshot(`${name}-${locale}-${theme}-800`)
  }
  await page.setViewportSize({ width: 1280, height: 800 })
  for (let i = 0; i < 2; i++) await page.keyboard.press('Escape')
  await setLook(page, 'en', 'light')
  await reopen()
}

beforeAll(async () => {
  h = await startHarness({ yunhu: true })
})

afterAll(async () => {
  await h?.close()
})

beforeEach(async () => {
  for (let i = 0; i < 3; i++) await h.page.keyboard.press('Escape')
})

describe('Yunhu contacts and conversations', () => {
  it('signs in and shows the server unread counts', async () => {
    const page = h.page
    await yunhuSignIn(h)
    await conversationItem(page, GROUP).waitFor({ timeout: 15_000 })
    await expect.poll(() => conversationItem(page, GROUP).locator('[data-testid="unread-count"]').textContent()).toBe('2')
    // A muted chat (the seed mutes the weather bot) has the quiet badge style when it has any.
    expect(await page.locator('[data-testid="conversation-item"][data-muted="1"]').count()).toBeGreaterThan(0)
  })

  it('the unread count drops when the chat is opened, and the server counts it read', async () => {
    const page = h.page
    await openChat(page, FRIEND)
    await openChat(page, GROUP)
    expect(await conversationItem(page, GROUP).locator('[data-testid="unread-count"]').count()).toBe(0)
    // A message from the friend while another chat is open.
    hooks().say(FRIEND, ME, '未读测试: 你好')
    const badge = conversationItem(page, FRIEND).locator('[data-testid="unread-count"]')
    await expect.poll(() => badge.textContent().catch(() => ''), { timeout: 10_000 }).toBe('1')
    expect(hooks().unread(ME, FRIEND)).toBe(1)
    await openChat(page, FRIEND)
    await messageWithText(page, '未读测试: 你好').waitFor()
    await expect.poll(() => badge.count()).toBe(0)
    // The chat was fetched before, so only dismiss-notification can have read it on the server.
    await expect.poll(() => hooks().unread(ME, FRIEND)).toBe(0)
  })

  it('pins a chat from its menu: it moves to the top and stays pinned', async () => {
    const page = h.page
    await section(page, 'chats')
    const echo = conversationItem(page, ECHO)
    expect(await echo.getAttribute('data-pinned')).toBeNull()
    await echo.click({ button: 'right' })
    await byTestId(page, 'conv-action-pin').click()
    await expect.poll(() => echo.getAttribute('data-pinned')).toBe('1')
    const firstTwo = await page.locator('[data-testid="conversation-item"]').evaluateAll((els) => els.slice(0, 2).map((e) => e.getAttribute('data-contact-id')))
    expect(firstTwo.sort()).toEqual([ECHO, FRIEND].sort())
    await echo.click({ button: 'right' })
    await shots(page, 'yunhu-conv-menu', async () => {
      if (!(await byTestId(page, 'conversation-menu').isVisible())) await echo.click({ button: 'right' })
    })
    await page.keyboard.press('Escape')
  })

  it('a friend request arrives while the app is open: badge, list, accept', async () => {
    const page = h.page
    const tabBadge = byTestId(page, 'yunhu-section-contacts').locator('[data-testid="tab-badge"]')
    expect(await tabBadge.count()).toBe(0)
    const id = hooks().request(MEMBER, ME, { note: '你好, 我是阿湖' })
    await expect.poll(() => tabBadge.textContent().catch(() => ''), { timeout: 10_000 }).toBe('1')
    await section(page, 'contacts')
    await byTestId(page, 'contacts-tab-requests').click()
    const item = page.locator(`[data-testid="request-item"][data-request-id="${id}"]`)
    await item.waitFor()
    expect(await item.getAttribute('data-state')).toBe('pending')
    expect(await item.locator('[data-testid="request-note"]').textContent()).toBe('你好, 我是阿湖')
    await shots(page, 'yunhu-requests', async () => {
      await section(page, 'contacts')
      await byTestId(page, 'contacts-tab-requests').click()
    })
    await byTestId(page, 'contacts-tab-requests').click()
    await item.locator('[data-testid="request-accept"]').click()
    await expect.poll(() => item.getAttribute('data-state')).toBe('accepted')
    await expect.poll(() => tabBadge.count()).toBe(0)
    expect(hooks().friends(ME)).toContain(MEMBER)
    await byTestId(page, 'contacts-tab-users').click()
    await page.locator(`[data-testid="contact-entry"][data-contact-id="${MEMBER}"]`).waitFor()
    await section(page, 'chats')
    await conversationItem(page, MEMBER).waitFor({ timeout: 10_000 })
  })

  it('the profile card: name, introduction, medals; "Send message" opens the chat', async () => {
    const page = h.page
    await section(page, 'contacts')
    await byTestId(page, 'contacts-tab-users').click()
    await page.locator(`[data-testid="contact-entry"][data-contact-id="${FRIEND}"]`).click()
    await expect.poll(() => byTestId(page, 'profile-name').textContent()).toBe('小云')
    expect(await byTestId(page, 'profile-medals').textContent()).toContain('内测用户')
    expect(await byTestId(page, 'profile-intro').textContent()).toContain('开源')
    await shots(page, 'yunhu-profile', async () => {
      if (await byTestId(page, 'profile-card').isVisible()) return
      await section(page, 'contacts')
      await byTestId(page, 'contacts-tab-users').click()
      await page.locator(`[data-testid="contact-entry"][data-contact-id="${FRIEND}"]`).click()
      await byTestId(page, 'profile-name').waitFor()
    })
    await byTestId(page, 'profile-send').click()
    await expect.poll(() => byTestId(page, 'chat-title').textContent()).toBe('小云')
  })

  it('forwards a message to another Yunhu chat through the forward picker', async () => {
    const page = h.page
    await openChat(page, GROUP)
    const src = messageWithText(page, '今日安排').first()
    await src.waitFor()
    await messageAction(page, src, 'forward')
    await byTestId(page, 'forward-selected').click()
    await page.locator(`[data-testid="forward-target"][data-contact-id="${ECHO}"]`).click()
    await byTestId(page, 'forward-picker').waitFor({ state: 'detached' })
    await openChat(page, ECHO)
    await messageWithText(page, '今日安排').first().waitFor({ timeout: 10_000 })
  })

  it('searches inside a chat and jumps to a hit', async () => {
    const page = h.page
    await openChat(page, GROUP)
    await byTestId(page, 'chat-search-open').click()
    await byTestId(page, 'chat-search-input').fill('欢迎')
    await byTestId(page, 'chat-search-go').click()
    const hit = byTestId(page, 'chat-search-hit').first()
    await hit.waitFor()
    expect(await hit.textContent()).toContain('欢迎来到 MioDesk 演示群')
    const id = await hit.getAttribute('data-message-id')
    await shots(page, 'yunhu-search', async () => {
      if (await hit.isVisible()) return
      await openChat(page, GROUP)
      await byTestId(page, 'chat-search-open').click()
      await byTestId(page, 'chat-search-input').fill('欢迎')
      await byTestId(page, 'chat-search-go').click()
      await hit.waitFor()
    })
    await hit.click()
    const row = page.locator(`[data-testid="message"][data-message-id="${id}"]`)
    await row.waitFor()
    await expect.poll(() => row.evaluate((el) => el.getBoundingClientRect().top >= 0 && el.getBoundingClientRect().bottom <= window.innerHeight)).toBe(true)
    await byTestId(page, 'chat-search-input').fill('没有这样的词')
    await byTestId(page, 'chat-search-go').click()
    await byTestId(page, 'chat-search-none').waitFor()
    expect(h.pageErrors).toEqual([])
  })
})
