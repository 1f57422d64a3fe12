/**
 * Yunhu (云湖) in the window, against the reference server's Yunhu API: sign in, bot store → bot
 * detail, my bots (create, edit, reset token, subscription link), a group's bot settings form
 * saved and read back, a board updated live, a streamed bot reply, and XSS payloads that never
 * run. Writes screenshots of these screens (light/dark, zh/en) into screenshots/.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Locator, Page } from 'playwright-core'
import { YUNHU_EMAIL, YUNHU_PASSWORD, byTestId, conversationItem, setLook, startHarness, type Harness } from './harness'

let h: Harness
const GROUP = '300000001'
const ECHO = '60000001'

/** Sets window.__xss if any payload ever runs. */
const XSS = {
  /** The server takes 1-20 characters. */
  name: '<svg onload=__xss=1>',
  intro: '<script>window.__xss=1</script>介绍 <b onclick="window.__xss=1">加粗</b>',
  html: '<p>HTML 安全 <b>粗体</b></p><img src=x onerror="window.__xss=1"><a href="javascript:window.__xss=1">危险链接</a><script>window.__xss=1</script><svg onload="window.__xss=1"></svg>',
  markdown: 'Markdown 安全 <img src=x onerror="window.__xss=1"> [点我](javascript:window.__xss=1)',
  board: '<b>看板</b> 在线 <img src=x onerror="window.__xss=1"><iframe src="javascript:window.__xss=1"></iframe>'
}

async function xssFlag(page: Page): Promise<unknown> {
  return page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)
}

async function section(page: Page, s: 'chats' | 'store' | 'console'): Promise<void> {
  await byTestId(page, `yunhu-section-${s}`).click()
}

async function openChat(page: Page, id: string): Promise<void> {
  await section(page, 'chats')
  await conversationItem(page, id).click()
  await byTestId(page, 'composer').waitFor()
}

async function selectMyBot(page: Page, botId: string): Promise<Locator> {
  await section(page, 'console')
  const item = page.locator(`[data-testid="my-bot"][data-bot-id="${botId}"]`)
  await item.click()
  return page.locator(`[data-testid="my-bot-detail"][data-bot-id="${botId}"]`)
}

/** The bot's token, revealed in the console's token tab. */
async function botToken(page: Page, botId: string): Promise<string> {
  await selectMyBot(page, botId)
  await byTestId(page, 'bot-tab-token').click()
  const v = byTestId(page, 'detail-token')
  if ((await v.getAttribute('data-revealed')) !== '1') await byTestId(page, 'detail-token-reveal').click()
  await expect.poll(() => v.getAttribute('data-revealed')).toBe('1')
  return (await v.textContent())!.trim()
}

async function openApi(action: 'board' | 'send', token: string, body: unknown): Promise<void> {
  const r = await fetch(`${h.serverHttp}/open-apis/v1/bot/${action}?token=${encodeURIComponent(token)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const j = (await r.json()) as { code: number; msg: string }
  expect(j, j.msg).toMatchObject({ code: 1 })
}

/** Scrolls the open chat to its newest message and lets the toasts go, for a screenshot. */
async function showNewest(page: Page): Promise<void> {
  const jump = byTestId(page, 'new-messages')
  if (await jump.isVisible()) await jump.click()
  await page.locator('[data-testid="message"]').last().scrollIntoViewIfNeeded()
  await page.locator('.toast').first().waitFor({ state: 'detached', timeout: 8_000 }).catch(() => {})
  await page.waitForTimeout(250)
}

beforeAll(async () => {
  h = await startHarness({ yunhu: true, chunkDelayMs: 60 })
})

afterAll(async () => {
  await h?.close()
})

beforeEach(async () => {
  for (let i = 0; i < 3; i++) await h.page.keyboard.press('Escape')
})

describe('Yunhu', () => {
  it('signs in with email and password beside nothing else, and lands in its chats', async () => {
    const page = h.page
    await byTestId(page, 'account-kind-yunhu').click()
    // A wrong password says so in words.
    await byTestId(page, 'yunhu-email').fill(YUNHU_EMAIL)
    await byTestId(page, 'yunhu-password').fill('not-the-password')
    await byTestId(page, 'yunhu-api').fill(h.serverHttp)
    await byTestId(page, 'yunhu-login-submit').click()
    await expect.poll(async () => (await byTestId(page, 'yunhu-login-error').textContent().catch(() => '')) ?? '', { timeout: 15_000 }).not.toBe('')
    await byTestId(page, 'yunhu-password').fill(YUNHU_PASSWORD)
    await byTestId(page, 'yunhu-login-submit').click()
    await page.locator('[data-testid="account-item"][data-kind="yunhu"]').waitFor({ timeout: 20_000 })
    await page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor({ timeout: 20_000 })
    await conversationItem(page, GROUP).waitFor({ timeout: 15_000 })
    expect(await page.locator('[data-testid="conversation-item"][data-kind="group"]').count()).toBeGreaterThan(0)
  })

  it('store → bot detail with the groups that use it', async () => {
    const page = h.page
    await section(page, 'store')
    await byTestId(page, 'store-banner').first().waitFor()
    expect(await byTestId(page, 'store-banner').count()).toBeGreaterThanOrEqual(2)
    await page.locator(`[data-testid="store-bot"][data-bot-id="${ECHO}"]`).waitFor()
    await h.screenshot('yunhu-store-en-light')
    // "View details" of the first banner opens its target bot.
    await byTestId(page, 'banner-view').first().click()
    const detail = page.locator(`[data-testid="bot-detail"][data-bot-id="${ECHO}"]`)
    await detail.waitFor()
    await byTestId(page, 'bot-detail-group').first().waitFor()
    expect(await page.locator(`[data-testid="bot-detail-group"][data-group-id="${GROUP}"]`).count()).toBe(1)
    await byTestId(page, 'bot-detail-back').click()
    await page.locator(`[data-testid="store-bot"][data-bot-id="${ECHO}"]`).click()
    await expect.poll(() => byTestId(page, 'bot-detail-name').textContent()).toContain('回声机器人')
    await h.screenshot('yunhu-bot-detail-en-light')
    await byTestId(page, 'bot-detail-back').click()
  })

  it('my bots: create, edit, reset the token (after confirming), set the subscription link', async () => {
    const page = h.page
    await section(page, 'console')
    await byTestId(page, 'my-bot').first().waitFor()
    // Tokens are hidden until revealed.
    const firstToken = byTestId(page, 'bot-token').first()
    expect(await firstToken.textContent()).toMatch(/^•+\w{4}$/)
    await byTestId(page, 'bot-token-reveal').first().click()
    expect(await firstToken.textContent()).toMatch(/^\w{16,}$/)
    await byTestId(page, 'bot-token-reveal').first().click()

    // Create (with XSS in the name and introduction: shown as text, never run).
    await byTestId(page, 'bot-create-open').click()
    await byTestId(page, 'bot-create-submit').click()
    await byTestId(page, 'bot-create-error').waitFor()
    await byTestId(page, 'bot-create-name').fill(XSS.name)
    await byTestId(page, 'bot-create-intro').fill(XSS.intro)
    await byTestId(page, 'bot-create-avatar').fill('javascript:alert(1)')
    await byTestId(page, 'bot-create-submit').click()
    await expect.poll(() => byTestId(page, 'bot-create-error').textContent()).toMatch(/http/)
    await byTestId(page, 'bot-create-avatar').fill('')
    await byTestId(page, 'bot-create-submit').click()
    await byTestId(page, 'bot-create-dialog').waitFor({ state: 'detached', timeout: 15_000 })
    // The new bot is selected.
    const newId = (await byTestId(page, 'my-bot-detail').getAttribute('data-bot-id'))!
    const created = page.locator(`[data-testid="my-bot"][data-bot-id="${newId}"]`)
    expect(await created.locator('[data-testid="my-bot-name"]').textContent()).toContain(XSS.name)
    expect(await xssFlag(page)).toBeUndefined()

    // Edit.
    await created.click()
    await byTestId(page, 'bot-tab-info').click()
    await byTestId(page, 'bot-edit-intro').fill(`${XSS.intro} (edited)`)
    await byTestId(page, 'bot-edit-save').click()
    await expect.poll(async () => (await page.locator('[data-testid="toast"]').allTextContents()).join(' ')).toMatch(/saved/i)

    // Reset the token: asks first; cancel keeps it, confirm shows the new one.
    await byTestId(page, 'bot-tab-token').click()
    await byTestId(page, 'detail-token-reveal').click()
    const before = (await byTestId(page, 'detail-token').textContent())!.trim()
    await byTestId(page, 'token-reset').click()
    await byTestId(page, 'confirm-dialog').waitFor()
    await byTestId(page, 'confirm-cancel').click()
    expect((await byTestId(page, 'detail-token').textContent())!.trim()).toBe(before)
    await byTestId(page, 'token-reset').click()
    await byTestId(page, 'confirm-ok').click()
    await byTestId(page, 'new-token').waitFor({ timeout: 15_000 })
    const after = (await byTestId(page, 'new-token-value').textContent())!.trim()
    expect(after).not.toBe(before)
    expect(after.length).toBeGreaterThan(10)

    // Subscription link: validated http/https.
    await byTestId(page, 'bot-link').fill('ftp://example.com/hook')
    await byTestId(page, 'bot-link-save').click()
    await byTestId(page, 'bot-link-error').waitFor()
    await byTestId(page, 'bot-link').fill('https://example.com/miodesk/hook')
    await byTestId(page, 'bot-link-save').click()
    await byTestId(page, 'bot-link-error').waitFor({ state: 'detached' })
    await expect.poll(async () => (await page.locator('[data-testid="toast"]').allTextContents()).join(' ')).toMatch(/link saved/i)
    // Read back from the server.
    await h.reload()
    await h.page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor({ timeout: 20_000 })
    await selectMyBot(h.page, newId)
    await byTestId(h.page, 'bot-tab-token').click()
    expect(await byTestId(h.page, 'bot-link').inputValue()).toBe('https://example.com/miodesk/hook')
    await byTestId(h.page, 'detail-token-reveal').click()
    expect((await byTestId(h.page, 'detail-token').textContent())!.trim()).toBe(after)

    // The new public bot in the store: name and introduction readable, nothing ran.
    await section(h.page, 'store')
    const card = h.page.locator(`[data-testid="store-bot"][data-bot-id="${newId}"]`)
    await card.waitFor()
    expect(await card.textContent()).toContain('<script>window.__xss=1</script>')
    await card.click()
    await expect.poll(() => byTestId(h.page, 'bot-detail-intro').textContent()).toContain('(edited)')
    expect(await xssFlag(h.page)).toBeUndefined()
    await byTestId(h.page, 'bot-detail-back').click()
  })

  it('the form builder edits the settings JSON; the raw view validates', async () => {
    const page = h.page
    await selectMyBot(page, ECHO)
    await byTestId(page, 'bot-tab-form').click()
    await byTestId(page, 'fb-item').first().waitFor()
    const n = await byTestId(page, 'fb-item').count()
    expect(n).toBe(6)
    await h.screenshot('yunhu-form-builder-en-light')
    // Add a select with options split on '#', move it up, then remove it again (after confirming).
    await byTestId(page, 'fb-add-type').selectOption('select')
    await byTestId(page, 'fb-add').click()
    const added = byTestId(page, 'fb-item').nth(n)
    await added.locator('[data-testid="fb-label"]').fill('颜色')
    await added.locator('[data-testid="fb-options"]').fill('红#绿#蓝')
    await added.locator('[data-testid="fb-default-choice"]').selectOption('绿')
    await added.locator('[data-testid="fb-up"]').click()
    expect(await byTestId(page, 'fb-item').nth(n - 1).getAttribute('data-type')).toBe('select')
    await byTestId(page, 'fb-view-raw').click()
    const raw = await byTestId(page, 'fb-raw').inputValue()
    expect(raw).toContain('"options": "红#绿#蓝"')
    await byTestId(page, 'fb-raw').fill('[{"id": 1')
    await byTestId(page, 'fb-raw-apply').click()
    await byTestId(page, 'fb-raw-error').waitFor()
    await byTestId(page, 'fb-raw').fill(raw)
    await byTestId(page, 'fb-view-builder').click()
    await byTestId(page, 'fb-item').nth(n - 1).locator('[data-testid="fb-remove"]').click()
    await byTestId(page, 'confirm-ok').click()
    await expect.poll(() => byTestId(page, 'fb-item').count()).toBe(n)
    await byTestId(page, 'fb-save').click()
    await expect.poll(async () => (await page.locator('[data-testid="toast"]').allTextContents()).join(' ')).toMatch(/form saved/i)
  })

  it('tabs follow the ARIA tabs pattern: one tab stop, arrow keys, Home/End, a labelled panel', async () => {
    const page = h.page
    const state = (testid: string) =>
      page.evaluate((id) => {
        const el = document.querySelector(`[data-testid="${id}"]`)!
        return { role: el.getAttribute('role'), selected: el.getAttribute('aria-selected'), tabindex: el.getAttribute('tabindex'), focused: document.activeElement === el }
      }, testid)
    const focusedTestId = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))

    await selectMyBot(page, ECHO)
    await byTestId(page, 'bot-tab-info').click()
    expect(await state('bot-tab-info')).toEqual({ role: 'tab', selected: 'true', tabindex: '0', focused: true })
    expect(await state('bot-tab-token')).toMatchObject({ selected: 'false', tabindex: '-1' })
    expect(await page.locator('[data-testid="bot-tab-info"]').evaluate((el) => el.parentElement!.getAttribute('role'))).toBe('tablist')
    await page.keyboard.press('ArrowRight')
    expect(await state('bot-tab-token')).toEqual({ role: 'tab', selected: 'true', tabindex: '0', focused: true })
    await byTestId(page, 'detail-token').waitFor()
    await page.keyboard.press('End')
    expect(await focusedTestId()).toBe('bot-tab-form')
    await byTestId(page, 'form-builder').waitFor()
    await page.keyboard.press('ArrowRight')
    expect(await focusedTestId()).toBe('bot-tab-info')
    await page.keyboard.press('ArrowLeft')
    expect(await state('bot-tab-form')).toMatchObject({ selected: 'true', focused: true })
    await page.keyboard.press('Home')
    expect(await state('bot-tab-info')).toMatchObject({ selected: 'true', focused: true })
    const panel = page.locator('[role="tabpanel"]')
    expect(await panel.getAttribute('aria-labelledby')).toBe(await byTestId(page, 'bot-tab-info').getAttribute('id'))
    expect(await byTestId(page, 'bot-tab-info').getAttribute('aria-controls')).toBe(await panel.getAttribute('id'))

    // The sidebar's sections are tabs too.
    await byTestId(page, 'yunhu-section-console').focus()
    await page.keyboard.press('ArrowLeft')
    expect(await state('yunhu-section-store')).toMatchObject({ selected: 'true', focused: true })
    await byTestId(page, 'store-bot').first().waitFor()
    await page.keyboard.press('ArrowLeft')
    expect(await state('yunhu-section-chats')).toMatchObject({ selected: 'true', tabindex: '0', focused: true })
    expect(await state('yunhu-section-console')).toMatchObject({ selected: 'false', tabindex: '-1' })
  })

  it('a group bot settings form: edit, save and read back', async () => {
    const page = h.page
    await section(page, 'store')
    await page.locator(`[data-testid="store-bot"][data-bot-id="${ECHO}"]`).click()
    await page.locator(`[data-testid="bot-detail-group"][data-group-id="${GROUP}"] [data-testid="group-settings-open"]`).click()
    const dlg = byTestId(page, 'group-settings-dialog')
    await dlg.locator('[data-testid="setting-input"]').waitFor({ timeout: 15_000 })
    expect(await dlg.locator('[data-type]').count()).toBe(6)
    await dlg.locator('[data-testid="setting-input"]').fill('湖湖')
    await dlg.locator('[data-testid="setting-radio"][value="日本語"]').check()
    await dlg.locator('[data-testid="setting-select"]').selectOption('天津')
    await dlg.locator('[data-testid="setting-textarea"]').fill('欢迎 <b>新朋友</b>')
    await dlg.locator('[data-testid="setting-checkbox"][value="股票"]').check()
    await dlg.locator('.yh-switch').click()
    await h.screenshot('yunhu-group-settings-en-light')
    await byTestId(page, 'group-settings-save').click()
    await byTestId(page, 'group-settings-saved').waitFor({ timeout: 15_000 })
    await page.keyboard.press('Escape')
    await dlg.waitFor({ state: 'detached' })
    // Read back in a fresh dialog.
    await page.locator(`[data-testid="bot-detail-group"][data-group-id="${GROUP}"] [data-testid="group-settings-open"]`).click()
    await dlg.locator('[data-testid="setting-input"]').waitFor({ timeout: 15_000 })
    expect(await dlg.locator('[data-testid="setting-input"]').inputValue()).toBe('湖湖')
    expect(await dlg.locator('[data-testid="setting-radio"][value="日本語"]').isChecked()).toBe(true)
    expect(await dlg.locator('[data-testid="setting-select"]').inputValue()).toBe('天津')
    expect(await dlg.locator('[data-testid="setting-textarea"]').inputValue()).toBe('欢迎 <b>新朋友</b>')
    expect(await dlg.locator('[data-testid="setting-checkbox"][value="股票"]').isChecked()).toBe(true)
    expect(await dlg.locator('[data-testid="setting-switch"]').isChecked()).toBe(false)
    await page.keyboard.press('Escape')
    await byTestId(page, 'bot-detail-back').click()
  })

  it('a board updates live; board and message HTML/Markdown payloads never run', async () => {
    const page = h.page
    const token = await botToken(page, ECHO)
    await openChat(page, GROUP)
    const board = byTestId(page, 'yunhu-board')
    await board.waitFor({ timeout: 15_000 })
    await openApi('board', token, { chatId: GROUP, chatType: 'group', contentType: 'markdown', content: '**实时看板** 第 1 版' })
    await expect.poll(() => board.textContent(), { timeout: 15_000 }).toContain('实时看板 第 1 版')
    await openApi('board', token, { chatId: GROUP, chatType: 'group', contentType: 'html', content: XSS.board })
    await expect.poll(() => board.getAttribute('data-content-type'), { timeout: 15_000 }).toBe('html')
    expect(await board.textContent()).toContain('看板 在线')
    expect(await board.locator('img[onerror], iframe, script').count()).toBe(0)

    // Bot messages with HTML and Markdown payloads.
    await openApi('send', token, { recvId: GROUP, recvType: 'group', contentType: 'html', content: { text: XSS.html } })
    await openApi('send', token, { recvId: GROUP, recvType: 'group', contentType: 'markdown', content: { text: XSS.markdown } })
    await expect.poll(() => page.locator('[data-testid="segment-html"]').filter({ hasText: 'HTML 安全' }).count(), { timeout: 15_000 }).toBeGreaterThan(0)
    await expect.poll(() => page.locator('[data-testid="segment-markdown"]').filter({ hasText: 'Markdown 安全' }).count(), { timeout: 15_000 }).toBeGreaterThan(0)
    const md = page.locator('[data-testid="segment-markdown"]').filter({ hasText: 'Markdown 安全' }).last()
    expect(await md.textContent()).toContain('<img src=x onerror=')
    expect(await page.locator('.yh-html script, .yh-html [onerror], .yh-html svg, a[href^="javascript:"]').count()).toBe(0)

    // My own HTML message through the composer.
    await byTestId(page, 'composer-type-html').click()
    await byTestId(page, 'composer').fill('<i>我的 HTML</i><img src=x onerror="window.__xss=1">')
    await byTestId(page, 'send').click()
    await expect.poll(() => page.locator('[data-testid="message"][data-self="1"] [data-testid="segment-html"]').filter({ hasText: '我的 HTML' }).count(), { timeout: 15_000 }).toBeGreaterThan(0)
    await byTestId(page, 'composer-type-text').click()
    await page.waitForTimeout(300)
    expect(await xssFlag(page)).toBeUndefined()
    // A group names its senders.
    expect(await byTestId(page, 'message-sender').count()).toBeGreaterThan(0)
    await h.screenshot('yunhu-group-chat-en-light')
  })

  it("images load through the app's media URL (the CDN refuses them without the Referer); a failed one shows why", async () => {
    const page = h.page
    // Like Yunhu's media hosts, the reference server's CDN stand-in refuses a request without the Referer.
    expect((await fetch(`${h.serverHttp}/cdn/chat-img.jwznb.com/miodesk-demo/e2e-photo.png`)).status).toBe(403)
    const token = await botToken(page, ECHO)
    await openChat(page, GROUP)
    await openApi('send', token, { recvId: GROUP, recvType: 'group', contentType: 'image', content: { imageUrl: 'https://chat-img.jwznb.com/miodesk-demo/e2e-photo.png' } })
    const img = page.locator('[data-testid="segment-image"] img[src*="e2e-photo.png"]')
    await img.waitFor({ timeout: 15_000 })
    const src = (await img.getAttribute('src'))!
    // The app's media URL on the bridge's own origin, with its token; never the CDN itself.
    expect(src).toMatch(/^\/media\/[^/]+\/https%3A%2F%2Fchat-img\.jwznb\.com%2Fmiodesk-demo%2Fe2e-photo\.png\?token=/)
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth), { timeout: 15_000 }).toBe(240)
    expect(h.server.yunhu!.cdn.hits.get('chat-img.jwznb.com/miodesk-demo/e2e-photo.png')).toBe(1)

    // One the CDN does not have, and one on a host that is not Yunhu's: a placeholder with the reason on hover.
    await openApi('send', token, { recvId: GROUP, recvType: 'group', contentType: 'image', content: { imageUrl: 'https://chat-img.jwznb.com/missing/gone.png' } })
    const gone = page.locator('[data-testid="segment-image-failed"][data-reason="not-found"]')
    await gone.waitFor({ timeout: 15_000 })
    expect(await gone.getAttribute('title')).toBe('The media server does not have it (any more)')
    await openApi('send', token, { recvId: GROUP, recvType: 'group', contentType: 'image', content: { imageUrl: 'https://evil.example/tracker.png' } })
    const foreign = page.locator('[data-testid="segment-image-failed"][data-reason="not-allowed"]')
    await foreign.waitFor({ timeout: 15_000 })
    expect(await foreign.getAttribute('data-detail')).toBe('evil.example is not a Yunhu media host, so it is not loaded')
    expect(await page.locator('[data-testid="segment-image"] img[src*="evil.example"]').count()).toBe(0)
    await showNewest(page)
    await h.screenshot('yunhu-media-en-light')
    await setLook(page, 'zh-CN', 'light')
    await openChat(page, GROUP)
    await expect.poll(() => gone.getAttribute('title'), { timeout: 5_000 }).toBe('媒体服务器上没有这个文件（或已删除）')
    await img.waitFor()
    await showNewest(page)
    await h.screenshot('yunhu-media-zh-light')
    await setLook(page, 'en', 'light')
  })

  it('buttons report a click; a quote is sent; a streamed bot reply grows', async () => {
    const page = h.page
    await openChat(page, GROUP)
    const report = page.locator('[data-testid="message-button"][data-action-type="3"]').first()
    await report.scrollIntoViewIfNeeded()
    const count = await page.locator('[data-testid="message"]').count()
    await report.click()
    await expect.poll(() => page.locator('[data-testid="message"]').count(), { timeout: 15_000 }).toBeGreaterThan(count)

    await openChat(page, ECHO)
    // Quote the latest message from the bot.
    const last = page.locator('[data-testid="message"][data-self="0"]').last()
    await last.click({ button: 'right' })
    await byTestId(page, 'action-reply').click()
    await byTestId(page, 'reply-banner').waitFor()
    await byTestId(page, 'composer').fill('引用一下')
    await byTestId(page, 'send').click()
    await page.locator('[data-testid="message"][data-self="1"]').filter({ hasText: '引用一下' }).locator('[data-testid="segment-reply"]').waitFor({ timeout: 15_000 })

    await byTestId(page, 'composer').fill('please stream a reply')
    await byTestId(page, 'send').click()
    // The bot's reply grows in several steps.
    const lengths: number[] = []
    const deadline = Date.now() + 20_000
    let stable = 0
    while (Date.now() < deadline) {
      const t = await page.locator('[data-testid="message"][data-self="0"]').last().textContent()
      const len = (t ?? '').length
      if (lengths[lengths.length - 1] !== len) lengths.push(len)
      else if (lengths.length > 3 && ++stable > 8) break
      await page.waitForTimeout(40)
    }
    expect(new Set(lengths).size).toBeGreaterThan(3)
    await h.screenshot('yunhu-stream-en-light')
  })

  it('screens in every language and theme (screenshots)', async () => {
    const page = h.page
    for (const [locale, theme, tag] of [
      ['en', 'dark', 'en-dark'],
      ['zh-CN', 'light', 'zh-light'],
      ['zh-CN', 'dark', 'zh-dark'],
      ['en', 'light', 'en-light']
    ] as const) {
      await setLook(page, locale, theme)
      await openChat(page, GROUP)
      await page.waitForTimeout(250)
      await h.screenshot(`yunhu-group-chat-${tag}`)
      await section(page, 'store')
      await byTestId(page, 'store-bot').first().waitFor()
      await h.screenshot(`yunhu-store-${tag}`)
      await page.locator(`[data-testid="store-bot"][data-bot-id="${ECHO}"]`).click()
      await byTestId(page, 'bot-detail-group').first().waitFor()
      await h.screenshot(`yunhu-bot-detail-${tag}`)
      await byTestId(page, 'group-settings-open').first().click()
      await byTestId(page, 'group-settings-dialog').locator('[data-testid="setting-input"]').waitFor()
      await h.screenshot(`yunhu-group-settings-${tag}`)
      await page.keyboard.press('Escape')
      await byTestId(page, 'bot-detail-back').click()
      await selectMyBot(page, ECHO)
      await byTestId(page, 'bot-tab-token').click()
      await h.screenshot(`yunhu-console-${tag}`)
      await byTestId(page, 'bot-tab-form').click()
      await byTestId(page, 'fb-item').first().waitFor()
      await h.screenshot(`yunhu-form-builder-${tag}`)
      await selectMyBot(page, '60000002')
      await byTestId(page, 'bot-tab-llm').click()
      await byTestId(page, 'llm-prompt').waitFor()
      await h.screenshot(`yunhu-llm-${tag}`)
      await byTestId(page, 'open-settings').first().waitFor()
    }
    // The add-account dialog with the Yunhu form.
    await byTestId(page, 'add-account').click()
    await byTestId(page, 'account-kind-yunhu').click()
    await h.screenshot('yunhu-add-account-en-light')
    await page.keyboard.press('Escape')
    expect(await xssFlag(page)).toBeUndefined()
    expect(h.pageErrors).toEqual([])
  })
})
