/**
 * The core's sentences in the UI's language: a Chinese UI whose server dies mid-reply says so in Chinese — the
 * interrupted reply, the connection banner — not in English. Screens zh/dark at 1280×800 and 800×600.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { login, openAi, sendText, startHarness, type Harness } from './harness'

let h: Harness
afterAll(async () => {
  await h?.close()
})

describe('words from the core in Chinese', () => {
  it('a server killed mid-reply: the reply and the banner say it in Chinese', async () => {
    h = await startHarness({ locale: 'zh-CN', colorScheme: 'dark' })
    await login(h)
    await openAi(h.page)
    await sendText(h.page, 'write something long')
    await h.page.waitForFunction(() => (document.querySelector('[data-testid="message"][data-ai-status="streaming"]')?.textContent ?? '').length > 200)
    await h.killServer()
    const status = h.page.locator('[data-testid="message"][data-ai-status] [data-testid="reply-status"]').last()
    await h.page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid="reply-status"]')).pop()?.getAttribute('data-status') === 'interrupted', undefined, { timeout: 15_000 })
    await expect(status.textContent()).resolves.toMatch(/回复完成前连接断开了|服务器正在关闭或重启/)
    await expect(status.textContent()).resolves.not.toMatch(/connection|server/i)
    const banner = h.page.locator('[data-testid="connection-banner"]').first()
    await banner.waitFor({ timeout: 15_000 })
    await expect(banner.textContent()).resolves.not.toMatch(/Connection lost|the server|broke off/)
    await h.screenshot('words-interrupted-zh-dark')
    await h.page.setViewportSize({ width: 800, height: 600 })
    await h.screenshot('words-interrupted-zh-dark-800')
  }, 60_000)
})
