/**
 * Yunhu media in the window (Chromium through the bridge, against the reference server): a pasted picture
 * shows a preview in the attachment tray, is uploaded with progress and shows in the chat; a picked file
 * shows its name and size; a voice message is recorded from Chromium's fake microphone (a generated WAV)
 * with a level meter and its duration; a sticker is sent from the picker. The friend's account, added
 * beside it, sees all of them (the picture loaded through the app's media path). Screenshots of the tray
 * in en/zh, light/dark, 1280×800 and 800×600.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { demoPng } from '../../server/yunhu/cdn'
import { toneWav } from '../helpers/wav'
import { byTestId, conversationItem, messages, setLook, yunhuSignIn, startHarness, type Harness } from './harness'

const ME = '1000001'
const FRIEND = '1000002'
let h: Harness
let wavDir: string



/** Records every state an attachment goes through and the highest progress seen (a poll could miss them). */
async function watchTray(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __tray: { states: string[]; maxPct: number } }
    w.__tray = { states: [], maxPct: 0 }
    new MutationObserver(() => {
      document.querySelectorAll('[data-testid="attach-item"]').forEach((el) => {
        const s = el.getAttribute('data-state') ?? ''
        if (w.__tray.states.at(-1) !== s) w.__tray.states.push(s)
        const bar = el.querySelector('[role="progressbar"]')
        w.__tray.maxPct = Math.max(w.__tray.maxPct, Number(bar?.getAttribute('aria-valuenow') ?? 0))
      })
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state', 'aria-valuenow'] })
  })
}

const tray = (page: Page) => page.evaluate(() => (window as unknown as { __tray: { states: string[]; maxPct: number } }).__tray)

async function pasteFile(page: Page, bytes: Buffer, name: string, type: string): Promise<void> {
  await byTestId(page, 'composer').evaluate(
    (el, { b64, name, type }) => {
      const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
      const dt = new DataTransfer()
      dt.items.add(new File([data], name, { type }))
      ;(el as HTMLElement).focus()
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }))
    },
    { b64: bytes.toString('base64'), name, type }
  )
}

/** True once the newest image of the open chat has loaded (decoded, with a size). */
async function newestImageLoaded(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const imgs = [...document.querySelectorAll<HTMLImageElement>('[data-testid="segment-image"] img')]
    const img = imgs.at(-1)
    return !!img && img.complete && img.naturalWidth > 0
  })
}

beforeAll(async () => {
  wavDir = mkdtempSync(join(tmpdir(), 'miodesk-e2e-wav-'))
  const wavFile = join(wavDir, 'tone.wav')
  writeFileSync(wavFile, toneWav(6, 48000, 20000))
  h = await startHarness({
    yunhu: true,
    chromiumArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-audio-capture=${wavFile}`, '--autoplay-policy=no-user-gesture-required'],
    permissions: ['microphone']
  })
  await yunhuSignIn(h)
  const page = h.page
  await conversationItem(page, FRIEND).click()
  await byTestId(page, 'composer').waitFor()
})

afterAll(async () => {
  await h?.close()
  rmSync(wavDir, { recursive: true, force: true })
})

describe('Yunhu media in the window', () => {
  it('a pasted picture: preview in the tray, progress, then it shows in the chat', async () => {
    const page = h.page
    await watchTray(page)
    const before = await messages(page).count()
    await pasteFile(page, demoPng('e2e-picture', 900, 600), 'picture.png', 'image/png')
    await byTestId(page, 'attach-preview').waitFor()
    expect(await byTestId(page, 'attach-item').getAttribute('data-kind')).toBe('image')
    await expect.poll(() => byTestId(page, 'attach-preview').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(900)
    for (const [locale, theme, size] of [
      ['en', 'light', { width: 1280, height: 800 }],
      ['zh-CN', 'dark', { width: 1280, height: 800 }],
      ['en', 'dark', { width: 800, height: 600 }],
      ['zh-CN', 'light', { width: 800, height: 600 }]
    ] as const) {
      await page.setViewportSize(size)
      await setLook(page, locale, theme)
      await h.screenshot(`yunhu-attach-tray-${locale}-${theme}-${size.width}`)
    }
    await page.setViewportSize({ width: 1280, height: 800 })
    await setLook(page, 'en', 'light')
    await byTestId(page, 'send').click()
    await byTestId(page, 'attach-tray').waitFor({ state: 'detached', timeout: 15_000 })
    await expect.poll(() => messages(page).count()).toBe(before + 1)
    await expect.poll(() => newestImageLoaded(page), { timeout: 15_000 }).toBe(true)
    const seen = await tray(page)
    expect(seen.states).toContain('staging')
    expect(seen.states.some((s) => s === 'uploading' || s === 'waiting')).toBe(true)
    expect(seen.maxPct).toBeGreaterThan(0)
    expect(h.server.yunhu!.uploads.uploads.at(-1)?.bucket).toBe('chat-68')
  })

  it('a picked file: name and size in the tray, then a file message', async () => {
    const page = h.page
    const bytes = Buffer.from('季度,收入\nQ3,42\n'.repeat(2000))
    await byTestId(page, 'attach-input').setInputFiles({ name: '季度报告.csv', mimeType: 'text/csv', buffer: bytes })
    const item = byTestId(page, 'attach-item')
    await item.waitFor()
    expect(await item.getAttribute('data-kind')).toBe('file')
    expect(await item.textContent()).toContain('季度报告.csv')
    expect(await byTestId(page, 'attach-meta').textContent()).toMatch(/KB/)
    await byTestId(page, 'send').click()
    await byTestId(page, 'attach-tray').waitFor({ state: 'detached', timeout: 15_000 })
    await expect.poll(() => page.locator('[data-testid="segment-file"]').last().textContent()).toContain('季度报告.csv')
  })

  it('a picked video: a preview tile with its kind, then a video message', async () => {
    const page = h.page
    await byTestId(page, 'attach-input').setInputFiles({ name: 'clip.mp4', mimeType: 'video/mp4', buffer: Buffer.alloc(4096, 3) })
    await page.locator('[data-testid="attach-item"][data-kind="video"]').waitFor()
    await byTestId(page, 'send').click()
    await byTestId(page, 'attach-tray').waitFor({ state: 'detached', timeout: 15_000 })
    await page.locator('[data-testid="segment-video"] video').last().waitFor()
    expect(h.server.yunhu!.uploads.uploads.at(-1)).toMatchObject({ bucket: 'chat68-video', size: 4096 })
  })

  it('a voice message recorded from the microphone: level meter, duration, then a voice message', async () => {
    const page = h.page
    await byTestId(page, 'voice-record').click()
    await byTestId(page, 'voice-level').waitFor()
    await expect.poll(async () => Number(await byTestId(page, 'voice-level').getAttribute('aria-valuenow')), { timeout: 10_000 }).toBeGreaterThan(5)
    await page.waitForTimeout(1600)
    await h.screenshot('yunhu-voice-recording-en-light')
    await byTestId(page, 'voice-stop').click()
    const item = page.locator('[data-testid="attach-item"][data-kind="audio"]')
    await item.waitFor()
    expect(await byTestId(page, 'attach-meta').textContent()).toMatch(/^[12] s$/)
    await byTestId(page, 'send').click()
    await byTestId(page, 'attach-tray').waitFor({ state: 'detached', timeout: 15_000 })
    await page.locator('[data-testid="segment-record"] audio').last().waitFor()
    expect(await byTestId(page, 'segment-record-seconds').last().textContent()).toMatch(/^[12] s$/)
    const up = h.server.yunhu!.uploads.uploads.at(-1)!
    expect(up.bucket).toBe('chat68-audio')
    expect(up.size).toBeGreaterThan(1000)
  })

  it('a sticker from the picker', async () => {
    const page = h.page
    const before = await messages(page).count()
    await byTestId(page, 'stickers').click()
    await byTestId(page, 'sticker-item').first().waitFor()
    await expect.poll(() => byTestId(page, 'sticker-item').first().locator('img').evaluate((i) => (i as HTMLImageElement).naturalWidth), { timeout: 10_000 }).toBeGreaterThan(0)
    await h.screenshot('yunhu-sticker-picker-en-light')
    await byTestId(page, 'sticker-item').first().click()
    await expect.poll(() => messages(page).count()).toBe(before + 1)
    await expect.poll(() => newestImageLoaded(page), { timeout: 15_000 }).toBe(true)
  })

  it('a voice message from a picked audio file shows its duration; a picture is saved to my stickers', async () => {
    const page = h.page
    await byTestId(page, 'attach-input').setInputFiles({ name: 'memo.wav', mimeType: 'audio/wav', buffer: toneWav(3) })
    const item = page.locator('[data-testid="attach-item"][data-kind="audio"]')
    await item.waitFor()
    await expect.poll(() => byTestId(page, 'attach-meta').textContent()).toBe('3 s')
    await byTestId(page, 'send').click()
    await byTestId(page, 'attach-tray').waitFor({ state: 'detached', timeout: 15_000 })
    await expect.poll(() => byTestId(page, 'segment-record-seconds').last().textContent()).toBe('3 s')
    // The first picture of the chat (sent above) → my stickers.
    const picture = messages(page).filter({ has: page.locator('[data-testid="segment-image"]') }).first()
    await picture.click({ button: 'right' })
    await byTestId(page, 'action-save-sticker').click()
    await expect.poll(async () => (await h.bridge.core.yunhu.stickers(h.bridge.core.accounts.list()[0]!.id)).saved.length, { timeout: 10_000 }).toBe(2)
  })

  it('the other side (the friend’s account beside it) sees the picture, the file, the voice message and the sticker', async () => {
    const page = h.page
    const friend = await h.bridge.core.accounts.add('yunhu', { api: h.serverHttp, token: h.server.yunhu!.tokenFor(FRIEND) })
    await page.locator(`[data-testid="account-item"][data-account-id="${friend.id}"]`).click()
    await conversationItem(page, ME).click()
    await byTestId(page, 'composer').waitFor()
    await page.locator('[data-testid="segment-record"]').last().waitFor({ timeout: 15_000 })
    await expect.poll(() => page.locator('[data-testid="segment-file"]').filter({ hasText: '季度报告.csv' }).count()).toBe(1)
    // The picture and the sticker, loaded through the app's media path (the CDN stand-in needs the Referer).
    await expect
      .poll(() => page.evaluate(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid="segment-image"] img')].filter((i) => i.complete && i.naturalWidth > 0).length), { timeout: 15_000 })
      .toBeGreaterThanOrEqual(2)
    await h.screenshot('yunhu-media-received-en-light')
    expect(h.pageErrors).toEqual([])
  })
})
