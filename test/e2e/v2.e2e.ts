/**
 * Today's Mio-Chat server generation (Socket.IO, the `llm` protocol) in the browser build, against the
 * reference server with v2 on: the user types only host:port; a tool that asks first is approved once and
 * denied once from the reply; a reply can be stopped. Screens in en/light and zh/dark.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { byTestId, openAi, sendText, startHarness, type Harness } from './harness'
import { startProxy } from '../unit/storage/link-helpers'

const harnesses: Harness[] = []
afterAll(async () => {
  for (const h of harnesses) await h.close()
})

async function loginHostPort(h: Harness, port = h.serverPort): Promise<void> {
  const page = h.page
  await byTestId(page, 'login-server').fill(`127.0.0.1:${port}`)
  await byTestId(page, 'login-id').fill('15432')
  await byTestId(page, 'login-token').fill(h.adminCode)
  await byTestId(page, 'login-submit').click()
  await page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor({ timeout: 15_000 })
}

async function lastReplyStatus(page: Page, status: string): Promise<void> {
  await page.waitForFunction(
    (st) => {
      const rows = document.querySelectorAll('[data-testid="message"][data-ai-status]')
      return rows[rows.length - 1]?.querySelector('[data-testid="reply-status"]')?.getAttribute('data-status') === st
    },
    status,
    { timeout: 30_000 }
  )
}

const lastReply = (page: Page) => page.locator('[data-testid="message"][data-ai-status]').last()

/** Sends a prompt and waits for its own reply (a new row) to reach `status` — never the previous reply's. */
async function askAndWait(page: Page, text: string, status: string): Promise<void> {
  const before = await page.locator('[data-testid="message"][data-ai-status]').count()
  await sendText(page, text)
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="message"][data-ai-status]').length > n, before, { timeout: 15_000 })
  await lastReplyStatus(page, status)
}

describe('Mio-Chat v2 (Socket.IO) in the window', () => {
  it('logs in with host:port, asks before running a tool: allow once, deny once; stop a reply', async () => {
    const h = await startHarness({ mioV2: true, chunkDelayMs: 20 })
    harnesses.push(h)
    await loginHostPort(h)
    await openAi(h.page)

    await sendText(h.page, 'run `echo e2e-allowed`')
    const question = byTestId(h.page, 'tool-approval')
    await question.waitFor({ timeout: 20_000 })
    await expect(byTestId(h.page, 'tool-approval-command').textContent()).resolves.toContain('echo e2e-allowed')
    await h.screenshot('v2-tool-approval-en-light')
    await byTestId(h.page, 'tool-approve').click()
    await lastReplyStatus(h.page, 'completed')
    expect(await question.count()).toBe(0)
    await expect(lastReply(h.page).locator('[data-testid="tool-call"]').last().getAttribute('data-state')).resolves.toBe('finished')

    await sendText(h.page, 'run `echo e2e-denied`')
    await question.waitFor({ timeout: 20_000 })
    await byTestId(h.page, 'tool-deny').click()
    await lastReplyStatus(h.page, 'completed')
    await expect(lastReply(h.page).locator('[data-testid="tool-call"]').last().getAttribute('data-state')).resolves.toBe('failed')

    await sendText(h.page, 'write something long')
    await byTestId(h.page, 'stream-stop').click({ timeout: 20_000 })
    await lastReplyStatus(h.page, 'aborted')
    expect(h.pageErrors).toEqual([])
  }, 120_000)

  it('a model contact picks its tools from the server and may run commands without asking', async () => {
    const h = harnesses[0]!
    await byTestId(h.page, 'edit-llm').click()
    await byTestId(h.page, 'llm-tools').waitFor()
    expect(await h.page.locator('[data-testid^="llm-tool-"]').count()).toBeGreaterThanOrEqual(3)
    // Models grouped by the server's providers, described by their metadata; the provider goes with the model.
    const options = await h.page.locator('[data-testid="llm-model"] optgroup').evaluateAll((gs) => gs.map((g) => (g as HTMLOptGroupElement).label))
    expect(options).toContain('MioDesk')
    await expect(h.page.locator('[data-testid="llm-model"] option', { hasText: 'mio-demo' }).first().textContent()).resolves.toMatch(/mio-demo · .*reasoning/)
    await byTestId(h.page, 'llm-tool-bash').check()
    await byTestId(h.page, 'llm-auto-approve').check()
    await h.screenshot('v2-llm-editor-en-light')
    await h.page.locator('[data-testid="llm-editor"] button[type="submit"], [data-testid="llm-editor"] [form="llm-form"]').first().click()
    await byTestId(h.page, 'llm-editor').waitFor({ state: 'detached' })
    await askAndWait(h.page, 'run `echo e2e-no-question`', 'completed')
    expect(await byTestId(h.page, 'tool-approval').count()).toBe(0)
    await expect(lastReply(h.page).locator('[data-testid="tool-call"]').last().getAttribute('data-state')).resolves.toBe('finished')
  }, 60_000)

  it('the question in Chinese, dark', async () => {
    const h = await startHarness({ mioV2: true, chunkDelayMs: 20, locale: 'zh-CN', colorScheme: 'dark' })
    harnesses.push(h)
    await loginHostPort(h)
    await openAi(h.page)
    await sendText(h.page, 'run `echo 你好`')
    await byTestId(h.page, 'tool-approval').waitFor({ timeout: 20_000 })
    await expect(byTestId(h.page, 'tool-approve').textContent()).resolves.toBe('允许')
    await h.screenshot('v2-tool-approval-zh-dark')
    await byTestId(h.page, 'tool-deny').click()
    await lastReplyStatus(h.page, 'completed')
  }, 60_000)

  it('a new contact from a server preset greets with its opening; "always allow" answers later questions about that tool', async () => {
    const h = harnesses[1]!
    await byTestId(h.page, 'new-llm').click()
    await byTestId(h.page, 'llm-presets').waitFor()
    await h.page.locator('[data-testid="llm-preset"]', { hasText: '终端演示' }).click()
    await expect(byTestId(h.page, 'llm-name').inputValue()).resolves.toBe('终端演示')
    await expect(byTestId(h.page, 'llm-system').inputValue()).resolves.toMatch(/bash tool/)
    expect(await byTestId(h.page, 'llm-tool-bash').isChecked()).toBe(true)
    await h.screenshot('v2-llm-preset-zh-dark')
    await byTestId(h.page, 'llm-save').click()
    await byTestId(h.page, 'llm-editor').waitFor({ state: 'detached' })
    await expect(byTestId(h.page, 'llm-opening').textContent()).resolves.toMatch(/echo hello/)

    await sendText(h.page, 'run `echo 第一次`')
    await byTestId(h.page, 'tool-approval').waitFor({ timeout: 20_000 })
    await expect(byTestId(h.page, 'tool-always').textContent()).resolves.toContain('始终允许 bash')
    await byTestId(h.page, 'tool-always').click()
    await lastReplyStatus(h.page, 'completed')
    await expect(lastReply(h.page).locator('[data-testid="tool-call"]').last().getAttribute('data-state')).resolves.toBe('finished')

    // Nobody answers this one (the server would wait for ever): the contact's rule does.
    await askAndWait(h.page, 'run `echo 第二次`', 'completed')
    await expect(lastReply(h.page).locator('[data-testid="tool-call"]').last().getAttribute('data-state')).resolves.toBe('finished')
    expect(await byTestId(h.page, 'tool-approval').count()).toBe(0)

    // The rule is shown with the contact and can be taken back.
    await byTestId(h.page, 'edit-llm').click()
    await byTestId(h.page, 'llm-always-allow').waitFor()
    await byTestId(h.page, 'llm-revoke-bash').click()
    expect(await byTestId(h.page, 'llm-always-allow').count()).toBe(0)
    await byTestId(h.page, 'llm-save').click()
    await byTestId(h.page, 'llm-editor').waitFor({ state: 'detached' })
    await sendText(h.page, 'run `echo 第三次`')
    await byTestId(h.page, 'tool-approval').waitFor({ timeout: 20_000 })
    await byTestId(h.page, 'tool-deny').click()
    await lastReplyStatus(h.page, 'completed')
    expect(h.pageErrors).toEqual([])
  }, 90_000)
})

describe('Mio-Chat v2: the link drops mid-reply, or the server restarts', () => {
  it('a dropped link: the reply resumes on the new connection and ends whole; a restarted server: it ends interrupted, its text kept', async () => {
    const h = await startHarness({ mioV2: true, chunkDelayMs: 20 })
    harnesses.push(h)
    const proxy = await startProxy(h.serverPort)
    try {
      await loginHostPort(h, proxy.port)
      await openAi(h.page)
      const text = () => lastReply(h.page).locator('.md').first().textContent()

      // The whole answer, undisturbed, to compare with.
      await sendText(h.page, 'write something long')
      await lastReplyStatus(h.page, 'completed')
      const whole = (await text())!.trim()
      expect(whole.length).toBeGreaterThan(200)

      await sendText(h.page, 'write something long')
      await lastReplyStatus(h.page, 'streaming')
      await h.page.waitForTimeout(300)
      proxy.setDown(true)
      proxy.cut()
      await h.page.locator('[data-testid="connection-state"]:not([data-state="online"])').first().waitFor({ timeout: 10_000 })
      await h.page.waitForTimeout(500)
      proxy.setDown(false)
      await lastReplyStatus(h.page, 'completed')
      // Nothing lost, nothing doubled: the same text as the undisturbed answer.
      expect((await text())!.trim()).toBe(whole)

      // The server dies while we are away (its goodbye never arrives) and comes back with a new boot id: what it
      // was generating is gone (the cache is in memory), so the reply says it was interrupted and keeps its text.
      await sendText(h.page, 'write something long')
      await lastReplyStatus(h.page, 'streaming')
      await h.page.waitForTimeout(300)
      proxy.setDown(true)
      proxy.cut()
      await h.killServer()
      await h.restartServer()
      proxy.setDown(false)
      await lastReplyStatus(h.page, 'interrupted')
      const kept = (await text())!.trim()
      expect(kept.length).toBeGreaterThan(0)
      expect(whole.startsWith(kept.slice(0, 20))).toBe(true)
      await h.screenshot('v2-reply-interrupted-en-light')
      expect(h.pageErrors).toEqual([])
    } finally {
      await proxy.close()
    }
  }, 120_000)
})
