/**
 * Yunhu conversations and people through the handler table against the reference server
 * (server/yunhu/social.ts): unread counts that drop on dismiss-notification, pin, mute, remove,
 * the address book, a friend request pushed while online and accepted, profiles (users and bots),
 * forwarding to another chat, the history search and the jump to a hit.
 */
import type { EventEmitter } from 'node:events'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { decodeWsFrame } from '../../src/core/protocols/yunhu/codec/yunhu'
import type { YunhuPushEvent } from '../../src/shared/yunhu'
import { startServer, type RunningServer } from '../../server/app'
import { AppCore } from '../../src/core/app-core'
import { yunhuTestCore, yunhuTuning } from '../helpers/yunhu-core'
import { createHandlers, type ApiHandlers } from '../../src/core/handlers'
import { MemoryStore, type SecretBox } from '../../src/core/storage/storage'
import { createMemoryLogger } from '../../src/core/log'
import type { AccountInfo, Contact, MainEvents } from '../../src/shared/api'

const EMAIL = 'demo@miodesk.local'
const PASSWORD = 'social-it-pw-1'
const ME = '1000001'
const FRIEND = '1000002'
const MEMBER = '1000003'
const DEMO_GROUP = '300000001'
const ECHO_BOT = '60000001'
const POLL_MS = 300

const box: SecretBox = { isSecure: true, encrypt: (p) => `enc:${p}`, decrypt: (c) => c.slice(4) }

let dir: string
let server: RunningServer
let core: AppCore
let h: ApiHandlers
let account: AccountInfo
const requestsEvents: MainEvents['requests'][] = []
const draftEvents: MainEvents['draft'][] = []
const messageEvents: MainEvents['message'][] = []
let lastContacts: Contact[] = []

async function waitFor<T>(get: () => T | undefined | false | null | Promise<T | undefined | false | null>, ms = 6000, what = 'condition'): Promise<T> {
  const t0 = Date.now()
  for (;;) {
    const v = await get()
    if (v) return v
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

const contact = async (id: string): Promise<Contact | undefined> => (await h['contacts:list'](account.id)).find((c) => c.id === id)

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'miodesk-yunhu-social-'))
  server = await startServer({ port: 0, dataDir: dir, yunhu: { dataDir: dir, email: EMAIL, password: PASSWORD, chunkDelayMs: 5, followUpMs: 40 } })
  // A slow heartbeat: nothing but the poll reads the conversation list again on its own.
  core = yunhuTestCore({ secrets: box, yunhu: yunhuTuning({ heartbeatIntervalMs: 60_000, contactsPollMs: POLL_MS }) })
  ;(core.events as unknown as EventEmitter).on('requests', (p: MainEvents['requests']) => requestsEvents.push(p))
  ;(core.events as unknown as EventEmitter).on('draft', (p: MainEvents['draft']) => draftEvents.push(p))
  ;(core.events as unknown as EventEmitter).on('message', (p: MainEvents['message']) => messageEvents.push(p))
  ;(core.events as unknown as EventEmitter).on('contacts', (p: MainEvents['contacts']) => void (lastContacts = p.contacts))
  h = createHandlers(core)
  account = await h['accounts:add']('yunhu', { api: server.url, email: EMAIL, password: PASSWORD })
})

afterAll(async () => {
  await core?.stop()
  await server?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('conversations', () => {
  it('the account carries its own avatar', () => {
    expect(account.avatarUrl).toMatch(/^https:\/\/chat-img\.jwznb\.com\/.+user-demo/)
  })

  it('the own name and avatar changed elsewhere follow at the next connect (user/info)', async () => {
    server.yunhu!.social.setUser(ME, { avatarUrl: 'https://chat-img.jwznb.com/miodesk-demo/user-demo-2.png' })
    await h['accounts:reconnect'](account.id)
    await waitFor(async () => (await h['accounts:list']()).find((a) => a.id === account.id)?.avatarUrl?.endsWith('user-demo-2.png'), 8000, 'the new avatar')
  })

  it('shows the server unread count; dismiss-notification drops it, here and on the server', async () => {
    expect((await contact(DEMO_GROUP))?.unread).toBe(2)
    await h['conversations:read'](account.id, DEMO_GROUP)
    expect((await contact(DEMO_GROUP))?.unread).toBe(0)
    // Another client (a fresh list from the server) sees it read too.
    const other = await fetch(`${server.url}/v1/conversation/list`, { method: 'POST', headers: { token: await tokenOf() } })
    expect(other.status).toBe(200)
    const again = await h['contacts:list'](account.id)
    expect(again.find((c) => c.id === DEMO_GROUP)?.unread).toBe(0)
  })

  it('a read on another device clears the count at the next conversation list (read every contactsPollMs)', async () => {
    server.yunhu!.social.say(FRIEND, ME, '在吗?')
    await waitFor(() => (lastContacts.find((c) => c.id === FRIEND)?.unread ?? 0) >= 1, 6000, 'the unread message')
    const r = await fetch(`${server.url}/v1/conversation/dismiss-notification`, { method: 'POST', headers: { token: await tokenOf(), 'content-type': 'application/json' }, body: JSON.stringify({ chatId: FRIEND }) })
    expect(await r.json()).toEqual({ code: 1, msg: 'success' })
    // No call from here: the poll brings the list that says so.
    await waitFor(() => lastContacts.find((c) => c.id === FRIEND)?.unread === 0, 6000, 'the count to clear')
  })

  it('pins and unpins (sticky): pinned chats come first, and the pin survives a fresh list', async () => {
    const before = await h['contacts:list'](account.id)
    expect(before[0]).toMatchObject({ id: FRIEND, pinned: true }) // the seed pins the friend
    expect(before.find((c) => c.id === ECHO_BOT)?.pinned).toBeFalsy()
    await h['conversations:pin'](account.id, ECHO_BOT, true)
    const after = await h['contacts:list'](account.id)
    expect(after.slice(0, 2).map((c) => c.id).sort()).toEqual([ECHO_BOT, FRIEND].sort())
    expect(after.find((c) => c.id === ECHO_BOT)?.pinned).toBe(true)
    await h['conversations:pin'](account.id, ECHO_BOT, false)
    expect((await contact(ECHO_BOT))?.pinned).toBeFalsy()
    expect(after.find((c) => c.id === ECHO_BOT)?.capabilities).toMatchObject({ pin: true, mute: true, remove: true, search: true, forward: true })
  })

  it('mutes a chat on the server (no-notify) and reads it back', async () => {
    expect((await contact(DEMO_GROUP))?.muted).toBeFalsy()
    await h['conversations:mute'](account.id, DEMO_GROUP, true)
    expect((await contact(DEMO_GROUP))?.muted).toBe(true)
    const book = await h['yunhu:address-book'](account.id)
    expect(book.groups.find((g) => g.id === DEMO_GROUP)?.muted).toBe(true)
    await h['conversations:mute'](account.id, DEMO_GROUP, false)
    expect((await contact(DEMO_GROUP))?.muted).toBeFalsy()
  })

  it('removes a chat from the list; a new message brings it back', async () => {
    await h['conversations:remove'](account.id, FRIEND)
    expect(await contact(FRIEND)).toBeUndefined()
    server.yunhu!.social.say(FRIEND, ME, '我又来了')
    await waitFor(() => contact(FRIEND), 6000, 'the chat to come back')
  })

  it('refuses unknown chats in words', async () => {
    await expect(h['conversations:pin'](account.id, 'nope', true)).rejects.toThrow(/Unknown Yunhu conversation/)
  })
})

describe('people', () => {
  it('lists the address book by chat type', async () => {
    const book = await h['yunhu:address-book'](account.id)
    expect(book.users.map((u) => u.id)).toContain(FRIEND)
    expect(book.groups.find((g) => g.id === DEMO_GROUP)).toMatchObject({ name: 'MioDesk 演示群', role: 'owner' })
    expect(book.bots.map((b) => b.id)).toContain(ECHO_BOT)
  })

  it('a friend request pushed while online (invite_apply) is fetched, counted and accepted', async () => {
    expect(book().length).toBe(0)
    const id = server.yunhu!.social.request(MEMBER, ME, { note: '我是阿湖' })
    const ev = await waitFor(() => requestsEvents.find((e) => e.accountId === account.id && e.pending === 1), 6000, 'the requests event')
    expect(ev.pending).toBe(1)
    const list = await h['yunhu:requests'](account.id)
    expect(list.list[0]).toMatchObject({ id: String(id), kind: 'user', fromName: '阿湖', fromId: MEMBER, note: '我是阿湖', state: 'pending' })
    const answered = await h['yunhu:answer-request'](account.id, String(id), true)
    expect(answered.pending).toBe(0)
    expect(answered.list[0]?.state).toBe('accepted')
    expect((await h['yunhu:address-book'](account.id)).users.map((u) => u.id)).toContain(MEMBER)
    await waitFor(() => contact(MEMBER), 6000, 'the new friend chat')
    await expect(h['yunhu:answer-request'](account.id, String(id), true)).rejects.toThrow(/已处理/)
  })

  it('a declined request adds no friend', async () => {
    const id = server.yunhu!.social.request(FRIEND, ME, { groupId: '300000002' })
    const list = await h['yunhu:answer-request'](account.id, String(id), false)
    expect(list.list.find((r) => r.id === String(id))).toMatchObject({ kind: 'group', state: 'declined' })
  })

  it('profiles: get-user for users (medals, introduction), bot-info for bots, an unknown id in words', async () => {
    const p = await h['yunhu:profile'](account.id, FRIEND)
    expect(p).toMatchObject({ id: FRIEND, kind: 'user', name: '小云', medals: ['内测用户', '活跃之星'], introduction: expect.stringContaining('开源') })
    const bot = await h['yunhu:profile'](account.id, ECHO_BOT)
    expect(bot).toMatchObject({ id: ECHO_BOT, kind: 'bot', name: '回声机器人' })
    await expect(h['yunhu:profile'](account.id, '999999', 'user')).rejects.toThrow(/该用户不存在/)
  })
})

describe('messages', () => {
  it('forwards a message to another chat (msg-forward)', async () => {
    const page = await h['history:list'](account.id, DEMO_GROUP, undefined, 20)
    const src = page.find((m) => m.segments.some((s) => s.type === 'markdown'))!
    expect(src).toBeDefined()
    const copy = await h['messages:forward'](account.id, DEMO_GROUP, [src.id], FRIEND)
    expect(copy.contactId).toBe(FRIEND)
    expect(copy.self).toBe(true)
    expect(copy.segments).toEqual(src.segments.filter((s) => s.type !== 'reply'))
    await expect(h['messages:forward'](account.id, DEMO_GROUP, ['not-there'], FRIEND)).rejects.toThrow(/no longer exists/)
  })

  it('searches a chat (chat-search) and jumps to a hit (list-message-by-mid-seq)', async () => {
    const hits = await h['messages:search'](account.id, DEMO_GROUP, '看板')
    expect(hits.length).toBeGreaterThan(0)
    expect(hits.every((x) => x.text.includes('看板'))).toBe(true)
    expect(hits[0]).toMatchObject({ senderName: expect.any(String), time: expect.any(Number), seq: expect.stringMatching(/^\d+$/) })
    expect(await h['messages:search'](account.id, DEMO_GROUP, 'no such words at all')).toEqual([])
    await expect(h['messages:search'](account.id, DEMO_GROUP, '  ')).rejects.toThrow(/Type what to search for/)
    const around = await h['history:around'](account.id, DEMO_GROUP, hits[0]!.messageId)
    expect(around.map((m) => m.id)).toContain(hits[0]!.messageId)
    for (let i = 1; i < around.length; i++) expect(around[i]!.time).toBeGreaterThanOrEqual(around[i - 1]!.time)
  })
})

describe('A2UI', () => {
  it('a bot form (content type 14) arrives as an a2ui part; submitting reports it and the bot answers', async () => {
    const form = readFileSync(fileURLToPath(new URL('../fixtures/a2ui/rain-form.json', import.meta.url)), 'utf8')
    const id = server.yunhu!.social.a2ui(ECHO_BOT, ME, form)
    const got = await waitFor(() => messageEvents.find((e) => e.message.id === id), 6000, 'the form message')
    expect(got.message.segments).toEqual([{ type: 'a2ui', data: { text: form } }])
    await h['yunhu:a2ui-submit'](account.id, ECHO_BOT, id, { surfaceId: 'rain_sub', actionName: 'subscribe', sourceComponentId: 'go', context: { plan: 'rain', city: '上海', daily: false } })
    const reply = await waitFor(() => messageEvents.find((e) => JSON.stringify(e.message.segments).includes('已收到表单 subscribe')), 6000, 'the bot answer')
    expect(JSON.stringify(reply.message.segments)).toContain('city=上海')
    await expect(h['yunhu:a2ui-submit'](account.id, ECHO_BOT, id, { surfaceId: 's', actionName: '', sourceComponentId: 'go', context: {} })).rejects.toThrow(/no action/)
    const plain = (await h['history:list'](account.id, ECHO_BOT, undefined, 5)).find((m) => !m.segments.some((x) => x.type === 'a2ui'))!
    await expect(h['yunhu:a2ui-submit'](account.id, ECHO_BOT, plain.id, { surfaceId: 's', actionName: 'a', sourceComponentId: 'go', context: {} })).rejects.toThrow(/no longer exists/)
  })
})

describe('heartbeats', () => {
  it('a heartbeat answer is not a new connection: no conversation list or history is fetched for it', async () => {
    const paths: string[] = []
    const counting: typeof fetch = (input, init) => {
      paths.push(new URL(String(input)).pathname)
      return fetch(input, init)
    }
    const other = new AppCore({
      store: new MemoryStore(),
      secrets: box,
      host: 'browser',
      version: 'test',
      openExternal: async () => {},
      logger: createMemoryLogger(),
      yunhu: { fetch: counting, push: { loginSettleMs: 50, heartbeatIntervalMs: 100, backoff: { baseMs: 50, maxMs: 200, factor: 2, jitter: 0 } }, httpTimeoutMs: 5000, connectWaitMs: 5000, contactsPollMs: 0 }
    })
    try {
      const acc = await createHandlers(other)['accounts:add']('yunhu', { api: server.url, email: EMAIL, password: PASSWORD })
      await createHandlers(other)['history:list'](acc.id, DEMO_GROUP, undefined, 5)
      await new Promise((r) => setTimeout(r, 300))
      const before = paths.length
      await new Promise((r) => setTimeout(r, 1200)) // about a dozen heartbeats
      expect(paths.slice(before).filter((p) => p === '/v1/conversation/list' || p.startsWith('/v1/msg/list-message'))).toEqual([])
    } finally {
      await other.stop()
    }
  })
})

describe('drafts', () => {
  it('a draft typed here goes to the other devices (inputInfo), and one typed there arrives as a draft event', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`)
    const frames: YunhuPushEvent[] = []
    ws.on('message', (data, binary) => {
      if (binary) frames.push(decodeWsFrame(new Uint8Array(data as Buffer)))
    })
    await new Promise((r) => ws.once('open', r))
    ws.send(JSON.stringify({ seq: 'l', cmd: 'login', data: { userId: ME, token: await tokenOf(), platform: 'linux', deviceId: 'other-device' } }))
    ws.send(JSON.stringify({ seq: 'hb', cmd: 'heartbeat', data: {} }))
    await waitFor(() => frames.some((f) => f.kind === 'heartbeat_ack'), 6000, 'the other device to log in')
    await h['conversations:draft'](account.id, DEMO_GROUP, '草稿: 还没写完')
    const got = await waitFor(() => frames.find((f) => f.kind === 'draft_input'), 6000, 'the draft on the other device')
    expect(got).toMatchObject({ kind: 'draft_input', message: { chat_id: DEMO_GROUP, input: '草稿: 还没写完' } })
    ws.send(JSON.stringify({ seq: 'd', cmd: 'inputInfo', data: { chatId: FRIEND, input: '另一台设备的草稿', deviceId: 'other-device' } }))
    const ev = await waitFor(() => draftEvents.find((d) => d.contactId === FRIEND), 6000, 'the draft event')
    expect(ev).toEqual({ accountId: account.id, contactId: FRIEND, text: '另一台设备的草稿' })
    ws.close()
    await expect(h['conversations:draft'](account.id, 'nope', 'x')).rejects.toThrow(/Unknown Yunhu conversation/)
  })
})

let cachedToken: string | undefined
async function tokenOf(): Promise<string> {
  if (cachedToken) return cachedToken
  const r = await fetch(`${server.url}/v1/user/email-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: EMAIL, password: PASSWORD }) })
  cachedToken = ((await r.json()) as { data: { token: string } }).data.token
  return cachedToken
}

function book(): MainEvents['requests'][] {
  return requestsEvents.filter((e) => e.accountId === account.id)
}
