/**
 * Versions of an answer through the browser build against the reference server's "mio-demo" model:
 * Regenerate keeps the first answer (‹ 2/2 ›), switching back shows it again, a reload keeps both, and
 * editing the last prompt starts a new branch (‹ 2/2 › on the prompt). The clock tool's answer names the
 * second it ran, so two generations a second apart differ.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Locator, Page } from 'playwright-core'
import { byTestId, login, openAi, sendText, setLook, startHarness, type Harness } from './harness'

let h: Harness

beforeAll(async () => {
  h = await startHarness({ chunkDelayMs: 5 })
  await login(h)
  await openAi(h.page)
})

afterAll(async () => {
  await h?.close()
})

const lastReply = (page: Page): Locator => page.locator('[data-testid="message"][data-ai-status]').last()
const lastPrompt = (page: Page): Locator => page.locator('[data-testid="message"][data-self="1"]').last()
const answerText = async (page: Page): Promise<string> => (await lastReply(page).locator('.md').first().innerText()).trim()
const replyDone = (page: Page): Promise<void> => lastReply(page).locator('[data-testid="reply-status"][data-status="completed"]').waitFor({ timeout: 30_000 })

describe('versions of an answer', () => {
  it('Regenerate keeps the first answer; ‹ › switches between them; a reload keeps both', async () => {
    const page = h.page
    await sendText(page, 'what time is it?')
    await replyDone(page)
    const first = await answerText(page)
    expect(first).toMatch(/The current time is/)
    await page.waitForTimeout(1100)
    await lastReply(page).locator('[data-testid="regenerate"]').click()
    await expect.poll(() => lastReply(page).locator('[data-testid="version-pos"]').textContent(), { timeout: 30_000 }).toBe('2/2')
    await replyDone(page)
    const second = await answerText(page)
    expect(second).toMatch(/The current time is/)
    expect(second).not.toBe(first)
    // Still one reply on screen.
    expect(await page.locator('[data-testid="message"][data-ai-status]').count()).toBe(1)

    // Back to the first: by the button, then forward again with the keyboard (→ on the focused switcher).
    const sw = lastReply(page).locator('[data-testid="version-switch"]')
    await expect(sw.getAttribute('aria-label')).resolves.toBe('Answers to this prompt')
    await sw.locator('[data-testid="version-prev"]').click()
    await expect.poll(() => lastReply(page).locator('[data-testid="version-pos"]').textContent()).toBe('1/2')
    await expect.poll(() => answerText(page)).toBe(first)
    await expect(sw.locator('[data-testid="version-prev"]').getAttribute('aria-disabled')).resolves.toBe('true')
    await sw.locator('[data-testid="version-next"]').focus()
    await page.keyboard.press('ArrowRight')
    await expect.poll(() => answerText(page)).toBe(second)
    await page.keyboard.press('ArrowLeft')
    await expect.poll(() => answerText(page)).toBe(first)

    // Reload: both versions are still there, the first one shown.
    const p2 = await h.reload()
    if (!(await lastReply(p2).isVisible().catch(() => false))) await openAi(p2)
    await expect.poll(() => lastReply(p2).locator('[data-testid="version-pos"]').textContent(), { timeout: 15_000 }).toBe('1/2')
    await expect.poll(() => answerText(p2)).toBe(first)
    await lastReply(p2).locator('[data-testid="version-next"]').click()
    await expect.poll(() => answerText(p2)).toBe(second)
  })

  it('editing the last prompt and resending starts a new branch; switching the prompt brings its answer', async () => {
    const page = h.page
    await lastPrompt(page).hover()
    await lastPrompt(page).locator('[data-testid="prompt-edit"]').click()
    await byTestId(page, 'prompt-edit-input').fill('say hello to the edited prompt')
    await byTestId(page, 'prompt-edit-send').click()
    await expect.poll(() => lastPrompt(page).locator('[data-testid="version-pos"]').textContent(), { timeout: 15_000 }).toBe('2/2')
    await replyDone(page)
    await expect.poll(() => answerText(page)).toMatch(/say hello to the edited prompt/)
    // The new branch has one answer of its own.
    expect(await lastReply(page).locator('[data-testid="version-switch"]').count()).toBe(0)
    expect(await page.locator('[data-testid="message"]').count()).toBe(2)

    await lastPrompt(page).locator('[data-testid="version-prev"]').click()
    await expect.poll(() => lastPrompt(page).innerText()).toMatch(/what time is it\?/)
    await expect.poll(() => answerText(page)).toMatch(/The current time is/)
    await expect.poll(() => lastReply(page).locator('[data-testid="version-pos"]').textContent()).toBe('2/2')
  })

  it('screenshots: zh and en, light and dark, 1280×800 and 800×600', async () => {
    const page = h.page
    for (const size of [{ width: 1280, height: 800 }, { width: 800, height: 600 }]) {
      await page.setViewportSize(size)
      for (const locale of ['en', 'zh-CN'] as const) {
        for (const theme of ['light', 'dark'] as const) {
          await setLook(page, locale, theme)
          if (!(await lastReply(page).isVisible().catch(() => false))) await openAi(page)
          await lastReply(page).locator('[data-testid="version-switch"]').waitFor()
          await page.waitForTimeout(200)
          await h.screenshot(`versions-${locale}-${theme}-${size.width}x${size.height}`)
        }
      }
    }
    await expect(lastReply(page).locator('[data-testid="version-switch"]').getAttribute('aria-label')).resolves.toBe('这条提问的回答')
  })
})
