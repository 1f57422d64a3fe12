/**
 * Language and theme: following the system, switching in settings, kept across reloads. Also writes the
 * screenshots of the main screens (light and dark, zh and en) into screenshots/.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { TEST_PNG, byTestId, login, openAi, openBot, pasteImage, sendText, startHarness, type Harness } from './harness'

let h: Harness

beforeAll(async () => {
  h = await startHarness({ chunkDelayMs: 5 })
})

afterAll(async () => {
  await h?.close()
})

beforeEach(async () => {
  for (let i = 0; i < 3; i++) await h.page.keyboard.press('Escape')
})

const CJK = /[\u4e00-\u9fff]/

/** Visible text of the app without the user's own content (chat messages). */
async function chromeText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const clone = document.body.cloneNode(true) as HTMLElement
    clone.querySelectorAll('[data-testid="message"], [data-testid="conversation-item"]').forEach((n) => n.remove())
    return clone.innerText
  })
}

/** Relative luminance (0..1) of the page background under the main area. */
async function backgroundLuminance(page: Page): Promise<number> {
  return page.evaluate(() => {
    let el: Element | null = document.elementFromPoint(innerWidth / 2, innerHeight / 2)
    while (el) {
      const c = getComputedStyle(el).backgroundColor
      const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(c)
      if (m && (m[4] === undefined || Number(m[4]) > 0.5)) {
        const [r, g, b] = [m[1], m[2], m[3]].map((v) => {
          const x = Number(v) / 255
          return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4
        })
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!
      }
      el = el.parentElement
    }
    return 1
  })
}

async function setInSettings(page: Page, locale: 'en' | 'zh-CN', theme: 'light' | 'dark'): Promise<void> {
  await byTestId(page, 'open-settings').first().click()
  await byTestId(page, 'settings-locale').selectOption(locale)
  await byTestId(page, 'settings-theme').selectOption(theme)
  await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme)
}

async function closeSettings(page: Page): Promise<void> {
  await page.keyboard.press('Escape')
  await byTestId(page, 'settings-theme').waitFor({ state: 'detached' })
}

const COMBOS = [
  { locale: 'en', theme: 'light', tag: 'en-light' },
  { locale: 'en', theme: 'dark', tag: 'en-dark' },
  { locale: 'zh-CN', theme: 'light', tag: 'zh-light' },
  { locale: 'zh-CN', theme: 'dark', tag: 'zh-dark' }
] as const

describe('language and theme', () => {
  it('follows the system locale and colour scheme by default', async () => {
    expect(await h.page.evaluate(() => document.documentElement.dataset.theme)).toBe('light')
    expect(await chromeText(h.page)).not.toMatch(CJK)
    const ctx = await h.browser.newContext({ locale: 'zh-CN', colorScheme: 'dark', viewport: { width: 1280, height: 800 } })
    try {
      const p = await ctx.newPage()
      await p.goto(h.bridge.url)
      await byTestId(p, 'login-submit').waitFor()
      await p.waitForFunction(() => document.documentElement.dataset.theme === 'dark')
      expect(await chromeText(p)).toMatch(CJK)
      expect(await backgroundLuminance(p)).toBeLessThan(0.2)
    } finally {
      await ctx.close()
    }
  })

  it('login screen in every language and theme (screenshots)', async () => {
    for (const c of COMBOS) {
      await setInSettings(h.page, c.locale, c.theme)
      await closeSettings(h.page)
      await h.screenshot(`login-${c.tag}`)
    }
    await setInSettings(h.page, 'en', 'light')
    await closeSettings(h.page)
  })

  it('switches language and theme in settings, and keeps them after a reload', async () => {
    await login(h)
    await openBot(h.page)
    await setInSettings(h.page, 'zh-CN', 'dark')
    expect(await chromeText(h.page)).toMatch(CJK)
    expect(await backgroundLuminance(h.page)).toBeLessThan(0.2)
    await closeSettings(h.page)
    const page = await h.reload()
    await page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor({ timeout: 15_000 })
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark')
    expect(await chromeText(page)).toMatch(CJK)
    await setInSettings(page, 'en', 'light')
    await closeSettings(page)
    const text = await chromeText(page)
    expect(text.match(/.{0,40}[\u4e00-\u9fff]+.{0,40}/g) ?? []).toEqual([])
    expect(await backgroundLuminance(page)).toBeGreaterThan(0.5)
  })

  it('main screens in every language and theme (screenshots)', async () => {
    const page = h.page
    // Some content: text, Markdown with code and a table, an image, a forward, and an AI reply with a tool.
    await openBot(page)
    await sendText(page, 'Hi Mio! Here is the **plan** for today:\n\n- review the `bridge`\n- ship the *browser build*')
    await sendText(page, '```ts\nconst answer = 6 * 7\nconsole.log(answer)\n```\n\n| Key | Value |\n|---|---|\n| a | 1 |\n| b | 2 |')
    await pasteImage(page, TEST_PNG)
    await byTestId(page, 'send').click()
    await sendText(page, '/forward')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="forward-card"]').length > 0)
    await openAi(page)
    await sendText(page, 'what time is it? then calculate 12*(3+4)')
    await page.waitForFunction(() => {
      const rows = document.querySelectorAll('[data-testid="message"][data-ai-status]')
      return rows[rows.length - 1]?.getAttribute('data-ai-status') === 'completed'
    }, undefined, { timeout: 30_000 })
    for (const c of COMBOS) {
      await setInSettings(page, c.locale, c.theme)
      await h.screenshot(`settings-${c.tag}`)
      await closeSettings(page)
      await openBot(page)
      await page.waitForTimeout(300)
      await h.screenshot(`chat-bot-${c.tag}`)
      await openAi(page)
      await page.waitForTimeout(300)
      await h.screenshot(`chat-ai-${c.tag}`)
    }
    await setInSettings(page, 'en', 'light')
    await closeSettings(page)
    expect(h.pageErrors).toEqual([])
  })
})
