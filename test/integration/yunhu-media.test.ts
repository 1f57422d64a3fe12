/**
 * Yunhu media sending against the reference server (behind a cuttable proxy): a picture, a file, a voice
 * message and a video are staged, uploaded to the Qiniu stand-in (wrong region first, then the one it
 * names), sent through the outbox and received by the other side (the friend's own view of the chat);
 * the uploaded bytes come back through the app's MediaService (with the Referer) and not without it; a
 * picture written offline is uploaded and sent once when the link is back; a file over the server's
 * limit is refused in words before anything is uploaded; stickers are listed, saved and sent.
 */
import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { AppCore } from '../../src/core/app-core'
import { YunhuApi } from '../../src/core/protocols/yunhu/api'
import { YunhuHttp } from '../../src/core/protocols/yunhu/http'
import type { Segment } from '../../src/shared/mio'
import type { UploadProgress } from '../../src/shared/media'
import { YunhuChatType, type YunhuMsgData } from '../../src/shared/yunhu'
import { demoPng } from '../../server/yunhu/cdn'
import { toneWav } from '../helpers/wav'
import { createServer } from 'node:http'
import type { YunhuAccountsTuning } from '../../src/core/accounts/yunhu/provider'
import { until } from '../unit/storage/link-helpers'
import { proxiedYunhu } from './yunhu-proxied'

const EMAIL = 'demo@miodesk.local'
const PASSWORD = 'media-pw-1'
const ME = '1000001'
const FRIEND = '1000002'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

async function setup(limits?: { image?: number; file?: number; video?: number }, yunhu?: YunhuAccountsTuning) {
  const { dir, server, proxy, history, core, acc } = await proxiedYunhu(cleanups, { email: EMAIL, password: PASSWORD, prefix: 'miodesk-yh-media-', server: { uploadLimitsMb: limits }, mediaDir: true, yunhu })
  const friend = new YunhuApi(new YunhuHttp({ baseUrl: `http://127.0.0.1:${server.port}`, token: server.yunhu!.tokenFor(FRIEND) }))
  /** What the friend sees in their chat with the demo user. */
  const friendSees = async (): Promise<YunhuMsgData[]> => (await friend.listMessages({ chatId: ME, chatType: YunhuChatType.User, count: 100 })).data
  const progress: UploadProgress[] = []
  core.events.on('upload', (p) => progress.push(p))
  return { dir, server, proxy, history, core, acc, friendSees, progress, uploads: server.yunhu!.uploads }
}

const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex')

async function stage(core: AppCore, bytes: Uint8Array, name: string, mime: string) {
  return core.outgoing.stage({ name, mime, base64: Buffer.from(bytes).toString('base64') })
}


describe('Yunhu media', () => {
  it('a picture: uploaded (region retry), sent, received by the other side, and fetched back with the Referer', async () => {
    const { server, core, acc, friendSees, progress, uploads } = await setup()
    const png = demoPng('integration-picture', 320, 200)
    const staged = await stage(core, png, 'holiday.PNG', 'image/png')
    const segs: Segment[] = [{ type: 'image', data: { staged: staged.ref, name: staged.name, size: staged.size, width: 320, height: 200 } }]
    const sent = await core.accounts.send(acc.id, FRIEND, segs)
    expect(sent.status).toBe('sent')
    const key = `${md5(png)}.png`
    expect(sent.segments[0]).toMatchObject({ type: 'image', data: { image: `https://chat-img.jwznb.com/${key}`, width: 320, height: 200 } })
    // Region z0 first, then the z2 the stand-in named.
    expect(server.yunhu!.uploads.posts).toEqual(['z0', 'z2'])
    expect(uploads.uploads).toEqual([{ bucket: 'chat-68', key, size: png.length }])
    // The other side has it, as the facts say: image_url = CDN + key, size and dimensions.
    const got = (await friendSees()).find((m) => m.msg_id === sent.id)
    expect(got?.content_type).toBe(2)
    expect(got?.content).toMatchObject({ image_url: `https://chat-img.jwznb.com/${key}`, width: 320, height: 200, file_size: String(png.length) })
    // Progress up to the whole form, then done.
    const mine = progress.filter((p) => p.messageId === sent.id)
    expect(mine.length).toBeGreaterThan(1)
    expect(mine.at(-1)?.done).toBe(true)
    // The media come back through the app (with the Referer), byte for byte; without the Referer, 403.
    const cached = await core.media.get(acc.id, `https://chat-img.jwznb.com/${key}`)
    expect(md5(readFileSync(cached.path))).toBe(md5(png))
    expect((await fetch(`http://127.0.0.1:${server.port}/cdn/chat-img.jwznb.com/${key}`)).status).toBe(403)
  }, 30_000)

  it('a file, a voice message and a video reach the other side with their fields', async () => {
    const { core, acc, friendSees } = await setup()
    const bytes = Buffer.from('名字,数量\n苹果,3\n'.repeat(500))
    const f = await stage(core, bytes, '2026Q3 路线图.csv', 'text/csv')
    const file = await core.accounts.send(acc.id, FRIEND, [{ type: 'file', data: { staged: f.ref, name: f.name, size: f.size } }])
    expect(file.status).toBe('sent')
    const voiceBytes = toneWav(2)
    const v = await stage(core, voiceBytes, 'voice.wav', 'audio/wav')
    const voice = await core.accounts.send(acc.id, FRIEND, [{ type: 'record', data: { staged: v.ref, name: v.name, size: v.size, seconds: 2.2 } }])
    expect(voice.status).toBe('sent')
    const vid = await stage(core, Buffer.alloc(5000, 7), 'clip.mp4', 'video/mp4')
    const video = await core.accounts.send(acc.id, FRIEND, [{ type: 'video', data: { staged: vid.ref, name: vid.name, size: vid.size, seconds: 15 } }])
    expect(video.status).toBe('sent')
    const seen = await friendSees()
    const by = (id: string) => seen.find((m) => m.msg_id === id)
    expect(by(file.id)).toMatchObject({ content_type: 4, content: { file_name: '2026Q3 路线图.csv', file_url: `${md5(bytes)}.csv`, file_size: String(bytes.length) } })
    expect(by(voice.id)).toMatchObject({ content_type: 11, content: { audio_url: `${md5(voiceBytes)}.wav`, audio_time: 2 } })
    expect(by(video.id)).toMatchObject({ content_type: 10, content: { video_url: `${md5(Buffer.alloc(5000, 7))}.mp4`, video_time: 15 } })
    // Our own copies show the received shapes (full CDN URLs), and the voice plays from chat-audio1.
    expect(voice.segments[0]).toMatchObject({ type: 'record', data: { url: `https://chat-audio1.jwznb.com/${md5(voiceBytes)}.wav`, seconds: 2 } })
    const audio = await core.media.get(acc.id, `https://chat-audio1.jwznb.com/${md5(voiceBytes)}.wav`)
    expect(audio.size).toBe(voiceBytes.length)
  }, 30_000)

  it('a picture written offline waits, then is uploaded and sent exactly once when the link is back', async () => {
    const { proxy, history, core, acc, friendSees, uploads } = await setup()
    proxy.setDown(true)
    proxy.cut()
    await until(() => core.accounts.list()[0]!.status.state !== 'online', 5000, 'the link to drop')
    const png = demoPng('offline-picture')
    const staged = await stage(core, png, 'offline.png', 'image/png')
    const pending = await core.accounts.send(acc.id, FRIEND, [{ type: 'image', data: { staged: staged.ref, name: staged.name, size: staged.size } }])
    expect(pending.status).toBe('sending')
    // The queued message names the file the core holds.
    expect(history.outboxList(acc.id).map((e) => e.messageId)).toEqual([pending.id])
    expect(history.get(acc.id, FRIEND, pending.id)?.segments[0]?.data.staged).toBe(staged.ref)
    expect(uploads.uploads).toEqual([])
    proxy.setDown(false)
    await until(() => history.outboxList(acc.id).length === 0, 15_000, 'the outbox to drain')
    expect(history.get(acc.id, FRIEND, pending.id)?.status).toBe('sent')
    expect(uploads.uploads).toHaveLength(1)
    expect((await friendSees()).filter((m) => m.msg_id === pending.id)).toHaveLength(1)
    // Sent: the core's copy of the file is gone.
    await expect(core.outgoing.read(staged.ref)).rejects.toThrow(/no longer there/)
  }, 30_000)

  it('recalling a queued picture cancels it: gone from the chat and the outbox, never uploaded', async () => {
    const { proxy, history, core, acc, uploads } = await setup()
    proxy.setDown(true)
    proxy.cut()
    await until(() => core.accounts.list()[0]!.status.state !== 'online', 5000, 'the link to drop')
    const s = await stage(core, demoPng('cancelled'), 'c.png', 'image/png')
    const deleted: string[] = []
    core.events.on('message-deleted', (p) => deleted.push(p.messageId))
    const pending = await core.accounts.send(acc.id, FRIEND, [{ type: 'image', data: { staged: s.ref, name: s.name, size: s.size } }])
    await core.accounts.recall(acc.id, FRIEND, pending.id)
    expect(deleted).toEqual([pending.id])
    expect(history.get(acc.id, FRIEND, pending.id)).toBeUndefined()
    expect(history.outboxList(acc.id)).toEqual([])
    await expect(core.outgoing.read(s.ref)).rejects.toThrow(/no longer there/)
    proxy.setDown(false)
    await until(() => core.accounts.list()[0]!.status.state === 'online', 5000, 'the link to come back')
    await new Promise((r) => setTimeout(r, 300))
    expect(uploads.posts).toEqual([])
  }, 30_000)

  it('recalling a picture while it uploads aborts the upload and removes it; nothing is sent', async () => {
    // An upload host that takes the bytes slowly and never answers.
    let aborted = false
    let received = 0
    const slow = createServer((req) => {
      req.on('data', (c: Buffer) => {
        received += c.length
        req.pause()
        setTimeout(() => req.resume(), 50)
      })
      req.on('close', () => (aborted = true))
    })
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r))
    cleanups.push(() => new Promise((r) => slow.close(r)))
    const port = (slow.address() as { port: number }).port
    const { history, core, acc, friendSees, progress } = await setup(undefined, { uploadBase: () => `http://127.0.0.1:${port}` })
    const png = Buffer.concat([demoPng('slow'), Buffer.alloc(3 * 1024 * 1024, 1)])
    const s = await stage(core, png, 'slow.png', 'image/png')
    const sending = core.accounts.send(acc.id, FRIEND, [{ type: 'image', data: { staged: s.ref, name: s.name, size: s.size } }])
    await until(() => progress.some((p) => p.sent > 0 && !p.done) && received > 0, 10_000, 'the upload to start')
    const id = progress[0]!.messageId
    const deleted: string[] = []
    core.events.on('message-deleted', (p) => deleted.push(p.messageId))
    await core.accounts.recall(acc.id, FRIEND, id)
    const final = await sending
    expect(final.status).toBe('failed')
    expect(final.error).toBe('The upload was cancelled')
    await until(() => deleted.includes(id) && aborted, 5000, 'the message to go and the upload to be cut')
    expect(history.get(acc.id, FRIEND, id)).toBeUndefined()
    expect(history.outboxList(acc.id)).toEqual([])
    expect(received).toBeLessThan(png.length)
    expect((await friendSees()).some((m) => m.msg_id === id)).toBe(false)
  }, 30_000)

  it('a file over the limit of /v1/misc/setting is refused in words before anything is uploaded', async () => {
    const { server, core, acc, friendSees, uploads } = await setup({ file: 1 })
    const big = Buffer.alloc(1.5 * 1024 * 1024, 1)
    const f = await stage(core, big, 'big.bin', 'application/octet-stream')
    const m = await core.accounts.send(acc.id, FRIEND, [{ type: 'file', data: { staged: f.ref, name: f.name, size: f.size } }])
    expect(m.status).toBe('failed')
    expect(m.error).toBe('The file is too large (1.5 MB): Yunhu takes files up to 1 MB')
    expect(uploads.posts).toEqual([])
    expect((await friendSees()).some((x) => x.msg_id === m.id)).toBe(false)
    void server
  }, 30_000)

  it('stickers: listed for the picker, a received picture saved, a saved and a pack sticker sent with their ids', async () => {
    const { core, acc, friendSees } = await setup()
    const cat = await core.yunhu.stickers(acc.id)
    expect(cat.saved[0]).toMatchObject({ path: 'expression/0f1e2d3c4b5a69788796a5b4c3d2e1f0.gif', expressionId: '553201', url: 'https://chat-img.jwznb.com/expression/0f1e2d3c4b5a69788796a5b4c3d2e1f0.gif' })
    const item = cat.packs[0]!.items[0]!
    expect(item).toMatchObject({ path: 'sticker/7e2d9c41b05a4f3c8d6e1b2a9f0c7d35.webp', itemId: '20417', packId: '903' })
    await core.yunhu.saveSticker(acc.id, 'https://chat-img.jwznb.com/received-cat.gif')
    expect((await core.yunhu.stickers(acc.id)).saved.map((s) => s.path)).toContain('expression/received-cat.gif')
    const a = await core.accounts.send(acc.id, FRIEND, [{ type: 'sticker', data: { path: cat.saved[0]!.path, expressionId: cat.saved[0]!.expressionId } }])
    const b = await core.accounts.send(acc.id, FRIEND, [{ type: 'sticker', data: { path: item.path, itemId: item.itemId, packId: item.packId } }])
    expect([a.status, b.status]).toEqual(['sent', 'sent'])
    const seen = await friendSees()
    expect(seen.find((m) => m.msg_id === a.id)).toMatchObject({ content_type: 7, content: { image: cat.saved[0]!.path, expression_id: '553201' } })
    expect(seen.find((m) => m.msg_id === b.id)).toMatchObject({ content_type: 7, content: { image: item.path, sticker_item_id: '20417', sticker_pack_id: '903' } })
  }, 30_000)

  it('a picture with a quote and a mention carries quote_msg_id, quote_msg_text and mentioned_id', async () => {
    const { core, acc, friendSees } = await setup()
    const first = await core.accounts.send(acc.id, FRIEND, [{ type: 'text', data: { text: 'look at this' } }])
    const png = demoPng('quoted')
    const s = await stage(core, png, 'q.png', 'image/png')
    const m = await core.accounts.send(acc.id, FRIEND, [
      { type: 'reply', data: { id: first.id, text: 'me: look at this' } },
      { type: 'image', data: { staged: s.ref, name: s.name, size: s.size } },
      { type: 'at', data: { qq: FRIEND, name: '小云' } }
    ])
    expect(m.status).toBe('sent')
    const got = (await friendSees()).find((x) => x.msg_id === m.id)
    expect(got?.quote_msg_id).toBe(first.id)
    expect(got?.content).toMatchObject({ quote_msg_text: 'me: look at this', mentioned_id: [FRIEND] })
  }, 30_000)
})
