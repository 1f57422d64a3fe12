/**
 * Images from strangers wait for the user (issue #12): a stranger's server (another origin on this
 * machine, counting requests) is not asked for an image — in a Markdown message or an image part — until
 * the user presses "Load images" in that conversation, or sets "always"; the account's own server is
 * asked at once, and an image it does not have shows a clean placeholder with its name.
 */
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TEST_PNG, YUNHU_EMAIL, YUNHU_PASSWORD, byTestId, conversationItem, login, messageWithText, openBot, sendText, startHarness, type Harness } from './harness'
import { bridgeCall, shootLooks } from './looks'

let h: Harness
let stranger: Server
let strangerOrigin = ''
/** Requests the stranger's server got, by path. */
const hits = new Map<string, number>()
const hit = (path: string): number => hits.get(path) ?? 0

beforeAll(async () => {
  stranger = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    hits.set(path, hit(path) + 1)
    res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' })
    res.end(Buffer.from(TEST_PNG, 'base64'))
  })
  await new Promise<void>((r) => stranger.listen(0, '127.0.0.1', r))
  const a = stranger.address()
  strangerOrigin = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`
  h = await startHarness()
  await login(h)
  await openBot(h.page)
})

afterAll(async () => {
  await h?.close()
  await new Promise((r) => stranger?.close(r))
})

async function accountId(): Promise<string> {
  const list = await bridgeCall<{ id: string }[]>(h.page, 'accounts:list')
  return list[0]!.id
}

describe('remote media', () => {
  it('asks before loading a stranger’s images; loads them once allowed in the conversation', async () => {
    const page = h.page
    const acc = await accountId()
    await sendText(page, `![tracker](${strangerOrigin}/md.png) a Markdown picture`)
    await bridgeCall(page, 'messages:send', acc, 'bot', [{ type: 'image', data: { file: `${strangerOrigin}/photos/seg.png` } }])
    // The account's own server does not have this one: a placeholder with its name, not a broken image.
    await bridgeCall(page, 'messages:send', acc, 'bot', [{ type: 'image', data: { file: `${h.serverHttp}/nope/cat%20photo.png` } }])
    await bridgeCall(page, 'messages:send', acc, 'bot', [{ type: 'image', data: { file: `data:image/png;base64,${TEST_PNG}` } }])
    await bridgeCall(page, 'messages:send', acc, 'bot', [{ type: 'text', data: { text: 'A small picture, with words beside it long enough to make the bubble wide' } }, { type: 'image', data: { file: `data:image/png;base64,${TEST_PNG}` } }])

    // Own copy and the bot's echo of each: 2 Markdown images and 2 image parts held back.
    const held = byTestId(page, 'remote-media-blocked')
    await expect.poll(() => held.count(), { timeout: 15_000 }).toBe(4)
    await expect.poll(() => page.locator('[data-testid="segment-image-failed"]').count(), { timeout: 15_000 }).toBe(2)
    await page.waitForTimeout(800)
    expect(hit('/md.png')).toBe(0)
    expect(hit('/photos/seg.png')).toBe(0)
    expect(await page.locator(`img[src^="${strangerOrigin}"]`).count()).toBe(0)
    // Placeholders name what they hold back.
    expect(await held.first().textContent()).toContain('127.0.0.1:')
    expect(await page.locator('[data-testid="remote-media-blocked"][data-host]').first().getAttribute('data-host')).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(await page.locator('[data-testid="segment-image-failed"]').first().textContent()).toContain('cat photo.png')
    // The local image shows at its own size: the frame is not wider than the image.
    const local = page.locator('[data-testid="segment-image"] img[src^="data:"]').last()
    await expect.poll(() => local.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(48)
    const frame = await local.evaluate((el) => ({ frame: el.parentElement!.getBoundingClientRect().width, img: el.getBoundingClientRect().width }))
    expect(frame.img).toBe(48)
    expect(frame.frame).toBeLessThanOrEqual(50)
    // …also beside text: the frame is the image's, not the bubble's width.
    const mixed = messageWithText(page, 'A small picture, with words').last().locator('[data-testid="segment-image"]')
    await expect.poll(() => mixed.locator('img').evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(48)
    expect((await mixed.boundingBox())!.width).toBeLessThanOrEqual(50)
    // A broken image's placeholder keeps the time off it (a line of its own below).
    const broken = page.locator('[data-testid="message"][data-self="0"]').filter({ has: page.locator('[data-testid="segment-image-failed"]') }).last()
    const [card, time] = await Promise.all([broken.locator('[data-testid="segment-image-failed"]').boundingBox(), broken.locator('.meta').boundingBox()])
    expect(time!.y).toBeGreaterThanOrEqual(card!.y + card!.height - 0.5)
    await byTestId(page, 'remote-media-bar').waitFor()
    expect(await byTestId(page, 'remote-media-bar').getAttribute('data-allowed')).toBe('0')
    await shootLooks(h, 'remote-media-held', async () => {
      await messageWithText(page, 'a Markdown picture').last().scrollIntoViewIfNeeded()
    })
    expect(hit('/md.png') + hit('/photos/seg.png')).toBe(0)

    // Allowed in this conversation (the placeholder's button): every held-back image loads, and it is kept.
    await byTestId(page, 'remote-media-load').first().click()
    await expect.poll(() => held.count(), { timeout: 10_000 }).toBe(0)
    await expect.poll(() => hit('/md.png') > 0 && hit('/photos/seg.png') > 0, { timeout: 10_000 }).toBe(true)
    const md = page.locator(`.md img[src="${strangerOrigin}/md.png"]`).first()
    await expect.poll(() => md.evaluate((el) => (el as HTMLImageElement).naturalWidth), { timeout: 10_000 }).toBe(48)
    expect(await byTestId(page, 'remote-media-bar').getAttribute('data-allowed')).toBe('1')
    const settings = await bridgeCall<{ remoteMediaConversations: string[] }>(page, 'settings:get')
    expect(settings.remoteMediaConversations).toEqual([`${acc}:bot`])
    await shootLooks(h, 'remote-media-allowed', async () => {
      await messageWithText(page, 'a Markdown picture').last().scrollIntoViewIfNeeded()
    })

    await shootLooks(h, 'images-small-and-broken', async () => {
      await page.locator('[data-testid="message"]').last().scrollIntoViewIfNeeded()
    })

    // Ask again: a new stranger image waits once more.
    await byTestId(page, 'remote-media-ask').click()
    await bridgeCall(page, 'messages:send', acc, 'bot', [{ type: 'text', data: { text: `![again](${strangerOrigin}/again.png) again` } }])
    await expect.poll(() => held.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(2)
    await page.waitForTimeout(500)
    expect(hit('/again.png')).toBe(0)
  }, 180_000)

  it('the setting "always" loads them without asking', async () => {
    const page = h.page
    await bridgeCall(page, 'settings:set', { remoteMedia: 'always' })
    await expect.poll(() => hit('/again.png'), { timeout: 10_000 }).toBeGreaterThan(0)
    await expect.poll(() => byTestId(page, 'remote-media-blocked').count()).toBe(0)
    expect(await byTestId(page, 'remote-media-bar').count()).toBe(0)
    // …and in the settings dialog it reads as such.
    await page.keyboard.press('Control+,')
    await expect.poll(() => byTestId(page, 'settings-remote-media').inputValue()).toBe('always')
    await byTestId(page, 'settings-remote-media').selectOption('ask')
    await expect.poll(async () => (await bridgeCall<{ remoteMedia: string }>(page, 'settings:get')).remoteMedia).toBe('ask')
    await page.keyboard.press('Escape')
  }, 60_000)

  it('Yunhu HTML, Markdown and boards: a stranger’s <img> is held back by the sanitiser until allowed', async () => {
    const y = await startHarness({ yunhu: true })
    try {
      const page = y.page
      await byTestId(page, 'account-kind-yunhu').click()
      await byTestId(page, 'yunhu-email').fill(YUNHU_EMAIL)
      await byTestId(page, 'yunhu-password').fill(YUNHU_PASSWORD)
      await byTestId(page, 'yunhu-api').fill(y.serverHttp)
      await byTestId(page, 'yunhu-login-submit').click()
      await page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor({ timeout: 20_000 })
      // The echo bot's token, from the console.
      await byTestId(page, 'yunhu-section-console').click()
      await page.locator('[data-testid="my-bot"][data-bot-id="60000001"]').click()
      await byTestId(page, 'bot-tab-token').click()
      await byTestId(page, 'detail-token-reveal').click()
      await expect.poll(() => byTestId(page, 'detail-token').getAttribute('data-revealed')).toBe('1')
      const token = (await byTestId(page, 'detail-token').textContent())!.trim()
      await byTestId(page, 'yunhu-section-chats').click()
      await conversationItem(page, '300000001').click()
      await byTestId(page, 'composer').waitFor()
      const send = async (path: string, body: unknown): Promise<void> => {
        const r = await fetch(`${y.serverHttp}/open-apis/v1/bot/${path}?token=${encodeURIComponent(token)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
        expect(((await r.json()) as { code: number }).code).toBe(1)
      }
      await send('send', { recvId: '300000001', recvType: 'group', contentType: 'html', content: { text: `<p>HTML picture</p><img src="${strangerOrigin}/yh-html.png" alt="html pic" srcset="${strangerOrigin}/yh-srcset.png 2x">` } })
      await send('send', { recvId: '300000001', recvType: 'group', contentType: 'markdown', content: { text: `Markdown picture ![yh md](${strangerOrigin}/yh-md.png)` } })
      await send('board', { chatId: '300000001', chatType: 'group', contentType: 'html', content: `<b>Board</b> <img src="${strangerOrigin}/yh-board.png">` })
      const held = byTestId(page, 'remote-media-blocked')
      await expect.poll(() => held.count(), { timeout: 15_000 }).toBe(3)
      await page.waitForTimeout(800)
      for (const p of ['/yh-html.png', '/yh-srcset.png', '/yh-md.png', '/yh-board.png']) expect(hit(p), p).toBe(0)
      expect((await held.allTextContents()).some((x) => x.includes('html pic'))).toBe(true)
      await shootLooks(y, 'remote-media-yunhu-held')
      await byTestId(page, 'remote-media-allow').click()
      await expect.poll(() => hit('/yh-html.png') > 0 && hit('/yh-md.png') > 0 && hit('/yh-board.png') > 0, { timeout: 10_000 }).toBe(true)
      // srcset never comes back: the one address shown is the one the user allowed.
      expect(hit('/yh-srcset.png')).toBe(0)
      expect(await held.count()).toBe(0)
    } finally {
      await y.close()
    }
  }, 180_000)
})
