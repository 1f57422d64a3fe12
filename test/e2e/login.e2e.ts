/** Logging in through the browser build: wrong code, right code, the account survives a reload. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { byTestId, conversationItem, cspViolations, login, startHarness, type Harness } from './harness'

let h: Harness

beforeAll(async () => {
  h = await startHarness()
})

afterAll(async () => {
  await h?.close()
})

describe('login', () => {
  it('shows the login form', async () => {
    await byTestId(h.page, 'login-server').waitFor()
    await expect(byTestId(h.page, 'login-submit').isVisible()).resolves.toBe(true)
    await h.screenshot('login-en-light')
  })

  it('the page has a favicon and loads without a console error', async () => {
    const href = await h.page.locator('link[rel="icon"]').getAttribute('href')
    const res = await h.page.evaluate(async (u) => {
      const r = await fetch(u!)
      return { status: r.status, type: r.headers.get('content-type') }
    }, href)
    expect(res).toEqual({ status: 200, type: 'image/svg+xml' })
    expect(h.consoleErrors).toEqual([])
  })

  it('a wrong access code shows the error in words and stays on the form', async () => {
    const page = h.page
    await byTestId(page, 'login-server').fill(h.serverWs)
    await byTestId(page, 'login-id').fill('alice')
    await byTestId(page, 'login-token').fill('definitely-wrong')
    await byTestId(page, 'login-submit').click()
    const err = byTestId(page, 'login-error')
    await err.waitFor({ timeout: 15_000 })
    const text = (await err.innerText()).trim()
    expect(text.length).toBeGreaterThan(5)
    // Words, not codes or stacks, and never the code that was typed.
    expect(text).not.toMatch(/\bat \S+:\d+|Error:|\{|code\s*[:=]\s*\d/)
    expect(text).not.toContain('definitely-wrong')
    await expect(byTestId(page, 'login-submit').isVisible()).resolves.toBe(true)
    await h.screenshot('login-error-en-light')
  })

  it('an unreachable server shows an error too', async () => {
    const page = h.page
    try {
      await byTestId(page, 'login-server').fill('ws://127.0.0.1:1')
      await byTestId(page, 'login-id').fill('alice')
      await byTestId(page, 'login-token').fill(h.userCode)
      await byTestId(page, 'login-submit').click()
      await page.waitForFunction(
        () => {
          const e = document.querySelector('[data-testid="login-error"]')
          return !!e && (e.textContent ?? '').trim().length > 5
        },
        undefined,
        { timeout: 20_000 }
      )
      await expect(byTestId(page, 'login-error').innerText()).resolves.toMatch(/reach|unreachable|connect|无法|连接/i)
    } finally {
      // A fresh form for the next test, whatever happened here.
      await h.reload()
      await byTestId(h.page, 'login-server').waitFor()
    }
  })

  it('the account kind is a tab list: arrow keys switch between the Mio-Chat and Yunhu forms', async () => {
    const page = h.page
    const mio = byTestId(page, 'account-kind-mio')
    const yunhu = byTestId(page, 'account-kind-yunhu')
    expect(await mio.getAttribute('aria-selected')).toBe('true')
    expect(await yunhu.getAttribute('tabindex')).toBe('-1')
    await mio.focus()
    await page.keyboard.press('ArrowRight')
    await byTestId(page, 'yunhu-login-form').waitFor()
    expect(await yunhu.getAttribute('aria-selected')).toBe('true')
    expect(await yunhu.evaluate((el) => el === document.activeElement)).toBe(true)
    await page.keyboard.press('ArrowLeft')
    await byTestId(page, 'login-server').waitFor()
    expect(await mio.getAttribute('aria-selected')).toBe('true')
    expect(await mio.getAttribute('tabindex')).toBe('0')
  })

  it('the right code logs in; the indicator says online; the bot and the AI contact are listed', async () => {
    await login(h)
    await conversationItem(h.page, 'bot').waitFor()
    await h.page.locator('[data-testid="conversation-item"][data-contact-id^="llm:"]').first().waitFor()
    await expect(h.page.locator('[data-testid="connection-state"]').first().getAttribute('data-state')).resolves.toBe('online')
  })

  it('the account survives a page reload (kept by the bridge host)', async () => {
    const page = await h.reload()
    await page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor({ timeout: 15_000 })
    await conversationItem(page, 'bot').waitFor()
  })

  it('no page errors and no CSP violations', async () => {
    expect(h.pageErrors).toEqual([])
    expect(await cspViolations(h.page)).toEqual([])
  })
})
