/**
 * Yunhu contacts and conversations in the window, against the reference server: a friend request that
 * arrives while the app is open (badge, requests list, accept), the unread count that drops when a chat
 * is opened (on the server too), pinning a chat, forwarding a message to another Yunhu chat, the search
 * inside a chat with the jump to a hit, and the profile card. Screenshots in zh and en, light and dark,
 * at 1280×800 and 800×600, go to screenshots/.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { decodeWsFrame } from '../../src/core/protocols/yunhu/codec/yunhu'
import type { YunhuPushEvent } from '../../src/shared/yunhu'
import type { Page } from 'playwright-core'
import { backToList, byTestId, conversationItem, messageAction, messageWithText, resizeWindow, setLook, startHarness, yunhuSignIn, type Harness } from './harness'

let h: Harness
const ME = '1000001'
const FRIEND = '1000002'
const MEMBER = '1000003'
const GROUP = '300000001'
const ECHO = '60000001'

const hooks = () => h.server.yunhu!.social

/** A section from the list's header (in a narrow window, back to the list first, as a user would). */
async function section(page: Page, s: 'chats' | 'contacts'): Promise<void> {
  await backToList(page)
  await byTestId(page, `yunhu-section-${s}`).click()
}

async function openChat(page: Page, id: string): Promise<void> {
  await section(page, 'chats')
  await conversationItem(page, id).click()
  await byTestId(page, 'composer').waitFor()
}

/**
 * The same screen in two looks and two sizes. `reopen` runs after each change of look or size: it brings the
 * screen back (a size change can hide it: below 900 px the window shows the list or the open pane, not both).
 */
async function shots(page: Page, name: string, reopen: () => Promise<void> = async () => {}): Promise<void> {
  for (const [locale, theme] of [
    ['en', 'light'],
    ['zh-CN', 'dark']
  ] as const) {
    // Menus and dialogs close first (they cover the settings button), and are opened again by `reopen`.
    for (let i = 0; i < 2; i++) await page.keyboard.press('Escape')
    await setLook(page, locale, theme)
    for (const [width, height] of [
      [1280, 800],
      [800, 600]
    ] as const) {
      await resizeWindow(page, width, height)
      await reopen()
      await h.screenshot(`${name}-${locale}-${theme}-${width}`)
    }
  }
  await resizeWindow(page, 1280, 800)
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
  // Each test starts in the wide window (a failed one may have left the narrow size of its screenshots).
  await resizeWindow(h.page, 1280, 800)
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
      // Opened again at each size, where the conversation is: the menu floats over the window at the place
      // of the click, and at 800 px the list shows only once the open chat is left.
      await page.keyboard.press('Escape')
      await byTestId(page, 'conversation-menu').waitFor({ state: 'detached' })
      await backToList(page)
      await echo.click({ button: 'right' })
      await byTestId(page, 'conversation-menu').waitFor()
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

  it('an A2UI form from a bot is drawn as a safe form and submitted', async () => {
    const page = h.page
    const form = readFileSync(fileURLToPath(new URL('../fixtures/a2ui/rain-form.json', import.meta.url)), 'utf8')
    hooks().a2ui(ECHO, ME, form)
    await openChat(page, ECHO)
    const seg = byTestId(page, 'segment-a2ui').last()
    await seg.waitFor({ timeout: 10_000 })
    expect(await seg.locator('img, iframe, script, a').count()).toBe(0)
    expect(await seg.textContent()).toContain('<img src=x') // the payload's markup is shown as text
    await seg.locator('input[data-a2ui-id="city"]').fill('北京')
    await seg.locator('input[data-a2ui-id="daily"]').uncheck()
    await shots(page, 'yunhu-a2ui', async () => {
      await openChat(page, ECHO)
      await byTestId(page, 'segment-a2ui').last().scrollIntoViewIfNeeded()
    })
    await byTestId(page, 'segment-a2ui').last().locator('input[data-a2ui-id="city"]').fill('北京')
    await byTestId(page, 'segment-a2ui').last().locator('[data-testid="a2ui-button"]').click()
    await messageWithText(page, '已收到表单 subscribe').first().waitFor({ timeout: 10_000 })
    expect(await messageWithText(page, '已收到表单 subscribe').first().textContent()).toContain('city=北京')
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined()
  })

  it('drafts follow the other devices: typed here goes there, typed there fills an empty composer', async () => {
    const page = h.page
    const token = await (await fetch(`${h.serverHttp}/v1/user/email-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'demo@miodesk.local', password: 'e2e-yunhu-password' }) })).json()
    const ws = new WebSocket(`${h.serverWs}/ws`)
    const frames: YunhuPushEvent[] = []
    ws.on('message', (data, binary) => {
      if (binary) frames.push(decodeWsFrame(new Uint8Array(data as Buffer)))
    })
    await new Promise((r) => ws.once('open', r))
    ws.send(JSON.stringify({ seq: 'l', cmd: 'login', data: { userId: ME, token: (token as { data: { token: string } }).data.token, platform: 'linux', deviceId: 'e2e-other' } }))
    ws.send(JSON.stringify({ seq: 'hb', cmd: 'heartbeat', data: {} }))
    await expect.poll(() => frames.some((f) => f.kind === 'heartbeat_ack')).toBe(true)
    await openChat(page, FRIEND)
    await byTestId(page, 'composer').fill('写了一半的草稿')
    const draftOf = (f: YunhuPushEvent) => (f.kind === 'draft_input' ? f.message : undefined)
    await expect.poll(() => frames.map(draftOf).find((d) => d?.input === '写了一半的草稿')?.chat_id, { timeout: 8_000 }).toBe(FRIEND)
    await byTestId(page, 'composer').fill('')
    await openChat(page, GROUP)
    ws.send(JSON.stringify({ seq: 'd', cmd: 'inputInfo', data: { chatId: GROUP, input: '手机上写的草稿', deviceId: 'e2e-other' } }))
    await expect.poll(() => byTestId(page, 'composer').inputValue(), { timeout: 8_000 }).toBe('手机上写的草稿')
    ws.close()
    await byTestId(page, 'composer').fill('')
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
