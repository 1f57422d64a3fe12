/**
 * Code splitting of the built renderer: the first load leaves markdown-it, KaTeX and highlight.js out (read
 * from the build output), and a Markdown message shows its text while the Markdown chunk is still on its way
 * or failed to load, then renders as Markdown once the chunk is there. The chunk's requests are held or
 * failed through the browser context's request routing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Route } from 'playwright-core'
import { DEFAULT_STATIC_DIR } from '../../src/bridge/host'
import { allScripts, filesWithLibrary, gzipTotal, initialScripts } from '../helpers/bundle'
import { byTestId, cspViolations, login, messages, openBot, sendText, startHarness, type Harness } from './harness'

/** The renderer's goal for the first load (issue 14). */
const INITIAL_JS_BUDGET_GZIP = 150_000

/** The Markdown chunk's files: MarkdownView-<hash>.js and its stylesheet (KaTeX's). */
const MARKDOWN_CHUNK = /\/assets\/MarkdownView-[^/]+\.(js|css)$/

describe('build output', () => {
  it('the first load holds none of markdown-it, KaTeX and highlight.js, and stays within the budget', () => {
    const initial = initialScripts(DEFAULT_STATIC_DIR)
    const all = allScripts(DEFAULT_STATIC_DIR)
    expect(initial.length).toBeGreaterThan(0)
    const inAll = filesWithLibrary(DEFAULT_STATIC_DIR, all)
    const inInitial = filesWithLibrary(DEFAULT_STATIC_DIR, initial)
    for (const lib of Object.keys(inAll)) {
      // The marker must be found somewhere (else this test would prove nothing), and not in the first load.
      expect(inAll[lib], `${lib} in some chunk`).not.toEqual([])
      expect(inInitial[lib], `${lib} in the first load`).toEqual([])
    }
    expect(gzipTotal(DEFAULT_STATIC_DIR, initial)).toBeLessThanOrEqual(INITIAL_JS_BUDGET_GZIP)
  })
})

describe('Markdown on first use', () => {
  let h: Harness
  let held: Route[] = []
  let release: () => void = () => {}
  const gate = new Promise<void>((r) => (release = r))
  let mode: 'hold' | 'fail' | 'pass' = 'hold'

  beforeAll(async () => {
    h = await startHarness({ chunkDelayMs: 5 })
    await h.context.route(MARKDOWN_CHUNK, async (route) => {
      if (mode === 'fail') return route.abort('failed')
      if (mode === 'pass') return route.continue()
      held.push(route)
      await gate
      await route.continue()
    })
  })

  afterAll(async () => {
    release()
    await h?.close()
  })

  /** Every instance of the Markdown component, whether it shows the plain text ([data-md-pending]) or Markdown. */
  const md = (text: string) => messages(h.page).filter({ hasText: text }).locator('.md')

  it('shows the text while the chunk is held, and the Markdown once it arrives', async () => {
    mode = 'hold'
    await h.reload()
    await login(h)
    await openBot(h.page)
    const text = 'Lazy **bold** and `code`\nsecond line'
    await sendText(h.page, text)
    // Own message and the bot's echo: the text is there, as written, with no Markdown rendered yet.
    await expect.poll(() => md('Lazy **bold**').count(), { timeout: 15_000 }).toBe(2)
    expect(held.length).toBeGreaterThan(0)
    for (const el of await md('Lazy **bold**').all()) {
      expect(await el.getAttribute('data-md-pending')).not.toBeNull()
      expect(await el.innerText()).toBe(text)
      expect(await el.locator('strong').count()).toBe(0)
    }
    await h.screenshot('lazy-markdown-pending-en-light')
    release()
    // Now rendered: bold and inline code, and no placeholder left anywhere.
    await expect.poll(() => messages(h.page).locator('.md strong', { hasText: 'bold' }).count(), { timeout: 15_000 }).toBe(2)
    expect(await messages(h.page).locator('.md code', { hasText: 'code' }).count()).toBe(2)
    expect(await h.page.locator('[data-md-pending]').count()).toBe(0)
    expect(await cspViolations(h.page)).toEqual([])
  })

  it('a chunk that fails to load leaves the text on screen, and a later attempt renders it', async () => {
    mode = 'fail'
    held = []
    await h.reload()
    await h.page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor({ timeout: 15_000 })
    await openBot(h.page)
    // The messages of the first test, shown as plain text: the chunk request failed.
    await expect.poll(() => h.page.locator('[data-md-pending]').filter({ hasText: 'Lazy **bold**' }).count(), { timeout: 15_000 }).toBeGreaterThan(0)
    await sendText(h.page, 'After a **failed** load')
    await expect.poll(() => md('After a **failed** load').count(), { timeout: 15_000 }).toBe(2)
    for (const el of await md('After a **failed** load').all()) expect(await el.innerText()).toBe('After a **failed** load')
    // Let the retries through: the same messages become Markdown.
    mode = 'pass'
    await expect.poll(() => messages(h.page).locator('.md strong', { hasText: 'failed' }).count(), { timeout: 20_000 }).toBe(2)
    expect(await h.page.locator('[data-md-pending]').count()).toBe(0)
    expect(h.pageErrors).toEqual([])
  })

  it('the settings dialog (a lazy chunk) opens from the login screen', async () => {
    mode = 'pass'
    // A fresh login screen: the account of the first test is removed through the bridge host.
    const ids = h.bridge.core.accounts.list().map((a) => a.id)
    for (const id of ids) h.bridge.core.accounts.remove(id)
    await h.reload()
    await byTestId(h.page, 'login-server').waitFor()
    await byTestId(h.page, 'open-settings').click()
    await byTestId(h.page, 'settings-dialog').waitFor()
    await h.page.keyboard.press('Escape')
    expect(h.pageErrors).toEqual([])
  })
})
