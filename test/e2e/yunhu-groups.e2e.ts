/**
 * Yunhu groups and bot commands in the window, against the reference server: a group's info panel
 * (members searched and paged with "load more", role badges), muting and removing a member as the
 * owner (a plain member gets no member menu), running bot commands from "/" (normal, direct and
 * form) and a quick-menu button with the bot's answers, and mentioning a member with "@".
 * Screenshots in zh/en, light/dark, 1280×800 and 800×600 go to screenshots/.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { backToList, byTestId, conversationItem, messageWithText, resizeWindow, startHarness, yunhuSignIn, type Harness } from './harness'

let h: Harness
const GROUP = '300000001'
const DEV_GROUP = '300000002'
const ECHO = '60000001'

async function setLook(page: Page, locale: 'en' | 'zh-CN', theme: 'light' | 'dark'): Promise<void> {
  await byTestId(page, 'open-settings').first().click()
  await byTestId(page, 'settings-locale').selectOption(locale)
  await byTestId(page, 'settings-theme').selectOption(theme)
  await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme)
  await page.keyboard.press('Escape')
  await byTestId(page, 'settings-theme').waitFor({ state: 'detached' })
}

/** Opens a chat from the list (in a narrow window, back to the list first, as a user would). */
async function openChat(page: Page, id: string): Promise<void> {
  await backToList(page)
  await byTestId(page, 'yunhu-section-chats').click()
  await conversationItem(page, id).click()
  await byTestId(page, 'composer').waitFor()
}

async function openPanel(page: Page): Promise<void> {
  await byTestId(page, 'chat-group-info').click()
  await byTestId(page, 'group-panel').waitFor()
  await expect.poll(() => byTestId(page, 'member-row').count(), { timeout: 15_000 }).toBeGreaterThan(0)
}

const rows = (page: Page) => byTestId(page, 'member-row')

beforeAll(async () => {
  h = await startHarness({ yunhu: true, chunkDelayMs: 40 })
  const page = h.page
  await yunhuSignIn(h)
  await conversationItem(page, GROUP).waitFor({ timeout: 15_000 })
})

afterAll(async () => {
  await h?.close()
})

beforeEach(async () => {
  for (let i = 0; i < 3; i++) await h.page.keyboard.press('Escape')
})

describe('Yunhu groups', () => {
  it("opens a group's members: owner first with its badge, search, load more", async () => {
    const page = h.page
    await openChat(page, GROUP)
    await openPanel(page)
    await expect.poll(() => byTestId(page, 'group-count').textContent()).toContain('63')
    await expect.poll(() => rows(page).count()).toBe(50)
    await expect.poll(() => rows(page).first().getAttribute('data-user-id')).toBe('1000001')
    expect(await rows(page).first().locator('[data-testid="member-role"]').textContent()).toBeTruthy()
    await byTestId(page, 'member-more').click()
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(63)
    expect(await byTestId(page, 'member-more').count()).toBe(0)
    await byTestId(page, 'member-search').fill('林晓')
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(1)
    expect(await rows(page).first().textContent()).toContain('林晓雨')
    await byTestId(page, 'member-search').fill('')
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(50)
    await h.screenshot('yunhu-group-members-en-light')
  })

  it('mutes a member as the owner, shown in the list', async () => {
    const page = h.page
    await openPanel(page)
    await byTestId(page, 'member-search').fill('小云')
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(1)
    const row = rows(page).first()
    await row.locator('[data-testid="member-menu"]').click()
    await h.screenshot('yunhu-group-member-menu-en-light')
    await row.locator('[data-testid="mute-3600"]').click()
    await row.locator('[data-testid="member-muted"]').waitFor()
    // Read back from the server: the panel opened again shows the mute.
    await page.keyboard.press('Escape')
    await openPanel(page)
    await byTestId(page, 'member-search').fill('小云')
    await expect.poll(() => rows(page).first().locator('[data-testid="member-muted"]').count(), { timeout: 10_000 }).toBe(1)
    await page.keyboard.press('Escape')
  })

  it('removes a member as the owner after a confirmation', async () => {
    const page = h.page
    await openPanel(page)
    await byTestId(page, 'member-search').fill('2000055')
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(1)
    const row = rows(page).first()
    const name = (await row.locator('.yhg-member__name').textContent())!.trim()
    await row.locator('[data-testid="member-menu"]').click()
    await row.locator('[data-testid="member-remove"]').click()
    await expect.poll(() => byTestId(page, 'confirm-text').textContent()).toContain(name)
    await byTestId(page, 'confirm-ok').click()
    await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(0)
    await expect.poll(() => byTestId(page, 'group-count').textContent()).toContain('62')
    await page.keyboard.press('Escape')
  })

  it("a plain member has no member menu; the bots tab shows the group's bots and board", async () => {
    const page = h.page
    await openChat(page, DEV_GROUP)
    await openPanel(page)
    expect(await byTestId(page, 'member-menu').count()).toBe(0)
    await page.keyboard.press('Escape')
    await openChat(page, GROUP)
    await openPanel(page)
    await byTestId(page, 'group-tab-bots').click()
    await expect.poll(() => byTestId(page, 'group-bot').count()).toBe(2)
    await page.keyboard.press('Escape')
  })
})

describe('Yunhu bot commands and mentions', () => {
  it('"/" opens the command picker, filters as you type; a normal command is sent with the text and the bot answers', async () => {
    const page = h.page
    await openChat(page, GROUP)
    const composer = byTestId(page, 'composer')
    await composer.fill('')
    await composer.pressSequentially('/')
    await byTestId(page, 'command-picker').waitFor()
    await expect.poll(() => byTestId(page, 'command-option').count(), { timeout: 10_000 }).toBe(4)
    // The input names the highlighted option (combobox pattern); arrows move it.
    await expect.poll(() => composer.getAttribute('aria-activedescendant')).toBe('yhc-cmd-2101')
    expect(await composer.getAttribute('aria-expanded')).toBe('true')
    await composer.press('ArrowDown')
    await expect.poll(() => composer.getAttribute('aria-activedescendant')).toBe('yhc-cmd-3051')
    await composer.press('ArrowUp')
    await h.screenshot('yunhu-command-picker-en-light')
    await composer.pressSequentially('天气')
    await expect.poll(() => byTestId(page, 'command-option').count()).toBe(2)
    // Keyboard: the first is 天气查询 (normal).
    await composer.press('Enter')
    await byTestId(page, 'command-chip').waitFor()
    expect(await composer.inputValue()).toBe('')
    await composer.fill('上海')
    await composer.press('Enter')
    await messageWithText(page, '指令 /天气查询: 上海').first().waitFor({ timeout: 15_000 })
    expect(await byTestId(page, 'command-chip').count()).toBe(0)
  })

  it('a direct command is sent at once', async () => {
    const page = h.page
    const composer = byTestId(page, 'composer')
    await composer.pressSequentially('/今日')
    await expect.poll(() => byTestId(page, 'command-option').count()).toBe(1)
    await byTestId(page, 'command-option').first().click()
    await messageWithText(page, '指令 /今日天气 已执行').first().waitFor({ timeout: 15_000 })
    expect(await composer.inputValue()).toBe('')
  })

  it("a group's quick-menu button fires menu/event and the bot answers", async () => {
    const page = h.page
    const button = byTestId(page, 'quick-menu').filter({ hasText: '最近构建' })
    await button.waitFor({ timeout: 10_000 })
    await button.click()
    await messageWithText(page, '菜单「最近构建」: recent-builds').first().waitFor({ timeout: 15_000 })
  })

  it("a form command opens its form and sends the values (in the bot's private chat, from instruction/list)", async () => {
    const page = h.page
    await openChat(page, ECHO)
    const composer = byTestId(page, 'composer')
    await composer.pressSequentially('/重新')
    await expect.poll(() => byTestId(page, 'command-option').count(), { timeout: 10_000 }).toBe(1)
    await composer.press('Tab')
    const form = byTestId(page, 'command-form')
    await form.waitFor()
    await form.locator('[data-testid="setting-input"]').fill('release-1')
    await form.locator('[data-testid="setting-radio"]').nth(1).check()
    await h.screenshot('yunhu-command-form-en-light')
    await byTestId(page, 'command-form-send').click()
    await form.waitFor({ state: 'detached' })
    const reply = messageWithText(page, '收到表单').first()
    await reply.waitFor({ timeout: 15_000 })
    expect(await reply.textContent()).toContain('分支: release-1')
    expect(await reply.textContent()).toContain('环境: 生产')
  })

  it('"@" in a group opens the member picker; the mention is sent and shown as a mention', async () => {
    const page = h.page
    await openChat(page, GROUP)
    const composer = byTestId(page, 'composer')
    await composer.fill('')
    await composer.pressSequentially('请 @Kev')
    await byTestId(page, 'mention-picker').waitFor()
    await expect.poll(() => byTestId(page, 'mention-option').count(), { timeout: 10_000 }).toBe(1)
    await h.screenshot('yunhu-mention-picker-en-light')
    await composer.press('Enter')
    expect(await composer.inputValue()).toBe('请 @Kevin Zhao ')
    await composer.pressSequentially('看一下')
    await composer.press('Enter')
    const sent = messageWithText(page, '看一下').last()
    await sent.waitFor({ timeout: 15_000 })
    await expect.poll(() => sent.locator('[data-testid="segment-at"][data-user-id="3920475"]').count(), { timeout: 10_000 }).toBeGreaterThan(0)
  })

  it('screens in zh and en, light and dark, 1280×800 and 800×600', async () => {
    const page = h.page
    for (const [locale, theme] of [
      ['zh-CN', 'light'],
      ['zh-CN', 'dark'],
      ['en', 'dark']
    ] as const) {
      await setLook(page, locale, theme)
      await openChat(page, GROUP)
      await openPanel(page)
      await h.screenshot(`yunhu-group-members-${locale}-${theme}`)
      await page.keyboard.press('Escape')
      await byTestId(page, 'composer').pressSequentially('/')
      await expect.poll(() => byTestId(page, 'command-option').count(), { timeout: 10_000 }).toBe(4)
      await h.screenshot(`yunhu-command-picker-${locale}-${theme}`)
      await byTestId(page, 'composer').fill('')
    }
    // One pane at a time at 800×600: the chat (reached from the list with the back button) and its panel.
    await resizeWindow(page, 800, 600)
    for (const [locale, theme] of [
      ['en', 'dark'],
      ['zh-CN', 'light']
    ] as const) {
      await setLook(page, locale, theme)
      await openChat(page, GROUP)
      expect(await byTestId(page, 'shell').getAttribute('data-layout')).toBe('pane')
      await openPanel(page)
      await h.screenshot(`yunhu-group-members-${locale}-${theme}-800`)
      await page.keyboard.press('Escape')
      await byTestId(page, 'composer').pressSequentially('/')
      await expect.poll(() => byTestId(page, 'command-option').count(), { timeout: 10_000 }).toBe(4)
      await h.screenshot(`yunhu-command-picker-${locale}-${theme}-800`)
      await byTestId(page, 'composer').fill('')
    }
    await page.setViewportSize({ width: 1280, height: 800 })
  })
})
