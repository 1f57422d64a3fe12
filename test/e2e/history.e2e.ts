/**
 * Your history is yours (issue #13): the search finds a message in another account's conversation and opens
 * it there; a conversation exported as HTML opens in Chromium with its images and runs none of the scripts a
 * stranger put in it. Screens zh/en, light/dark, 1280×800 and 800×600.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { SCREENSHOT_DIR, byTestId, login, messageWithText, openBot, pasteImage, sendText, startHarness, TEST_PNG, type Harness } from './harness'
import { bridgeCall, shootLooks } from './looks'
import type { AccountInfo, ExportOutcome } from '../../src/shared/api'

let h: Harness
afterAll(async () => {
  await h?.close()
})

describe('history search and export', () => {
  it('finds a message of another account and opens it in its conversation', async () => {
    h = await startHarness({ locale: 'zh-CN' })
    const page = h.page
    await login(h, 'alice')
    await openBot(page)
    await sendText(page, '周末去买苹果派的配方 apple pie recipe')
    await messageWithText(page, '苹果派的配方').first().waitFor()
    // a second account on the same server, made the active one
    const bob = await bridgeCall<AccountInfo>(page, 'accounts:add', 'mio', { server: h.serverWs, id: 'bob', token: h.userCode })
    await page.locator(`[data-testid="account-item"][data-account-id="${bob.id}"]`).click()
    await page.waitForFunction((id) => document.querySelector('[data-testid="account-item"][aria-current="true"]')?.getAttribute('data-account-id') === id, bob.id)
    await page.keyboard.press('Control+Shift+F')
    await byTestId(page, 'history-search-input').fill('苹果派')
    const hit = byTestId(page, 'history-search-hit').first()
    await hit.waitFor()
    await expect(hit.getAttribute('data-account-id')).resolves.not.toBe(bob.id)
    await expect(hit.locator('mark').first().textContent()).resolves.toBe('苹果派')
    await shootLooks(h, 'history-search', async () => {
      if (!(await byTestId(page, 'history-search').count())) {
        await page.keyboard.press('Control+Shift+F')
        await byTestId(page, 'history-search-input').fill('苹果派')
      }
      await byTestId(page, 'history-search-hit').first().waitFor()
    })
    await hit.click()
    await byTestId(page, 'history-search').waitFor({ state: 'detached' })
    const shown = messageWithText(page, '苹果派的配方').first()
    await shown.waitFor()
    await expect(shown.isVisible()).resolves.toBe(true)
    await expect(byTestId(page, 'chat-title').textContent()).resolves.toBeTruthy()
    // a filter that excludes it: nothing
    await page.keyboard.press('Control+Shift+F')
    await byTestId(page, 'history-search-input').fill('苹果派')
    await byTestId(page, 'history-search-kind-file').click()
    await byTestId(page, 'history-search-none').waitFor()
    await page.keyboard.press('Escape')
    expect(h.pageErrors).toEqual([])
  }, 120_000)

  it('exports the conversation as HTML that opens offline, shows its images and runs no script', async () => {
    const page = h.page
    await openBot(page)
    await sendText(page, '<img src=x onerror="window.__pwned=1"> and <script>window.__pwned=2</script>')
    await pasteImage(page, TEST_PNG)
    await byTestId(page, 'send').click()
    await page.locator('[data-testid="message"] img').first().waitFor()
    // through the dialog (the browser build saves into its profile and offers a download)
    await byTestId(page, 'chat-export').click()
    await byTestId(page, 'export-format-html').check()
    const download = page.waitForEvent('download')
    await byTestId(page, 'export-go').click()
    await byTestId(page, 'export-done').waitFor()
    expect((await download).suggestedFilename()).toMatch(/\.html$/)
    await shootLooks(h, 'history-export', async () => {
      if (!(await byTestId(page, 'export-dialog').count())) await byTestId(page, 'chat-export').click()
    })
    await page.keyboard.press('Escape')
    // the file itself, opened as a user opens it (JavaScript on)
    const acc = (await bridgeCall<AccountInfo[]>(page, 'accounts:list')).find((a) => a.userId === 'alice')!
    const out = await bridgeCall<ExportOutcome>(page, 'history:export', acc.id, 'bot', 'html')
    const html = readFileSync(out.path, 'utf8')
    expect(html).toContain('&lt;script&gt;')
    const viewer = await h.context.newPage()
    const blocked: string[] = []
    viewer.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) blocked.push(r.url())
    })
    await viewer.goto(pathToFileURL(out.path).href)
    await viewer.waitForLoadState('load')
    await expect(viewer.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? 0)).resolves.toBe(0)
    const imgs = await viewer.locator('img').evaluateAll((els) => els.map((e) => ({ src: (e as HTMLImageElement).src.slice(0, 22), w: (e as HTMLImageElement).naturalWidth })))
    expect(imgs.length).toBeGreaterThan(0)
    expect(imgs.every((i) => i.src.startsWith('data:image/') && i.w > 0)).toBe(true)
    expect(blocked).toEqual([])
    await viewer.setViewportSize({ width: 1280, height: 800 })
    await viewer.screenshot({ path: join(SCREENSHOT_DIR, 'history-export-file.png') })
    await viewer.close()
  }, 120_000)
})
