/**
 * Your history is yours (issue #13): back up the profile from the settings dialog (secrets under a passphrase),
 * wipe it (the account removed, and with it its history), restore the file through the same dialog on the login
 * screen — the account is back online and the conversation shows its messages. Screens of the settings section
 * zh/en, light/dark, 1280×800 and 800×600.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { byTestId, conversationItem, login, messageWithText, openBot, sendText, startHarness, type Harness } from './harness'
import { bridgeCall, shootLooks } from './looks'
import type { AccountInfo } from '../../src/shared/api'

let h: Harness
afterAll(async () => {
  await h?.close()
})

async function openBackupPanel(): Promise<void> {
  const page = h.page
  if (!(await byTestId(page, 'settings-dialog').count())) await byTestId(page, 'open-settings').first().click()
  await byTestId(page, 'backup-panel').scrollIntoViewIfNeeded()
}

describe('backup and restore', () => {
  it('backs up, wipes the profile, restores, and the conversation is back', async () => {
    h = await startHarness({ locale: 'en' })
    const page = h.page
    await login(h, 'alice')
    await openBot(page)
    await sendText(page, 'Remember the lighthouse 灯塔 before the backup')
    await messageWithText(page, 'Remember the lighthouse').first().waitFor()
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="message"]').length >= 2)
    const [acc] = await bridgeCall<AccountInfo[]>(page, 'accounts:list')

    await openBackupPanel()
    // the passphrase twice, and they must agree
    await byTestId(page, 'backup-pass1').fill('lighthouse keeper')
    await byTestId(page, 'backup-pass2').fill('lighthouse keepr')
    await expect(byTestId(page, 'backup-create').isDisabled()).resolves.toBe(true)
    await byTestId(page, 'backup-pass2').fill('lighthouse keeper')
    const download = page.waitForEvent('download')
    await byTestId(page, 'backup-create').click()
    await byTestId(page, 'backup-done').waitFor()
    await expect(byTestId(page, 'backup-done').textContent()).resolves.toMatch(/Backed up 1 account\(s\), secrets encrypted/)
    const file = await (await download).path()
    expect(file).toBeTruthy()
    await shootLooks(h, 'backup-settings', async () => {
      await openBackupPanel()
    })
    await shootLooks(h, 'backup-settings-restore', async () => {
      await openBackupPanel()
      await byTestId(page, 'backup-auto-keep').scrollIntoViewIfNeeded()
    })
    await bridgeCall(page, 'settings:set', { locale: 'en' })
    await page.waitForFunction(() => document.documentElement.lang === 'en')
    await page.keyboard.press('Escape')

    // wipe: the account goes, and its history with it
    await bridgeCall(page, 'accounts:remove', acc!.id)
    await byTestId(page, 'login-submit').waitFor()
    await expect(bridgeCall(page, 'history:list', acc!.id, 'bot')).rejects.toThrow()

    // restore from the login screen: a wrong passphrase is refused in words, the right one brings it all back
    await openBackupPanel()
    await byTestId(page, 'backup-file').setInputFiles(file)
    await byTestId(page, 'backup-restore-pass').fill('not the passphrase')
    await byTestId(page, 'backup-restore').click()
    await byTestId(page, 'backup-restore-confirm').click()
    await byTestId(page, 'backup-error').waitFor()
    await expect(byTestId(page, 'backup-error').textContent()).resolves.toMatch(/Wrong passphrase/)
    await byTestId(page, 'backup-restore-pass').fill('lighthouse keeper')
    await byTestId(page, 'backup-restore').click()
    await byTestId(page, 'backup-restore-confirm').click()
    await byTestId(page, 'backup-restored').waitFor()
    await expect(byTestId(page, 'backup-restored').textContent()).resolves.toMatch(/Restored 1 account\(s\) and \d+ message\(s\)/)
    await page.keyboard.press('Escape')
    await conversationItem(page, 'bot').waitFor({ timeout: 15_000 })
    await openBot(page)
    await messageWithText(page, 'Remember the lighthouse 灯塔 before the backup').first().waitFor()
    await page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor({ timeout: 15_000 })
    expect(h.pageErrors).toEqual([])
  }, 180_000)
})
