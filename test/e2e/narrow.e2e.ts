/**
 * A narrow window (800×600): the Yunhu section tabs keep their whole labels (in Chinese, the longest), the
 * icons give way first; at 1280 the icons are there. Screens zh/light and en/dark at both sizes.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { byTestId, startHarness, yunhuSignIn, type Harness } from './harness'

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

describe('narrow windows', () => {
  for (const [locale, scheme] of [
    ['zh-CN', 'light'],
    ['en-US', 'dark']
  ] as const) {
    it(`the Yunhu section tabs fit at 800×600 and at 1280×800 (${locale}, ${scheme})`, async () => {
      const h = await startHarness({ yunhu: true, locale, colorScheme: scheme, viewport: { width: 800, height: 600 } })
      harnesses.push(h)
      await signIn(h)
      await byTestId(h.page, 'yunhu-section-console').click()
      await byTestId(h.page, 'my-bot').first().waitFor()
      const tag = `${locale.slice(0, 2)}-${scheme}`
      await h.screenshot(`narrow-yunhu-console-${tag}-800`)
      for (const t of await tabs(h.page)) expect(t.clipped).toBe(false)
      await h.page.setViewportSize({ width: 1280, height: 800 })
      await h.page.waitForTimeout(100)
      await h.screenshot(`narrow-yunhu-console-${tag}-1280`)
      for (const t of await tabs(h.page)) expect(t).toEqual({ clipped: false, icon: true })
    }, 60_000)
  }
})
