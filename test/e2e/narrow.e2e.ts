/**
 * A narrow window (800×600): one pane at a time — the conversation list, or the open conversation / Yunhu
 * page (the store, the console, the address book) with a back button — beside the thin account rail; at 1280 both side by side. Every screen stays
 * usable at 800×600: the Yunhu section tabs keep their whole labels (in Chinese, the longest; the icons
 * give way first), the bot console's controls are inside the window at a usable width, the settings
 * dialog, the LLM editor and the login forms fit. Screens in zh/en, light/dark, at both sizes.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { Locator, Page } from 'playwright-core'
import { byTestId, login, openBot, yunhuSignIn, startHarness, type Harness } from './harness'
import { setLook, shootLooks } from './looks'

const harnesses: Harness[] = []
afterAll(async () => {
  for (const h of harnesses) await h.close()
})

const signIn = yunhuSignIn

/** Each section tab: is its label cut, and is its icon shown? */
const tabs = (page: Page) =>
  page.locator('[data-testid^="yunhu-section-"]').evaluateAll((els) =>
    els.map((b) => ({ clipped: b.scrollWidth > b.clientWidth + 1, icon: !!b.querySelector('svg') && getComputedStyle(b.querySelector('svg')!).display !== 'none' }))
  )

const layout = (page: Page) => byTestId(page, 'shell').getAttribute('data-layout')
const visible = (l: Locator) => l.evaluate((el) => (el as HTMLElement).offsetParent !== null || getComputedStyle(el).position === 'fixed')

/**
 * The visible controls under `root` that are not wholly inside the window (or cut by their own box), as
 * "name: why" — [] when every one can be seen and pressed. Scrolled containers are scrolled to each first.
 */
/** Scrolled to its top, the login screen shows its brand: nothing above it is cut off for good. */
async function loginTopReachable(page: Page): Promise<number> {
  return page.locator('.login-screen').evaluate((el) => {
    el.scrollTop = 0
    return el.querySelector('.login-screen__brand')!.getBoundingClientRect().top
  })
}

async function unusable(root: Locator): Promise<string[]> {
  return root.evaluate((el) => {
    const bad: string[] = []
    const vw = document.documentElement.clientWidth
    const vh = document.documentElement.clientHeight
    for (const c of el.querySelectorAll<HTMLElement>('button, input, select, textarea, [role="tab"], [role="option"]')) {
      if (!c.offsetParent || getComputedStyle(c).visibility === 'hidden') continue
      // A carousel's page dots are small by design (the banner itself and its arrows are the targets).
      if (c.classList.contains('yh-carousel__dot')) continue
      const small = ['checkbox', 'radio', 'range'].includes((c as HTMLInputElement).type)
      c.scrollIntoView({ block: 'nearest', inline: 'nearest' })
      const r = c.getBoundingClientRect()
      const name = c.dataset.testid || c.getAttribute('aria-label') || c.textContent?.trim().slice(0, 30) || c.tagName
      if (r.left < -0.5 || r.top < -0.5 || r.right > vw + 0.5 || r.bottom > vh + 0.5) bad.push(`${name}: outside (${Math.round(r.left)},${Math.round(r.top)})-(${Math.round(r.right)},${Math.round(r.bottom)})`)
      else if ((r.width < 20 || r.height < 16) && !small) bad.push(`${name}: ${Math.round(r.width)}×${Math.round(r.height)}`)
      else if ((c.tagName === 'INPUT' || c.tagName === 'SELECT' || c.tagName === 'TEXTAREA') && r.width < 120 && !small) bad.push(`${name}: only ${Math.round(r.width)} px wide`)
    }
    return bad
  })
}

describe('narrow windows', () => {
  it('one pane at a time below 900 px: the list, then the chat with a back button; side by side at 1280', async () => {
    const h = await startHarness({ viewport: { width: 800, height: 600 } })
    harnesses.push(h)
    const page = h.page
    // The login form fits.
    expect(await unusable(page.locator('.login-screen'))).toEqual([])
    await h.screenshot('narrow-login-en-light-800')
    await login(h)
    expect(await layout(page)).toBe('list')
    expect(await visible(page.locator('.sidebar'))).toBe(true)
    expect(await page.locator('.shell__pane').evaluate((el) => getComputedStyle(el).display)).toBe('none')
    const list = await page.locator('.sidebar').boundingBox()
    expect(list!.width).toBeGreaterThan(600)
    await openBot(page)
    expect(await layout(page)).toBe('pane')
    expect(await visible(page.locator('.sidebar'))).toBe(false)
    const chat = await page.locator('.chat').boundingBox()
    expect(chat!.width).toBeGreaterThan(700)
    expect(chat!.x + chat!.width).toBeLessThanOrEqual(800)
    expect(await unusable(page.locator('.chat__head'))).toEqual([])
    expect(await unusable(page.locator('.composer'))).toEqual([])
    await shootLooks(h, 'narrow-chat', async (size) => {
      // At 1280 both panes show and there is no back button.
      if (size.width === 1280) {
        expect(await layout(page)).toBe('wide')
        expect(await byTestId(page, 'narrow-back').count()).toBe(0)
      } else expect(await layout(page)).toBe('pane')
    })
    // Back to the list; the same conversation opens again from it.
    await byTestId(page, 'narrow-back').click()
    expect(await layout(page)).toBe('list')
    // The focus is on the conversation just left.
    await expect.poll(() => page.evaluate(() => document.activeElement?.outerHTML.slice(0, 200))).toContain('data-contact-id="bot"')
    await shootLooks(h, 'narrow-list', async (size) => {
      expect(await layout(page)).toBe(size.width === 1280 ? 'wide' : 'list')
    })
    await openBot(page)
    expect(await layout(page)).toBe('pane')

    // The settings dialog and the LLM editor fit in the window.
    await byTestId(page, 'narrow-back').click()
    await byTestId(page, 'open-settings').click()
    const settings = byTestId(page, 'settings-dialog')
    await settings.waitFor()
    expect(await unusable(settings)).toEqual([])
    await shootLooks(h, 'narrow-settings')
    await page.keyboard.press('Escape')
    await settings.waitFor({ state: 'detached' })
    await byTestId(page, 'new-llm').click()
    const editor = byTestId(page, 'llm-editor')
    await editor.waitFor()
    expect(await unusable(editor)).toEqual([])
    await shootLooks(h, 'narrow-llm-editor')
    await page.keyboard.press('Escape')
  }, 180_000)

  it('the Yunhu login form, the section tabs and the bot console are usable at 800×600', async () => {
    const h = await startHarness({ yunhu: true, viewport: { width: 800, height: 600 } })
    harnesses.push(h)
    const page = h.page
    await byTestId(page, 'account-kind-yunhu').click()
    expect(await unusable(page.locator('.login-screen'))).toEqual([])
    expect(await loginTopReachable(page)).toBeGreaterThanOrEqual(0)
    await h.screenshot('narrow-yunhu-login-en-light-800')
    await signIn(h)
    for (const look of [
      { locale: 'zh-CN', theme: 'light' },
      { locale: 'en', theme: 'dark' }
    ] as const) {
      await setLook(page, look)
      await page.setViewportSize({ width: 800, height: 600 })
      for (const t of await tabs(page)) expect(t.clipped, look.locale).toBe(false)
      await page.setViewportSize({ width: 1280, height: 800 })
      await page.waitForTimeout(100)
      for (const t of await tabs(page)) expect(t, look.locale).toEqual({ clipped: false, icon: true })
    }
    await setLook(page, { locale: 'en', theme: 'light' })
    await page.setViewportSize({ width: 800, height: 600 })

    await byTestId(page, 'yunhu-section-console').click()
    expect(await layout(page)).toBe('pane')
    await byTestId(page, 'my-bot').first().click()
    const detail = byTestId(page, 'my-bot-detail')
    await detail.waitFor()
    const box = await detail.boundingBox()
    expect(box!.width).toBeGreaterThanOrEqual(360)
    expect(box!.x + box!.width).toBeLessThanOrEqual(800)
    // Every tab of the bot's detail shows whole, without scrolling the tab row.
    expect(await detail.locator('[role="tablist"]').evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(1)
    const console_ = byTestId(page, 'yunhu-console')
    for (const tab of ['info', 'token', 'llm', 'form']) {
      const b = byTestId(page, `bot-tab-${tab}`)
      if (!(await b.count())) continue
      await b.click()
      expect(await unusable(console_), tab).toEqual([])
    }
    // Just wide enough for two panes (900 px): the list and the console side by side, the detail still usable.
    await page.setViewportSize({ width: 900, height: 700 })
    await page.waitForTimeout(100)
    expect(await layout(page)).toBe('wide')
    expect((await detail.boundingBox())!.width).toBeGreaterThanOrEqual(360)
    expect(await unusable(console_)).toEqual([])
    await h.screenshot('narrow-yunhu-console-en-light-900')
    await page.setViewportSize({ width: 800, height: 600 })
    await page.waitForTimeout(100)
    // The rail's settings gear stays in the window.
    expect(await unusable(page.locator('.rail'))).toEqual([])
    await byTestId(page, 'bot-tab-info').click()
    await shootLooks(h, 'narrow-yunhu-console', async () => {
      await detail.waitFor()
    })
    // Back to the list, where the section tabs are.
    await page.setViewportSize({ width: 800, height: 600 })
    await byTestId(page, 'narrow-back').click()
    expect(await layout(page)).toBe('list')
    await byTestId(page, 'yunhu-section-store').click()
    expect(await layout(page)).toBe('pane')
    expect(await unusable(byTestId(page, 'yunhu-store'))).toEqual([])
    await shootLooks(h, 'narrow-yunhu-store')
    // The address book from the contacts button in the list's header, and back from it.
    await byTestId(page, 'narrow-back').click()
    await byTestId(page, 'yunhu-section-contacts').click()
    expect(await layout(page)).toBe('pane')
    const book = byTestId(page, 'yunhu-contacts')
    await book.locator('[data-testid="contact-entry"]').first().waitFor()
    expect(await unusable(book)).toEqual([])
    await shootLooks(h, 'narrow-yunhu-contacts')
    // A group chat (its board, its composer with the text kinds) and its bot settings dialog.
    await byTestId(page, 'narrow-back').click()
    await byTestId(page, 'yunhu-section-chats').click()
    expect(await layout(page)).toBe('list')
    await page.locator('[data-testid="conversation-item"][data-contact-id="300000001"]').click()
    await byTestId(page, 'composer').waitFor()
    expect(await layout(page)).toBe('pane')
    expect(await unusable(page.locator('.chat__head'))).toEqual([])
    expect(await unusable(page.locator('.composer'))).toEqual([])
    await shootLooks(h, 'narrow-yunhu-group')
    await byTestId(page, 'chat-group-settings').click()
    const gs = byTestId(page, 'group-settings-dialog')
    await gs.waitFor()
    await page.waitForTimeout(300)
    expect(await unusable(gs)).toEqual([])
    await shootLooks(h, 'narrow-yunhu-group-settings')
  }, 240_000)
})
