/**
 * E2E helpers for the screens of issue #12: calls straight to the bridge (from the page, on its own
 * origin: settings, sending parts the composer cannot make), and one screenshot per look — zh and en,
 * light and dark, at 1280×800 and 800×600.
 */
import type { Page } from 'playwright-core'
import type { Harness } from './harness'

/** Calls a channel of the app's API over a WebSocket of its own to the bridge (the page's URL carries it). */
export async function bridgeCall<T = unknown>(page: Page, channel: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(
    ({ channel, args }) =>
      new Promise<T>((resolve, reject) => {
        const q = new URLSearchParams(location.search)
        const u = new URL(q.get('bridge')!)
        u.searchParams.set('token', q.get('token')!)
        const ws = new WebSocket(u)
        ws.onopen = () => ws.send(JSON.stringify({ id: 1, channel, args }))
        ws.onerror = () => reject(new Error('bridge socket failed'))
        ws.onmessage = (e) => {
          const f = JSON.parse(String(e.data)) as { id?: number; ok?: boolean; result?: T; error?: { message: string } }
          if (f.id !== 1) return
          ws.close()
          if (f.ok) resolve(f.result as T)
          else reject(new Error(f.error?.message))
        }
      }),
    { channel, args }
  )
}

export const LOOKS = [
  { locale: 'zh-CN', theme: 'light' },
  { locale: 'en', theme: 'dark' },
  { locale: 'zh-CN', theme: 'dark' },
  { locale: 'en', theme: 'light' }
] as const
export const SIZES = [
  { width: 1280, height: 800 },
  { width: 800, height: 600 }
] as const

export type Look = (typeof LOOKS)[number]

/** Switches language and theme through the settings (as the settings dialog does), and waits for the page to follow. */
export async function setLook(page: Page, look: Look): Promise<void> {
  await bridgeCall(page, 'settings:set', { locale: look.locale, theme: look.theme })
  await page.waitForFunction((l) => document.documentElement.dataset.theme === l.theme && document.documentElement.lang === l.locale, look)
  await page.waitForTimeout(150)
}

/**
 * Screenshots `name` in every look and size (`name-zh-light-1280.png` …); `prepare` runs after each change
 * (re-open what a size change closes). Leaves the window at the size it had, in zh/light.
 */
export async function shootLooks(h: Harness, name: string, prepare?: (size: (typeof SIZES)[number], look: Look) => Promise<void>): Promise<string[]> {
  const files: string[] = []
  const before = h.page.viewportSize() ?? SIZES[0]
  for (const look of LOOKS) {
    await setLook(h.page, look)
    for (const size of SIZES) {
      await h.page.setViewportSize(size)
      await h.page.waitForTimeout(120)
      await prepare?.(size, look)
      files.push(await h.screenshot(`${name}-${look.locale.slice(0, 2)}-${look.theme}-${size.width}`))
    }
  }
  await setLook(h.page, LOOKS[0])
  await h.page.setViewportSize(before)
  return files
}
