/**
 * The disk fills up while the bot answers: the answer is still shown, a banner says the messages are kept in
 * memory (in the UI's language), and it goes once they are written. Screens: en/light and zh/dark, wide and narrow.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { byTestId, login, messageWithText, openBot, sendText, startHarness, type Harness } from './harness'
import type { ChatMessage } from '../../src/shared/mio'

const harnesses: Harness[] = []
afterAll(async () => {
  for (const h of harnesses) await h.close()
})

/** Makes the bridge's SQLite history refuse the bot's messages as a full disk would, until `heal()`. */
function fillDisk(h: Harness): { heal(): void } {
  const db = h.bridge.core.history.inner
  const put = db.put.bind(db)
  db.put = (a: string, m: ChatMessage) => {
    if (!m.self) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
    put(a, m)
  }
  return {
    heal() {
      db.put = put
      h.bridge.core.history.retry()
    }
  }
}

describe('a full disk', () => {
  for (const [locale, scheme, words] of [
    ['en-US', 'light', /disk is full/],
    ['zh-CN', 'dark', /磁盘空间已满/]
  ] as const) {
    it(`the bot's answer is shown and kept, the banner says so (${locale}, ${scheme}) and goes once it is written`, async () => {
      const h = await startHarness({ locale, colorScheme: scheme })
      harnesses.push(h)
      await login(h)
      await openBot(h.page)
      const disk = fillDisk(h)
      await sendText(h.page, 'written while the disk is full')
      await messageWithText(h.page, /written while the disk is full/).nth(1).waitFor({ timeout: 15_000 })
      const banner = byTestId(h.page, 'storage-fault')
      await banner.waitFor()
      await expect(banner.textContent()).resolves.toMatch(words)
      const tag = `${locale.slice(0, 2)}-${scheme}`
      await h.screenshot(`storage-full-${tag}`)
      await h.page.setViewportSize({ width: 800, height: 600 })
      await h.screenshot(`storage-full-${tag}-800`)
      disk.heal()
      await banner.waitFor({ state: 'detached' })
      expect(h.pageErrors).toEqual([])
    }, 60_000)
  }
})
