/**
 * Integration tests of the Yunhu part of the reference server: real HTTP (fetch) and WebSocket (ws)
 * on 127.0.0.1, protobuf bodies and push frames through the shared codec.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startServer, type RunningServer } from '../../server/app'
import { DEMO_GROUP_ID, DEMO_USER_ID, DEV_GROUP_ID, ECHO_BOT_ID, FRIEND_ID, SECRET_BOT_ID, STREAM_BOT_ID, WEATHER_BOT_ID } from '../../server/yunhu/seed'
import { decodeWsFrame, decodeYunhuBody, encodeYunhuBody } from '../../src/core/protocols/yunhu/codec/yunhu'
import type { YunhuBodyName, YunhuBodyTypes, YunhuPushEvent, YunhuSendMsgRequest } from '../../src/shared/yunhu'

const EMAIL = 'tester@miodesk.local'
const PASSWORD = 'correct horse battery'

let dir: string
let server: RunningServer
let token: string

async function boot(password: string | undefined = PASSWORD): Promise<RunningServer> {
  return startServer({ port: 0, yunhu: { dataDir: dir, email: EMAIL, password, chunkDelayMs: 5, followUpMs: 40 } })
}

// ------------------------------------------------------------------------------------ HTTP helpers

async function postJson(path: string, body?: unknown, tok: string | null = token): Promise<{ status: number; json: any; type: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (tok !== null) headers.token = tok
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) })
  const text = await res.text()
  return { status: res.status, json: JSON.parse(text), type: res.headers.get('content-type') ?? '' }
}

async function proto<Res extends YunhuBodyName>(
  path: string,
  resName: Res,
  body?: Uint8Array,
  opts: { tok?: string | null; method?: string } = {}
): Promise<{ status: number; msg: YunhuBodyTypes[Res] }> {
  const tok = opts.tok === undefined ? token : opts.tok
  const headers: Record<string, string> = {}
  if (tok !== null) headers.token = tok
  const res = await fetch(`${server.url}${path}`, { method: opts.method ?? 'POST', headers, body: body === undefined ? undefined : Buffer.from(body) })
  const bytes = new Uint8Array(await res.arrayBuffer())
  return { status: res.status, msg: decodeYunhuBody(resName, bytes) }
}

function enc<K extends YunhuBodyName>(name: K, msg: YunhuBodyTypes[K]): Uint8Array {
  return encodeYunhuBody(name, msg)
}

let msgCounter = 0
function newMsgId(): string {
  return `testmsg${Date.now().toString(36)}${(msgCounter++).toString(36)}`
}

async function send(req: YunhuSendMsgRequest, path = '/v1/msg/send-message'): Promise<YunhuBodyTypes['StatusResponse']> {
  return (await proto(path, 'StatusResponse', enc('SendMsgRequest', req))).msg
}

async function listMessages(chatId: string, chatType: number, extra: { msg_id?: string; msg_count?: number } = {}) {
  const r = await proto('/v1/msg/list-message', 'ListMsgResponse', enc('ListMsgRequest', { chat_id: chatId, chat_type: chatType, ...extra }))
  expect(r.msg.status?.code).toBe(1)
  return r.msg.data ?? []
}

// ------------------------------------------------------------------------------------ WS helper

type Event = YunhuPushEvent | { kind: 'text'; text: string }

class Push {
  readonly events: Event[] = []
  private readonly taken = new Set<Event>()
  private readonly listeners = new Set<() => void>()

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)
      this.events.push(isBinary ? decodeWsFrame(new Uint8Array(buf)) : { kind: 'text', text: buf.toString('utf8') })
      for (const l of [...this.listeners]) l()
    })
  }

  static open(): Promise<Push> {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`)
    const p = new Push(ws)
    return new Promise((res, rej) => {
      ws.once('open', () => res(p))
      ws.once('error', rej)
    })
  }

  /** Opens, logs in, and waits for the first heartbeat_ack (login has no reply of its own). */
  static async login(deviceId = 'device-a', platform = 'linux'): Promise<Push> {
    const p = await Push.open()
    p.send({ seq: 'l1', cmd: 'login', data: { userId: DEMO_USER_ID, token, platform, deviceId } })
    p.send({ seq: 'hb-login', cmd: 'heartbeat', data: {} })
    await p.waitFor((e) => e.kind === 'heartbeat_ack' && e.seq === 'hb-login')
    return p
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' || frame instanceof Uint8Array ? frame : JSON.stringify(frame))
  }

  waitFor<E extends Event = Event>(pred: (e: Event) => boolean, timeoutMs = 3000): Promise<E> {
    return new Promise((res, rej) => {
      const check = (): boolean => {
        const e = this.events.find((x) => !this.taken.has(x) && pred(x))
        if (!e) return false
        this.taken.add(e)
        this.listeners.delete(check)
        clearTimeout(timer)
        res(e as E)
        return true
      }
      const timer = setTimeout(() => {
        this.listeners.delete(check)
        rej(new Error(`timed out; events: ${JSON.stringify(this.events.map((e) => e.kind))}`))
      }, timeoutMs)
      if (!check()) this.listeners.add(check)
    })
  }

  /** Every event so far matching pred (not marking them taken). */
  all(pred: (e: Event) => boolean): Event[] {
    return this.events.filter(pred)
  }

  close(): void {
    this.ws.close()
  }
}

const msgOf = (e: Event): any => (e as any).message

// ------------------------------------------------------------------------------------ setup

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'miodesk-yunhu-'))
  server = await boot()
  const r = await postJson('/v1/user/email-login', { email: EMAIL, password: PASSWORD, deviceId: 'test', platform: 'linux' }, null)
  token = r.json.data.token
})

afterAll(async () => {
  await server?.close()
  await rm(dir, { recursive: true, force: true })
})

// ------------------------------------------------------------------------------------ tests

describe('startup and data file', () => {
  it('creates yunhu.json with a scrypt hash, never the password', async () => {
    expect(server.yunhu?.created).toBe(true)
    expect(server.yunhu?.generatedPassword).toBeUndefined()
    await server.yunhu?.flush()
    const text = await readFile(join(dir, 'yunhu.json'), 'utf8')
    const data = JSON.parse(text)
    expect(data.version).toBe(1)
    expect(data.users[0].email).toBe(EMAIL)
    expect(data.users[0].passwordHash).toMatch(/^scrypt\$16384\$8\$1\$/)
    expect(text).not.toContain(PASSWORD)
  })

  it('generates and reports a password when none is given', async () => {
    const other = await mkdtemp(join(tmpdir(), 'miodesk-yunhu-gen-'))
    const s = await startServer({ port: 0, yunhu: { dataDir: other } })
    try {
      const pw = s.yunhu?.generatedPassword
      expect(pw).toMatch(/^[\w-]{12}$/)
      expect(s.yunhu?.email).toBe('demo@miodesk.local')
      const res = await fetch(`${s.url}/v1/user/email-login`, { method: 'POST', body: JSON.stringify({ email: 'demo@miodesk.local', password: pw }) })
      const json = await res.json()
      expect(json.code).toBe(1)
      expect(typeof json.data.token).toBe('string')
    } finally {
      await s.close()
      await rm(other, { recursive: true, force: true })
    }
  })

  it('without the yunhu option nothing is mounted under /v1/ or /ws', async () => {
    const s = await startServer({ port: 0 })
    try {
      const res = await fetch(`${s.url}/v1/bot/banner`, { method: 'POST' })
      expect(res.headers.get('content-type')).toContain('application/json')
      expect(s.yunhu).toBeUndefined()
    } finally {
      await s.close()
    }
  })
})

describe('auth and errors', () => {
  it('email-login: token on success, code -1 on a wrong password or missing email', async () => {
    const ok = await postJson('/v1/user/email-login', { email: EMAIL.toUpperCase(), password: PASSWORD, deviceId: 'x', platform: 'windows' }, null)
    expect(ok.json).toMatchObject({ code: 1, msg: 'success' })
    expect(ok.json.data.token).toMatch(/^[0-9a-f-]{36}$/)
    const bad = await postJson('/v1/user/email-login', { email: EMAIL, password: 'nope' }, null)
    expect(bad.json).toEqual({ code: -1, msg: '邮箱或密码错误' })
    const missing = await postJson('/v1/user/email-login', { password: PASSWORD }, null)
    expect(missing.json.code).toBe(-1)
    expect(missing.json.msg).toContain('email')
  })

  it('JSON endpoints answer {"code":-101,"msg":"未登录"} without a valid token', async () => {
    for (const tok of [null, '', 'not-a-token']) {
      const r = await postJson('/v1/bot/banner', {}, tok)
      expect(r.status).toBe(200)
      expect(r.json).toEqual({ code: -101, msg: '未登录' })
    }
    const r = await postJson('/v1/bot/bot-detail', { id: ECHO_BOT_ID }, 'bogus')
    expect(r.json.code).toBe(-101)
  })

  it('protobuf endpoints answer Status.code = -101 without a valid token', async () => {
    const info = await proto('/v1/bot/bot-info', 'BotInfoResponse', enc('BotInfoRequest', { id: ECHO_BOT_ID }), { tok: null })
    expect(info.msg.status?.code).toBe(-101)
    expect(info.msg.status?.msg).toBe('未登录')
    expect(info.msg.data).toBeUndefined()
    const me = await proto('/v1/user/info', 'UserInfo', undefined, { tok: 'bogus', method: 'GET' })
    expect(me.msg.status?.code).toBe(-101)
    const sendR = await proto('/v1/msg/send-message', 'StatusResponse', enc('SendMsgRequest', { msg_id: 'x' }), { tok: null })
    expect(sendR.msg.status?.code).toBe(-101)
  })

  it('the wrong HTTP method and unknown paths get a plain-text 404', async () => {
    for (const [method, path] of [
      ['GET', '/v1/bot/banner'],
      ['PUT', '/v1/bot/bot-detail'],
      ['POST', '/v1/user/info'],
      ['GET', '/v1/msg/send-message'],
      ['POST', '/v1/no/such/endpoint']
    ]) {
      const res = await fetch(`${server.url}${path}`, { method, headers: { token } })
      expect(res.status, `${method} ${path}`).toBe(404)
      expect(res.headers.get('content-type')).toContain('text/plain')
      expect(await res.text()).toBe('404 page not found')
    }
  })

  it('bad JSON bodies give code -1 with a message', async () => {
    const r1 = await postJson('/v1/bot/bot-detail', '{not json')
    expect(r1.json.code).toBe(-1)
    expect(r1.json.msg).toContain('JSON')
    const r2 = await postJson('/v1/bot/bot-detail', '[1,2]')
    expect(r2.json.code).toBe(-1)
    const r3 = await postJson('/v1/bot/bot-detail', { id: { nested: true } })
    expect(r3.json.code).toBe(-1)
  })

  it('bodies over the limit are refused with 413 (JSON and protobuf)', async () => {
    const big = JSON.stringify({ id: ECHO_BOT_ID, settingJson: 'x'.repeat(300 * 1024) })
    const r = await postJson('/v1/bot/edit-setting-json', big)
    expect(r.status).toBe(413)
    expect(r.json.code).toBe(-1)
    const p = await proto('/v1/msg/send-message', 'StatusResponse', new Uint8Array(300 * 1024))
    expect(p.status).toBe(413)
    expect(p.msg.status?.code).toBe(-1)
  })

  it('garbage protobuf gives an error status, never a crash', async () => {
    for (const bytes of [
      [0xff, 0xff, 0xff],
      [0x12, 0x50, 0x41],
      [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]
    ]) {
      const r = await proto('/v1/bot/bot-info', 'BotInfoResponse', new Uint8Array(bytes))
      expect(r.status).toBe(200)
      expect(r.msg.status?.code).toBe(-1)
      expect(r.msg.status?.msg).toContain('protobuf')
    }
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), fc.constantFrom('/v1/msg/send-message', '/v1/msg/recall-msg', '/v1/bot/board', '/v1/bot/create-bot', '/v1/msg/list-message'), async (bytes, path) => {
        const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { token }, body: Buffer.from(bytes) })
        expect(res.status).toBe(200)
        const status = decodeYunhuBody('StatusResponse', new Uint8Array(await res.arrayBuffer())).status
        expect([1, -1]).toContain(status?.code)
      }),
      { numRuns: 150 }
    )
    const me = await proto('/v1/user/info', 'UserInfo', undefined, { method: 'GET' })
    expect(me.msg.status?.code).toBe(1)
  })
})

describe('account and conversations', () => {
  it('GET /v1/user/info returns the account (protobuf)', async () => {
    const r = await proto('/v1/user/info', 'UserInfo', undefined, { method: 'GET' })
    expect(r.msg.status).toMatchObject({ code: 1, msg: 'success' })
    expect(r.msg.status?.request_id).toMatch(/^\d+$/)
    expect(r.msg.data).toMatchObject({ id: DEMO_USER_ID, name: 'MioDesk 演示用户' })
  })

  it('conversation/list lists groups, bots and users; an equal md5 gives an empty list', async () => {
    const r = await proto('/v1/conversation/list', 'ConversationListResponse')
    expect(r.msg.status?.code).toBe(1)
    const list = r.msg.data ?? []
    expect(r.msg.total).toBe(list.length)
    const byId = new Map(list.map((c) => [`${c.chat_type}:${c.chat_id}`, c]))
    expect(byId.get(`2:${DEMO_GROUP_ID}`)).toMatchObject({ name: 'MioDesk 演示群', remark: 'MioDesk 演示群', unread_msg: 2, at: true })
    expect(byId.get(`3:${ECHO_BOT_ID}`)?.name).toBe('回声机器人')
    expect(byId.get(`3:${WEATHER_BOT_ID}`)).toMatchObject({ do_not_disturb: true, certification_level: 1, chat_content: '今日天气: 晴, 26°C' })
    expect(byId.get(`1:${FRIEND_ID}`)?.name).toBe('小云')
    expect(list[0].chat_id).toBe(FRIEND_ID) // pinned first
    expect(r.msg.md5).toMatch(/^[0-9a-f]{32}$/)
    const again = await proto('/v1/conversation/list', 'ConversationListResponse', enc('ConversationListRequest', { md5: r.msg.md5 }))
    expect(again.msg.data).toBeUndefined()
    expect(again.msg.md5).toBe(r.msg.md5)
  })

  it('the seed has text, markdown, html, image, file, quote, mention and button messages', async () => {
    const msgs = await listMessages(DEMO_GROUP_ID, 2, { msg_count: 50 })
    expect(msgs.map((m) => m.content_type)).toEqual(expect.arrayContaining([1, 2, 3, 4, 8]))
    const image = msgs.find((m) => m.content_type === 2)
    expect(image?.content).toMatchObject({ image_url: expect.stringMatching(/^https:/), width: 1280, height: 720, file_size: '183204' })
    const file = msgs.find((m) => m.content_type === 4)
    expect(file?.content).toMatchObject({ file_name: '会议纪要.pdf', file_size: '20480' })
    const quote = msgs.find((m) => m.quote_msg_id)
    expect(quote?.quote_msg_id).toBe(file?.msg_id)
    expect(quote?.content?.quote_msg_text).toContain('会议纪要')
    expect(quote?.direction).toBe('right')
    expect(msgs.find((m) => m.content?.mentioned_id)?.content?.mentioned_id).toEqual([DEMO_USER_ID])
    expect(msgs.find((m) => m.content?.buttons)?.sender).toMatchObject({ chat_id: ECHO_BOT_ID, chat_type: 3 })
    expect(msgs.map((m) => Number(m.msg_seq))).toEqual([...msgs.map((m) => Number(m.msg_seq))].sort((a, b) => a - b))
  })

  it('list-message pages before msg_id; list-message-by-seq returns what follows a seq', async () => {
    const latest = await listMessages(DEMO_GROUP_ID, 2, { msg_count: 3 })
    expect(latest).toHaveLength(3)
    const before = await listMessages(DEMO_GROUP_ID, 2, { msg_count: 2, msg_id: latest[0].msg_id })
    expect(before.map((m) => Number(m.msg_seq))).toEqual([Number(latest[0].msg_seq) - 2, Number(latest[0].msg_seq) - 1])
    const bySeq = await proto('/v1/msg/list-message-by-seq', 'ListMsgResponse', enc('ListMsgBySeqRequest', { msg_start: '5', chat_id: DEMO_GROUP_ID, chat_type: 2 }))
    expect(bySeq.msg.data?.[0].msg_seq).toBe('6')
    expect(bySeq.msg.data?.every((m) => Number(m.msg_seq) > 5)).toBe(true)
    const mid = await proto('/v1/msg/list-message-by-mid-seq', 'ListMsgResponse', enc('ListMsgByMidSeqRequest', { msg_id: latest[0].msg_id, msg_count: 2, chat_id: DEMO_GROUP_ID, chat_type: 2 }))
    expect(mid.msg.data).toHaveLength(3)
    expect(mid.msg.data?.[2].msg_id).toBe(latest[0].msg_id)
    const missing = await proto('/v1/msg/list-message', 'ListMsgResponse', enc('ListMsgRequest', { msg_id: 'nope', chat_id: DEMO_GROUP_ID, chat_type: 2 }))
    expect(missing.msg.status?.code).toBe(-1)
    const notMember = await proto('/v1/msg/list-message', 'ListMsgResponse', enc('ListMsgRequest', { chat_id: SECRET_BOT_ID, chat_type: 3 }))
    expect(notMember.msg.status).toMatchObject({ code: -1, msg: '你还没有添加该机器人' })
  })
})

describe('bot endpoints (the seed)', () => {
  it('banner and new-list (public bots only, string chatType/headcount)', async () => {
    const b = await postJson('/v1/bot/banner')
    expect(b.json.code).toBe(1)
    expect(b.json.data.banners.map((x: any) => x.sort)).toEqual([1, 2])
    expect(b.json.data.banners[0]).toMatchObject({ title: '欢迎使用 MioDesk', targetId: ECHO_BOT_ID, typ: 1, delFlag: 0 })
    const l = await postJson('/v1/bot/new-list')
    const ids = l.json.data.bots.map((x: any) => x.chatId)
    expect(ids).toContain(ECHO_BOT_ID)
    expect(ids).toContain(WEATHER_BOT_ID)
    expect(ids).not.toContain(SECRET_BOT_ID)
    expect(ids).not.toContain(STREAM_BOT_ID)
    const weather = l.json.data.bots.find((x: any) => x.chatId === WEATHER_BOT_ID)
    expect(weather).toMatchObject({ chatType: '3', headcount: '1202', nickname: '天气机器人', instructions: '' })
  })

  it('bot-detail gives the bot and its groups; unknown or hidden bots fail', async () => {
    const r = await postJson('/v1/bot/bot-detail', { id: ECHO_BOT_ID })
    expect(r.json.code).toBe(1)
    expect(r.json.data.bot).toMatchObject({ botId: ECHO_BOT_ID, nickname: '回声机器人', createBy: DEMO_USER_ID, private: 0, isStop: 0, del_flag: 0 })
    expect(r.json.data.bot.token).toBeUndefined()
    expect(r.json.data.bot.uri).toBe(`${server.url}/open-apis/v1/bot/send?token=`)
    expect(JSON.parse(r.json.data.bot.settingJson).map((i: any) => i.type)).toEqual(['radio', 'input', 'switch', 'checkbox', 'textarea', 'select'])
    expect(r.json.data.groups.map((g: any) => g.groupId).sort()).toEqual([DEMO_GROUP_ID, DEV_GROUP_ID])
    expect(r.json.data.groups[0]).toHaveProperty('msgTypeLimit', '')
    expect((await postJson('/v1/bot/bot-detail', { id: '999' })).json).toEqual({ code: -1, msg: '机器人不存在' })
    expect((await postJson('/v1/bot/bot-detail', { id: SECRET_BOT_ID })).json.code).toBe(-1)
    expect((await postJson('/v1/bot/bot-detail', {})).json.code).toBe(-1)
  })

  it('bot-group-list lists my bots with tokens', async () => {
    const r = await postJson('/v1/bot/bot-group-list')
    expect(r.json.code).toBe(1)
    const bots = r.json.data.list.bots
    expect(r.json.data.botsTotal).toBe(bots.length)
    expect(bots.map((b: any) => b.botId)).toEqual(expect.arrayContaining([ECHO_BOT_ID, STREAM_BOT_ID]))
    expect(bots.map((b: any) => b.botId)).not.toContain(WEATHER_BOT_ID)
    expect(bots[0].token).toMatch(/^[0-9a-f]{32}$/)
    expect(bots[0]).toHaveProperty('linkStop', 0)
    expect(bots[0]).toHaveProperty('groupLimit', 0)
  })

  it('edit-setting-json stores a valid form and refuses invalid JSON, bad items and other owners', async () => {
    const form = JSON.stringify([{ id: 'abc', key: 0, type: 'switch', title: 'Switch 开关', props: [], propsValue: { label: '开关' } }])
    const ok = await postJson('/v1/bot/edit-setting-json', { id: STREAM_BOT_ID, settingJson: form })
    expect(ok.json).toEqual({ code: 1, msg: 'success' })
    expect((await postJson('/v1/bot/bot-detail', { id: STREAM_BOT_ID })).json.data.bot.settingJson).toBe(form)
    const bad = await postJson('/v1/bot/edit-setting-json', { id: STREAM_BOT_ID, settingJson: '[{' })
    expect(bad.json).toEqual({ code: -1, msg: 'settingJson 不是合法的 JSON' })
    const badType = await postJson('/v1/bot/edit-setting-json', { id: STREAM_BOT_ID, settingJson: '[{"id":"a","type":"slider"}]' })
    expect(badType.json.code).toBe(-1)
    expect(badType.json.msg).toContain('slider')
    const notArray = await postJson('/v1/bot/edit-setting-json', { id: STREAM_BOT_ID, settingJson: '{}' })
    expect(notArray.json.code).toBe(-1)
    const notMine = await postJson('/v1/bot/edit-setting-json', { id: WEATHER_BOT_ID, settingJson: '[]' })
    expect(notMine.json).toEqual({ code: -1, msg: '你不是该机器人的创建者' })
    expect((await postJson('/v1/bot/bot-detail', { id: STREAM_BOT_ID })).json.data.bot.settingJson).toBe(form)
  })

  it('web-edit-bot changes name, introduction, avatar and privacy', async () => {
    const ok = await postJson('/v1/bot/web-edit-bot', { botId: STREAM_BOT_ID, nickname: '流式助手 Pro', introduction: '新简介', avatarUrl: 'https://example.com/a.png', private: 0 })
    expect(ok.json.code).toBe(1)
    const info = await proto('/v1/bot/bot-info', 'BotInfoResponse', enc('BotInfoRequest', { id: STREAM_BOT_ID }))
    expect(info.msg.data).toMatchObject({ name: '流式助手 Pro', introduction: '新简介', avatar_url: 'https://example.com/a.png' })
    expect(info.msg.data?.private).toBeUndefined() // false is the proto3 default
    expect((await postJson('/v1/bot/web-edit-bot', { botId: STREAM_BOT_ID, nickname: '  ' })).json.code).toBe(-1)
    expect((await postJson('/v1/bot/web-edit-bot', { botId: STREAM_BOT_ID, nickname: 'x', private: 5 })).json.code).toBe(-1)
    expect((await postJson('/v1/bot/web-edit-bot', { botId: STREAM_BOT_ID, nickname: 'x', avatarUrl: 'javascript:1' })).json.code).toBe(-1)
    expect((await postJson('/v1/bot/web-edit-bot', { botId: WEATHER_BOT_ID, nickname: 'mine now' })).json.code).toBe(-1)
    await postJson('/v1/bot/web-edit-bot', { botId: STREAM_BOT_ID, nickname: '流式助手', private: 1 })
  })

  it('bot-info (protobuf) returns BotData; unknown bots give Status.code -1', async () => {
    const r = await proto('/v1/bot/bot-info', 'BotInfoResponse', enc('BotInfoRequest', { id: WEATHER_BOT_ID }))
    expect(r.msg.status).toMatchObject({ code: 1, msg: 'success' })
    expect(r.msg.data).toMatchObject({ bot_id: WEATHER_BOT_ID, name: '天气机器人', create_by: '1000000', headcount: '1202', always_agree: true, do_not_disturb: true })
    expect(r.msg.data?.create_time).toMatch(/^\d{10}$/)
    const unknown = await proto('/v1/bot/bot-info', 'BotInfoResponse', enc('BotInfoRequest', { id: '42' }))
    expect(unknown.msg.status).toMatchObject({ code: -1, msg: '机器人不存在' })
    expect(unknown.msg.data).toBeUndefined()
    const empty = await proto('/v1/bot/bot-info', 'BotInfoResponse', new Uint8Array(0))
    expect(empty.msg.status?.code).toBe(-1)
  })

  it('board (protobuf) for a group and for a bot chat; bad chat_type or group fails', async () => {
    const g = await proto('/v1/bot/board', 'BoardResponse', enc('BoardRequest', { id: DEMO_GROUP_ID, chat_type: 2 }))
    expect(g.msg.status?.code).toBe(1)
    expect(g.msg.data).toMatchObject({ bot_id: ECHO_BOT_ID, chat_id: DEMO_GROUP_ID, chat_type: 2, content_type: 2, bot_name: '回声机器人' })
    expect(g.msg.data?.content).toContain('群公告')
    const b = await proto('/v1/bot/board', 'BoardResponse', enc('BoardRequest', { id: WEATHER_BOT_ID, chat_type: 3 }))
    expect(b.msg.data).toMatchObject({ bot_id: WEATHER_BOT_ID, chat_id: WEATHER_BOT_ID, chat_type: 3, content_type: 1, content: '今日天气: 晴, 26°C' })
    const none = await proto('/v1/bot/board', 'BoardResponse', enc('BoardRequest', { id: STREAM_BOT_ID, chat_type: 3 }))
    expect(none.msg.status?.code).toBe(1)
    expect(none.msg.data).toBeUndefined()
    const badType = await proto('/v1/bot/board', 'BoardResponse', enc('BoardRequest', { id: DEMO_GROUP_ID, chat_type: 1 }))
    expect(badType.msg.status?.code).toBe(-1)
    const badGroup = await proto('/v1/bot/board', 'BoardResponse', enc('BoardRequest', { id: '123', chat_type: 2 }))
    expect(badGroup.msg.status).toMatchObject({ code: -1, msg: '群聊不存在' })
  })

  it('create-bot (protobuf) creates a bot I own and follow; bad names fail', async () => {
    const r = await proto('/v1/bot/create-bot', 'CreateBotResponse', enc('CreateBotRequest', { name: '新机器人', introduction: '测试', avatar_url: 'https://example.com/b.png', private: true }))
    expect(r.msg.status?.code).toBe(1)
    const id = r.msg.data?.bot_id as string
    expect(id).toMatch(/^\d+$/)
    expect(r.msg.data).toMatchObject({ name: '新机器人', private: true, create_by: DEMO_USER_ID })
    const mine = await postJson('/v1/bot/bot-group-list')
    expect(mine.json.data.list.bots.find((b: any) => b.botId === id)).toMatchObject({ nickname: '新机器人', private: 1 })
    const conv = await proto('/v1/conversation/list', 'ConversationListResponse')
    expect(conv.msg.data?.some((c) => c.chat_id === id && c.chat_type === 3)).toBe(true)
    const noName = await proto('/v1/bot/create-bot', 'CreateBotResponse', enc('CreateBotRequest', { introduction: 'x' }))
    expect(noName.msg.status?.code).toBe(-1)
    expect(noName.msg.data).toBeUndefined()
    const long = await proto('/v1/bot/create-bot', 'CreateBotResponse', enc('CreateBotRequest', { name: 'x'.repeat(21) }))
    expect(long.msg.status?.code).toBe(-1)
  })

  it('remove-follower and remove-group (owner only)', async () => {
    const created = await proto('/v1/bot/create-bot', 'CreateBotResponse', enc('CreateBotRequest', { name: '待移除' }))
    const id = created.msg.data?.bot_id as string
    expect((await postJson('/v1/bot/remove-follower', { botId: id, userId: DEMO_USER_ID })).json).toEqual({ code: 1, msg: 'success' })
    const conv = await proto('/v1/conversation/list', 'ConversationListResponse')
    expect(conv.msg.data?.some((c) => c.chat_id === id)).toBe(false)
    expect((await postJson('/v1/bot/remove-follower', { botId: id, userId: DEMO_USER_ID })).json.code).toBe(-1)
    expect((await postJson('/v1/bot/remove-follower', { botId: WEATHER_BOT_ID, userId: FRIEND_ID })).json.code).toBe(-1)
    expect((await postJson('/v1/bot/remove-group', { botId: ECHO_BOT_ID, groupId: DEV_GROUP_ID })).json).toEqual({ code: 1, msg: 'success' })
    expect((await postJson('/v1/bot/remove-group', { botId: ECHO_BOT_ID, groupId: DEV_GROUP_ID })).json.code).toBe(-1)
    expect((await postJson('/v1/bot/remove-group', { botId: WEATHER_BOT_ID, groupId: DEMO_GROUP_ID })).json.code).toBe(-1)
    expect((await postJson('/v1/bot/remove-group', { botId: ECHO_BOT_ID, groupId: '1' })).json.code).toBe(-1)
    const detail = await postJson('/v1/bot/bot-detail', { id: ECHO_BOT_ID })
    expect(detail.json.data.groups.map((g: any) => g.groupId)).toEqual([DEMO_GROUP_ID])
  })

  it('LLM model list and a bot’s LLM settings', async () => {
    const l = await postJson('/v1/bot/llm/llm-setting-list')
    expect(l.json.code).toBe(1)
    expect(l.json.data.list).toHaveLength(2)
    expect(l.json.data.list[0]).toMatchObject({ id: 1, parent_id: 0, tag: '演示' })
    expect(l.json.data.list[0].subItems[0]).toMatchObject({ id: 161, parent_id: 1, subItems: null, icon: null })
    expect(JSON.parse(l.json.data.list[0].params)).toEqual([{ name: 'API Key', type: 'input' }])
    const s = await postJson('/v1/bot/llm/llm-setting-ref-info', { botId: STREAM_BOT_ID })
    expect(s.json.data).toMatchObject({ isBigModel: 1, llmId: 1, llmModelName: '云湖演示大模型-chat', llmName: '云湖演示大模型', prompt: '你是一个乐于助人的助手。' })
    expect(JSON.parse(s.json.data.mcpJson)).toHaveProperty('mcpServers')
    expect((await postJson('/v1/bot/llm/llm-setting-ref-info', { botId: WEATHER_BOT_ID })).json.code).toBe(-1)
  })

  it('reset-bot-token returns a new token that bot-group-list shows', async () => {
    const before = (await postJson('/v1/bot/bot-group-list')).json.data.list.bots.find((b: any) => b.botId === ECHO_BOT_ID).token
    const r = await postJson('/v1/bot/reset-bot-token', { botId: ECHO_BOT_ID })
    expect(r.json.code).toBe(1)
    expect(r.json.data.token).toMatch(/^[0-9a-f]{32}$/)
    expect(r.json.data.token).not.toBe(before)
    const after = (await postJson('/v1/bot/bot-group-list')).json.data.list.bots.find((b: any) => b.botId === ECHO_BOT_ID).token
    expect(after).toBe(r.json.data.token)
    expect((await postJson('/v1/bot/reset-bot-token', { botId: WEATHER_BOT_ID })).json.code).toBe(-1)
  })

  it('edit-subscribed-link accepts http(s) links only', async () => {
    expect((await postJson('/v1/bot/edit-subscribed-link', { botId: STREAM_BOT_ID, link: 'https://hooks.example.com/yh' })).json).toEqual({ code: 1, msg: 'success' })
    const mine = await postJson('/v1/bot/bot-group-list')
    expect(mine.json.data.list.bots.find((b: any) => b.botId === STREAM_BOT_ID).link).toBe('https://hooks.example.com/yh')
    expect((await postJson('/v1/bot/edit-subscribed-link', { botId: STREAM_BOT_ID, link: 'ftp://x' })).json.code).toBe(-1)
    expect((await postJson('/v1/bot/edit-subscribed-link', { botId: STREAM_BOT_ID, link: 'not a url' })).json.code).toBe(-1)
    expect((await postJson('/v1/bot/edit-subscribed-link', { botId: WEATHER_BOT_ID, link: 'https://x.example' })).json.code).toBe(-1)
  })

  it('per-group settings: get (saved or the bot form), save, and refusals', async () => {
    const g = await postJson('/v1/bot/get-user-settings-json', { botId: ECHO_BOT_ID, chatId: DEMO_GROUP_ID })
    expect(g.json.code).toBe(1)
    const items = g.json.data.settingsJson
    expect(items.map((i: any) => i.type)).toEqual(['radio', 'input', 'switch', 'checkbox', 'textarea', 'select'])
    expect(items[0]).toMatchObject({ id: 'pqkyru', key: 0, title: 'Radio 单选框', selectIndex: 1, selectValue: 'English' })
    expect(items[0].props[1]).toMatchObject({ type: 'options', placeholder: expect.stringContaining('#') })
    const saved = JSON.stringify([{ ...items[2], value: false }])
    expect((await postJson('/v1/bot/send-setting-json', { id: ECHO_BOT_ID, groupId: DEMO_GROUP_ID, settingJson: saved })).json).toEqual({ code: 1, msg: 'success' })
    const g2 = await postJson('/v1/bot/get-user-settings-json', { botId: ECHO_BOT_ID, chatId: DEMO_GROUP_ID })
    expect(g2.json.data.settingsJson).toEqual([{ ...items[2], value: false }])
    const bad = await postJson('/v1/bot/send-setting-json', { id: ECHO_BOT_ID, groupId: DEMO_GROUP_ID, settingJson: 'nope' })
    expect(bad.json).toEqual({ code: -1, msg: 'settingJson 不是合法的 JSON' })
    const notAdmin = await postJson('/v1/bot/get-user-settings-json', { botId: ECHO_BOT_ID, chatId: DEV_GROUP_ID })
    expect(notAdmin.json).toEqual({ code: -1, msg: '你不是该群的群主或管理员' })
    const notInGroup = await postJson('/v1/bot/send-setting-json', { id: STREAM_BOT_ID, groupId: DEMO_GROUP_ID, settingJson: '[]' })
    expect(notInGroup.json.code).toBe(-1)
    const fromForm = await postJson('/v1/bot/get-user-settings-json', { botId: WEATHER_BOT_ID, chatId: DEMO_GROUP_ID })
    expect(fromForm.json.data.settingsJson).toEqual([])
  })
})

describe('push WebSocket', () => {
  it('login with a bad platform or token gets "数据不合法" and later frames are ignored', async () => {
    for (const data of [
      { userId: DEMO_USER_ID, token, platform: 'web', deviceId: 'd' },
      { userId: DEMO_USER_ID, token, platform: 'Windows', deviceId: 'd' },
      { userId: DEMO_USER_ID, token: 'wrong', platform: 'linux', deviceId: 'd' },
      { userId: FRIEND_ID, token, platform: 'linux', deviceId: 'd' },
      { userId: DEMO_USER_ID, token, platform: 'linux' }
    ]) {
      const p = await Push.open()
      p.send({ seq: '1', cmd: 'login', data })
      const e = await p.waitFor((x) => x.kind === 'text')
      expect((e as any).text).toBe('数据不合法')
      p.send({ seq: 'hb', cmd: 'heartbeat', data: {} })
      p.send({ seq: '2', cmd: 'login', data: { userId: DEMO_USER_ID, token, platform: 'linux', deviceId: 'd' } })
      p.send({ seq: 'hb2', cmd: 'heartbeat', data: {} })
      await new Promise((r) => setTimeout(r, 150))
      expect(p.events).toHaveLength(1)
      p.close()
    }
  })

  it('frames before login get "数据不合法"; every allowed platform logs in', async () => {
    const p = await Push.open()
    p.send({ seq: 'early', cmd: 'heartbeat', data: {} })
    expect(((await p.waitFor((x) => x.kind === 'text')) as any).text).toBe('数据不合法')
    p.close()
    for (const platform of ['windows', 'macos', 'android', 'linux', 'ios', 'fuchsia', 'Web']) {
      const q = await Push.login(`dev-${platform}`, platform)
      q.close()
    }
  })

  it('heartbeat gets a binary heartbeat_ack with the same seq', async () => {
    const p = await Push.login()
    p.send({ seq: 'beat-42', cmd: 'heartbeat', data: {} })
    const ack = await p.waitFor((e) => e.kind === 'heartbeat_ack' && e.seq === 'beat-42')
    expect((ack as YunhuPushEvent).cmd).toBe('heartbeat_ack')
    expect(p.all((e) => e.kind === 'text')).toHaveLength(0)
    p.close()
  })

  it('a message to a bot is pushed to my devices, then the bot reply is pushed', async () => {
    const a = await Push.login('dev-a')
    const b = await Push.login('dev-b')
    const msgId = newMsgId()
    const st = await send({ msg_id: msgId, chat_id: ECHO_BOT_ID, chat_type: 3, content_type: 1, content: { text: '你好机器人' } })
    expect(st.status).toMatchObject({ code: 1, msg: 'success' })
    for (const p of [a, b]) {
      const mine = await p.waitFor((e) => e.kind === 'push_message' && msgOf(e).msg_id === msgId)
      expect(msgOf(mine)).toMatchObject({ chat_id: ECHO_BOT_ID, chat_type: 3, recv_id: DEMO_USER_ID, content_type: 1, content: { text: '你好机器人' }, sender: { chat_id: DEMO_USER_ID, chat_type: 1 } })
      const reply = await p.waitFor((e) => e.kind === 'push_message' && msgOf(e).sender?.chat_id === ECHO_BOT_ID)
      expect(msgOf(reply)).toMatchObject({ chat_id: ECHO_BOT_ID, chat_type: 3, quote_msg_id: msgId, content: { text: '收到: 你好机器人' } })
      expect(Number(msgOf(reply).msg_seq)).toBe(Number(msgOf(mine).msg_seq) + 1)
      expect(msgOf(reply).timestamp).toMatch(/^\d{13}$/)
    }
    const listed = await listMessages(ECHO_BOT_ID, 3, { msg_count: 2 })
    expect(listed.map((m) => m.content?.text)).toEqual(['你好机器人', '收到: 你好机器人'])
    expect(listed.map((m) => m.direction)).toEqual(['right', 'left'])
    // a retry with the same msg_id is not stored twice
    expect((await send({ msg_id: msgId, chat_id: ECHO_BOT_ID, chat_type: 3, content_type: 1, content: { text: '你好机器人' } })).status?.code).toBe(1)
    expect((await listMessages(ECHO_BOT_ID, 3, { msg_count: 3 })).filter((m) => m.msg_id === msgId)).toHaveLength(1)
    a.close()
    b.close()
  })

  it('send-message refuses bad input', async () => {
    const cases: Array<[YunhuSendMsgRequest, string]> = [
      [{ chat_id: ECHO_BOT_ID, chat_type: 3, content_type: 1, content: { text: 'x' } }, 'msg_id'],
      [{ msg_id: newMsgId(), chat_id: '404', chat_type: 3, content_type: 1, content: { text: 'x' } }, '机器人不存在'],
      [{ msg_id: newMsgId(), chat_id: SECRET_BOT_ID, chat_type: 3, content_type: 1, content: { text: 'x' } }, '添加'],
      [{ msg_id: newMsgId(), chat_id: '404', chat_type: 2, content_type: 1, content: { text: 'x' } }, '群聊不存在'],
      [{ msg_id: newMsgId(), chat_id: ECHO_BOT_ID, chat_type: 7, content_type: 1, content: { text: 'x' } }, 'chat_type'],
      [{ msg_id: newMsgId(), chat_id: ECHO_BOT_ID, chat_type: 3, content_type: 1, content: { text: '  ' } }, 'content.text'],
      [{ msg_id: newMsgId(), chat_id: ECHO_BOT_ID, chat_type: 3, content_type: 99, content: { text: 'x' } }, 'content_type'],
      [{ msg_id: newMsgId(), chat_id: ECHO_BOT_ID, chat_type: 3, content_type: 2, content: {} }, 'image_url'],
      [{ msg_id: newMsgId(), chat_id: ECHO_BOT_ID, chat_type: 3, content_type: 1, content: { text: 'x', buttons: '{' } }, 'buttons'],
      [{ msg_id: newMsgId(), chat_id: DEMO_USER_ID, chat_type: 1, content_type: 1, content: { text: 'x' } }, '自己']
    ]
    for (const [req, words] of cases) {
      const st = await send(req)
      expect(st.status?.code, words).toBe(-1)
      expect(st.status?.msg).toContain(words)
    }
  })

  it('a message to a user is pushed, and the conversation preview follows', async () => {
    const p = await Push.login('dev-user')
    const msgId = newMsgId()
    expect((await send({ msg_id: msgId, chat_id: FRIEND_ID, chat_type: 1, content_type: 4, content: { file_name: 'a.txt', file_url: 'https://x.example/a.txt', file_size: '12' } })).status?.code).toBe(1)
    const e = await p.waitFor((x) => x.kind === 'push_message' && msgOf(x).msg_id === msgId)
    expect(msgOf(e)).toMatchObject({ chat_id: FRIEND_ID, chat_type: 1, recv_id: DEMO_USER_ID, content_type: 4, content: { file_size: '12' } })
    const conv = await proto('/v1/conversation/list', 'ConversationListResponse')
    expect(conv.msg.data?.find((c) => c.chat_id === FRIEND_ID)?.chat_content).toBe('[文件] a.txt')
    p.close()
  })

  it('a streamed reply: push_message, then stream_message frames appending text', async () => {
    const p = await Push.login('dev-stream')
    const msgId = newMsgId()
    await send({ msg_id: msgId, chat_id: ECHO_BOT_ID, chat_type: 3, content_type: 1, content: { text: '请用 stream 回复' } })
    const first = await p.waitFor((e) => e.kind === 'push_message' && msgOf(e).sender?.chat_id === ECHO_BOT_ID)
    const id = msgOf(first).msg_id
    let text: string = msgOf(first).content.text
    expect(text.length).toBeGreaterThan(0)
    const expected = '这是一条流式回复, 文字会一段一段地追加到同一条消息里。你说的是: 请用 stream 回复'
    const chunks: string[] = []
    while (text !== expected) {
      const s = await p.waitFor((e) => e.kind === 'stream_message' && msgOf(e).msg_id === id)
      expect(msgOf(s)).toMatchObject({ chat_id: ECHO_BOT_ID, recv_id: DEMO_USER_ID })
      chunks.push(msgOf(s).content)
      text += msgOf(s).content
      expect(expected.startsWith(text)).toBe(true)
    }
    expect(chunks.length).toBeGreaterThanOrEqual(3)
    await server.yunhu?.flush()
    const listed = await listMessages(ECHO_BOT_ID, 3, { msg_count: 1 })
    expect(listed[0]).toMatchObject({ msg_id: id, content: { text: expected } })
    // the stream bot streams every reply; "流" streams too
    await send({ msg_id: newMsgId(), chat_id: ECHO_BOT_ID, chat_type: 3, content_type: 1, content: { text: '来个流式' } })
    const f2 = await p.waitFor((e) => e.kind === 'push_message' && msgOf(e).sender?.chat_id === ECHO_BOT_ID)
    await p.waitFor((e) => e.kind === 'stream_message' && msgOf(e).msg_id === msgOf(f2).msg_id)
    p.close()
  })

  it('edit-message pushes edit_message; only my own messages can be edited', async () => {
    const p = await Push.login('dev-edit')
    const msgId = newMsgId()
    await send({ msg_id: msgId, chat_id: FRIEND_ID, chat_type: 1, content_type: 1, content: { text: 'typo' } })
    await p.waitFor((e) => e.kind === 'push_message' && msgOf(e).msg_id === msgId)
    const st = await send({ msg_id: msgId, chat_id: FRIEND_ID, chat_type: 1, content_type: 3, content: { text: '**fixed**' } }, '/v1/msg/edit-message')
    expect(st.status?.code).toBe(1)
    const e = await p.waitFor((x) => x.kind === 'edit_message' && msgOf(x).msg_id === msgId)
    expect(msgOf(e)).toMatchObject({ chat_id: FRIEND_ID, recv_id: FRIEND_ID, content_type: 3, content: { text: '**fixed**' } })
    expect(msgOf(e).edit_time).toMatch(/^\d{13}$/)
    expect(msgOf(e).sender).toBeUndefined()
    const listed = (await listMessages(FRIEND_ID, 1)).find((m) => m.msg_id === msgId)
    expect(listed).toMatchObject({ content: { text: '**fixed**' }, content_type: 3, edit_time: msgOf(e).edit_time })
    const friends = (await listMessages(FRIEND_ID, 1)).find((m) => m.sender?.chat_id === FRIEND_ID)
    const notMine = await send({ msg_id: friends?.msg_id, chat_id: FRIEND_ID, chat_type: 1, content_type: 1, content: { text: 'hijack' } }, '/v1/msg/edit-message')
    expect(notMine.status).toMatchObject({ code: -1, msg: '只能编辑自己发送的消息' })
    const missing = await send({ msg_id: 'nope', chat_id: FRIEND_ID, chat_type: 1, content_type: 1, content: { text: 'x' } }, '/v1/msg/edit-message')
    expect(missing.status?.code).toBe(-1)
    const toImage = await send({ msg_id: msgId, chat_id: FRIEND_ID, chat_type: 1, content_type: 2, content: { image_url: 'https://x.example/i.png' } }, '/v1/msg/edit-message')
    expect(toImage.status?.code).toBe(-1)
    p.close()
  })

  it('recall-msg pushes a recall notice (push_message with delete_timestamp)', async () => {
    const p = await Push.login('dev-recall')
    const msgId = newMsgId()
    await send({ msg_id: msgId, chat_id: DEMO_GROUP_ID, chat_type: 2, content_type: 1, content: { text: '发错了' } })
    const sent = await p.waitFor((e) => e.kind === 'push_message' && msgOf(e).msg_id === msgId)
    expect(msgOf(sent)).toMatchObject({ chat_id: DEMO_GROUP_ID, recv_id: DEMO_GROUP_ID, chat_type: 2 })
    const st = await proto('/v1/msg/recall-msg', 'StatusResponse', enc('RecallMsg', { msg_id: [msgId], chat_id: DEMO_GROUP_ID, chat_type: 2 }))
    expect(st.msg.status?.code).toBe(1)
    const r = await p.waitFor((e) => e.kind === 'recall' && msgOf(e).msg_id === msgId)
    expect((r as YunhuPushEvent).cmd).toBe('push_message')
    expect(msgOf(r)).toMatchObject({ chat_id: DEMO_GROUP_ID, chat_type: 2, msg_seq: msgOf(sent).msg_seq })
    expect(Number(msgOf(r).delete_timestamp)).toBeGreaterThan(0)
    const listed = (await listMessages(DEMO_GROUP_ID, 2)).find((m) => m.msg_id === msgId)
    expect(listed?.recall_time).toBe(msgOf(r).delete_timestamp)
    const botMsg = (await listMessages(ECHO_BOT_ID, 3)).find((m) => m.sender?.chat_id === ECHO_BOT_ID)
    const notMine = await proto('/v1/msg/recall-msg', 'StatusResponse', enc('RecallMsg', { msg_id: [botMsg?.msg_id as string], chat_id: ECHO_BOT_ID, chat_type: 3 }))
    expect(notMine.msg.status).toMatchObject({ code: -1, msg: '只能撤回自己发送的消息' })
    const unknown = await proto('/v1/msg/recall-msg', 'StatusResponse', enc('RecallMsg', { msg_id: ['nope'], chat_id: DEMO_GROUP_ID, chat_type: 2 }))
    expect(unknown.msg.status?.code).toBe(-1)
    const none = await proto('/v1/msg/recall-msg', 'StatusResponse', enc('RecallMsg', { chat_id: DEMO_GROUP_ID, chat_type: 2 }))
    expect(none.msg.status?.code).toBe(-1)
    p.close()
  })

  it('the bot’s own /recall and /edit are pushed too', async () => {
    const p = await Push.login('dev-bot-followups')
    await send({ msg_id: newMsgId(), chat_id: ECHO_BOT_ID, chat_type: 3, content_type: 1, content: { text: '/recall' } })
    const m1 = await p.waitFor((e) => e.kind === 'push_message' && msgOf(e).content?.text === '这条消息马上会被撤回')
    await p.waitFor((e) => e.kind === 'recall' && msgOf(e).msg_id === msgOf(m1).msg_id)
    await send({ msg_id: newMsgId(), chat_id: ECHO_BOT_ID, chat_type: 3, content_type: 1, content: { text: '/edit' } })
    const m2 = await p.waitFor((e) => e.kind === 'push_message' && msgOf(e).content?.text === '编辑前的文字')
    const ed = await p.waitFor((e) => e.kind === 'edit_message' && msgOf(e).msg_id === msgOf(m2).msg_id)
    expect(msgOf(ed).content.text).toBe('编辑后的文字')
    p.close()
  })

  it('/board in a group pushes bot_board_message to the group and changes the board', async () => {
    const p = await Push.login('dev-board')
    await send({ msg_id: newMsgId(), chat_id: DEMO_GROUP_ID, chat_type: 2, content_type: 1, content: { text: '/board 新的看板内容' } })
    const b = await p.waitFor((e) => e.kind === 'bot_board_message')
    expect(msgOf(b)).toMatchObject({ bot_id: ECHO_BOT_ID, chat_id: DEMO_GROUP_ID, chat_type: 2, content: '新的看板内容', content_type: 1, bot_name: '回声机器人' })
    expect(msgOf(b).last_update_time).toMatch(/^\d{10}$/)
    await p.waitFor((e) => e.kind === 'push_message' && msgOf(e).content?.text === '看板已更新')
    const board = await proto('/v1/bot/board', 'BoardResponse', enc('BoardRequest', { id: DEMO_GROUP_ID, chat_type: 2 }))
    expect(board.msg.data?.content).toBe('新的看板内容')
    // a plain message in a group gets no bot reply
    const plain = newMsgId()
    await send({ msg_id: plain, chat_id: DEMO_GROUP_ID, chat_type: 2, content_type: 1, content: { text: '普通消息' } })
    await p.waitFor((e) => e.kind === 'push_message' && msgOf(e).msg_id === plain)
    await new Promise((r) => setTimeout(r, 100))
    expect(p.all((e) => e.kind === 'push_message' && msgOf(e).quote_msg_id === plain)).toHaveLength(0)
    p.close()
  })

  it('the bot open API sets a board in the bot chat (bot token) and pushes it', async () => {
    const p = await Push.login('dev-openapi')
    const botToken = (await postJson('/v1/bot/bot-group-list')).json.data.list.bots.find((b: any) => b.botId === ECHO_BOT_ID).token
    const res = await fetch(`${server.url}/open-apis/v1/bot/board?token=${botToken}`, {
      method: 'POST',
      body: JSON.stringify({ chatId: DEMO_USER_ID, chatType: 'user', contentType: 'html', content: '<b>hi</b>' })
    })
    expect(await res.json()).toMatchObject({ code: 1, msg: 'success' })
    const b = await p.waitFor((e) => e.kind === 'bot_board_message')
    expect(msgOf(b)).toMatchObject({ bot_id: ECHO_BOT_ID, chat_id: ECHO_BOT_ID, chat_type: 3, content: '<b>hi</b>', content_type: 3 })
    const board = await proto('/v1/bot/board', 'BoardResponse', enc('BoardRequest', { id: ECHO_BOT_ID, chat_type: 3 }))
    expect(board.msg.data?.content).toBe('<b>hi</b>')
    const sendRes = await fetch(`${server.url}/open-apis/v1/bot/send?token=${botToken}`, {
      method: 'POST',
      body: JSON.stringify({ recvId: DEMO_USER_ID, recvType: 'user', contentType: 'markdown', content: { text: '# 来自开放接口' } })
    })
    expect((await sendRes.json()).code).toBe(1)
    const m = await p.waitFor((e) => e.kind === 'push_message' && msgOf(e).content?.text === '# 来自开放接口')
    expect(msgOf(m)).toMatchObject({ content_type: 3, chat_id: ECHO_BOT_ID, sender: { chat_id: ECHO_BOT_ID, chat_type: 3 } })
    const bad = await fetch(`${server.url}/open-apis/v1/bot/board?token=wrong`, { method: 'POST', body: '{}' })
    expect(await bad.json()).toEqual({ code: 1002, msg: '无效的token' })
    const wrongChat = await fetch(`${server.url}/open-apis/v1/bot/board?token=${botToken}`, { method: 'POST', body: JSON.stringify({ chatId: DEV_GROUP_ID, chatType: 'group', content: 'x' }) })
    expect((await wrongChat.json()).code).toBe(-1)
    p.close()
  })

  it('/buttons gives a message with buttons; button-report makes the bot answer', async () => {
    const p = await Push.login('dev-buttons')
    await send({ msg_id: newMsgId(), chat_id: ECHO_BOT_ID, chat_type: 3, content_type: 1, content: { text: '/buttons' } })
    const m = await p.waitFor((e) => e.kind === 'push_message' && !!msgOf(e).content?.buttons)
    const rows = JSON.parse(msgOf(m).content.buttons)
    expect(rows[0][0]).toMatchObject({ text: '打开云湖', actionType: 1, url: 'https://www.yhchat.com' })
    const value = rows[1][0].value
    const st = await proto(
      '/v1/msg/button-report',
      'StatusResponse',
      enc('ButtonReportRequest', { msg_id: msgOf(m).msg_id, chat_id: ECHO_BOT_ID, chat_type: 3, user_id: DEMO_USER_ID, button_value: value })
    )
    expect(st.msg.status?.code).toBe(1)
    await p.waitFor((e) => e.kind === 'push_message' && msgOf(e).content?.text === `MioDesk 演示用户 点击了按钮: ${value}`)
    const plain = (await listMessages(ECHO_BOT_ID, 3)).find((m2) => !m2.content?.buttons)
    const noButtons = await proto('/v1/msg/button-report', 'StatusResponse', enc('ButtonReportRequest', { msg_id: plain?.msg_id, chat_id: ECHO_BOT_ID, chat_type: 3, button_value: 'x' }))
    expect(noButtons.msg.status).toMatchObject({ code: -1, msg: '该消息没有按钮' })
    const wrongUser = await proto(
      '/v1/msg/button-report',
      'StatusResponse',
      enc('ButtonReportRequest', { msg_id: msgOf(m).msg_id, chat_id: ECHO_BOT_ID, chat_type: 3, user_id: FRIEND_ID, button_value: value })
    )
    expect(wrongUser.msg.status?.code).toBe(-1)
    p.close()
  })

  it('inputInfo drafts reach my other devices as draft_input, not the sender', async () => {
    const a = await Push.login('draft-a')
    const b = await Push.login('draft-b')
    a.send({ seq: 'd1', cmd: 'inputInfo', data: { chatId: ECHO_BOT_ID, input: '写到一半的草稿', deviceId: 'draft-a' } })
    const d = await b.waitFor((e) => e.kind === 'draft_input')
    expect(msgOf(d)).toEqual({ chat_id: ECHO_BOT_ID, input: '写到一半的草稿' })
    a.send({ seq: 'd2', cmd: 'inputInfo', data: { chatId: ECHO_BOT_ID, input: '', deviceId: 'draft-a' } })
    const cleared = await b.waitFor((e) => e.kind === 'draft_input')
    expect(msgOf(cleared)).toEqual({ chat_id: ECHO_BOT_ID })
    a.send({ seq: 'hb', cmd: 'heartbeat', data: {} })
    await a.waitFor((e) => e.kind === 'heartbeat_ack' && e.seq === 'hb')
    expect(a.all((e) => e.kind === 'draft_input')).toHaveLength(0)
    a.close()
    b.close()
  })

  it('garbage frames never crash the server or break a session', async () => {
    const p = await Push.login('dev-fuzz')
    const frame = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.uint8Array({ maxLength: 300 }),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.record({ seq: fc.jsonValue(), cmd: fc.constantFrom('login', 'heartbeat', 'inputInfo', 'nope', ''), data: fc.jsonValue({ maxDepth: 3 }) }).map((v) => JSON.stringify(v))
    )
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 40 }), (frames) => {
        for (const f of frames) p.send(f)
      }),
      { numRuns: 30 }
    )
    p.send({ seq: 'still-alive', cmd: 'heartbeat', data: {} })
    await p.waitFor((e) => e.kind === 'heartbeat_ack' && e.seq === 'still-alive', 5000)
    expect(p.all((e) => e.kind === 'text')).toHaveLength(0)
    // a fresh, never logged-in socket fed garbage still can log in afterwards
    const q = await Push.open()
    q.send(new Uint8Array([0, 1, 2, 255]))
    q.send('{"cmd":')
    q.send({ seq: 'l', cmd: 'login', data: { userId: DEMO_USER_ID, token, platform: 'android', deviceId: 'q' } })
    q.send({ seq: 'hbq', cmd: 'heartbeat', data: {} })
    await q.waitFor((e) => e.kind === 'heartbeat_ack' && e.seq === 'hbq')
    expect(q.all((e) => e.kind === 'text').map((e: any) => e.text)).toEqual(['数据不合法', '数据不合法'])
    p.close()
    q.close()
  })

  it('unknown WebSocket paths are refused', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/wss`)
    const err = await new Promise<Error>((res) => ws.once('error', res))
    expect(err.message).toContain('404')
  })
})

describe('persistence', () => {
  it('every change survives a restart (tokens, bots, settings, messages, boards)', async () => {
    const msgId = newMsgId()
    await send({ msg_id: msgId, chat_id: FRIEND_ID, chat_type: 1, content_type: 1, content: { text: '重启前的消息' } })
    await postJson('/v1/bot/web-edit-bot', { botId: ECHO_BOT_ID, nickname: '回声机器人 2' })
    const port = server.port
    await server.close()
    const data = JSON.parse(await readFile(join(dir, 'yunhu.json'), 'utf8'))
    expect(data.bots.find((b: any) => b.botId === ECHO_BOT_ID).nickname).toBe('回声机器人 2')
    server = await startServer({ port, yunhu: { dataDir: dir, chunkDelayMs: 5 } })
    expect(server.yunhu?.created).toBe(false)
    expect(server.yunhu?.generatedPassword).toBeUndefined()
    // the old token still works; the password still works
    const me = await proto('/v1/user/info', 'UserInfo', undefined, { method: 'GET' })
    expect(me.msg.data?.id).toBe(DEMO_USER_ID)
    const login = await postJson('/v1/user/email-login', { email: EMAIL, password: PASSWORD }, null)
    expect(login.json.code).toBe(1)
    expect((await postJson('/v1/bot/bot-detail', { id: ECHO_BOT_ID })).json.data.bot.nickname).toBe('回声机器人 2')
    expect((await postJson('/v1/bot/bot-detail', { id: ECHO_BOT_ID })).json.data.groups.map((g: any) => g.groupId)).toEqual([DEMO_GROUP_ID])
    expect((await postJson('/v1/bot/bot-group-list')).json.data.list.bots.find((b: any) => b.botId === STREAM_BOT_ID).link).toBe('https://hooks.example.com/yh')
    expect((await postJson('/v1/bot/get-user-settings-json', { botId: ECHO_BOT_ID, chatId: DEMO_GROUP_ID })).json.data.settingsJson).toHaveLength(1)
    expect((await listMessages(FRIEND_ID, 1)).find((m) => m.msg_id === msgId)?.content?.text).toBe('重启前的消息')
    const board = await proto('/v1/bot/board', 'BoardResponse', enc('BoardRequest', { id: DEMO_GROUP_ID, chat_type: 2 }))
    expect(board.msg.data?.content).toBe('新的看板内容')
    // new messages continue the seq
    const before = await listMessages(FRIEND_ID, 1, { msg_count: 1 })
    const next = newMsgId()
    await send({ msg_id: next, chat_id: FRIEND_ID, chat_type: 1, content_type: 1, content: { text: 'after' } })
    const after = await listMessages(FRIEND_ID, 1, { msg_count: 1 })
    expect(Number(after[0].msg_seq)).toBe(Number(before[0].msg_seq) + 1)
  })

  it('send-message is idempotent per user, chat and msg_id: a resend answers success, stores and pushes nothing, also after a restart', async () => {
    const first: YunhuSendMsgRequest = { msg_id: newMsgId(), chat_id: FRIEND_ID, chat_type: 1, content_type: 1, content: { text: '只发一次' } }
    const isPushOf = (id: string) => (e: Event) => e.kind === 'push_message' && msgOf(e).msg_id === id
    /** Sends a fresh message and waits for its push: the pushes of anything sent before it have arrived by then (same socket, in order). */
    const drain = async (p: Push): Promise<void> => {
      const marker = newMsgId()
      expect((await send({ ...first, msg_id: marker, content: { text: 'marker' } })).status?.code).toBe(1)
      await p.waitFor(isPushOf(marker))
    }
    let p = await Push.login('dev-idem')
    expect((await send(first)).status).toMatchObject({ code: 1, msg: 'success' })
    await p.waitFor(isPushOf(first.msg_id!))
    // resends: the same body, another body, even a body the server would refuse now. The first send decides.
    for (const again of [first, { ...first, content: { text: '改过的' } }, { ...first, content_type: 99 }]) {
      expect((await send(again)).status, JSON.stringify(again)).toMatchObject({ code: 1, msg: 'success' })
    }
    await drain(p)
    expect(p.all(isPushOf(first.msg_id!))).toHaveLength(1)
    expect((await listMessages(FRIEND_ID, 1, { msg_count: 10 })).filter((m) => m.msg_id === first.msg_id).map((m) => m.content?.text)).toEqual(['只发一次'])
    p.close()

    // a msg_id that another sender's message in the chat has is refused, not silently dropped
    const toBot = { chat_id: ECHO_BOT_ID, chat_type: 3, content_type: 1, content: { text: 'ping' } }
    expect((await send({ ...toBot, msg_id: newMsgId() })).status?.code).toBe(1)
    const botMsgs = async () => (await listMessages(ECHO_BOT_ID, 3, { msg_count: 100 })).filter((m) => m.sender?.chat_type === 3)
    const botMsg = (await botMsgs())[0]
    const taken = await send({ ...toBot, msg_id: botMsg.msg_id! })
    expect(taken.status?.code).toBe(-1)
    expect(taken.status?.msg).toContain('msg_id')

    // restart; meanwhile the first message leaves the stored history (as the per-chat cap would drop it)
    const port = server.port
    await server.close()
    const file = join(dir, 'yunhu.json')
    const data = JSON.parse(await readFile(file, 'utf8'))
    const key = Object.keys(data.messages).find((k) => data.messages[k].some((m: any) => m.msgId === first.msg_id)) as string
    const secondId = data.messages[key].at(-1).msgId as string // the last marker, still in the history
    data.messages[key] = data.messages[key].filter((m: any) => m.msgId !== first.msg_id)
    await writeFile(file, JSON.stringify(data))
    server = await startServer({ port, yunhu: { dataDir: dir, chunkDelayMs: 5 } })
    p = await Push.login('dev-idem-2')
    expect((await send(first)).status?.code).toBe(1)
    expect((await send({ ...first, msg_id: secondId, content: { text: 'marker' } })).status?.code).toBe(1)
    await drain(p)
    expect(p.all(isPushOf(first.msg_id!))).toHaveLength(0)
    expect(p.all(isPushOf(secondId))).toHaveLength(0)
    const after = await listMessages(FRIEND_ID, 1, { msg_count: 100 })
    expect(after.some((m) => m.msg_id === first.msg_id)).toBe(false)
    expect(after.filter((m) => m.msg_id === secondId)).toHaveLength(1)
    p.close()

    // the server's own message ids (bot replies) stay unique across the restart
    expect((await send({ ...toBot, msg_id: newMsgId() })).status?.code).toBe(1)
    await expect.poll(async () => (await botMsgs()).length, { timeout: 3000 }).toBeGreaterThan(2)
    const ids = (await listMessages(ECHO_BOT_ID, 3, { msg_count: 100 })).map((m) => m.msg_id)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('a data file from before sent msg_ids were kept opens (as none sent); a malformed list is refused', async () => {
    const other = await mkdtemp(join(tmpdir(), 'miodesk-yunhu-old-'))
    try {
      const first = await startServer({ port: 0, yunhu: { dataDir: other } })
      await first.close()
      const data = JSON.parse(await readFile(join(other, 'yunhu.json'), 'utf8'))
      expect(data.sent).toEqual({})
      delete data.sent
      await writeFile(join(other, 'yunhu.json'), JSON.stringify(data))
      const again = await startServer({ port: 0, yunhu: { dataDir: other } })
      expect(again.yunhu?.created).toBe(false)
      await again.close()
      await writeFile(join(other, 'yunhu.json'), JSON.stringify({ ...data, sent: { [DEMO_USER_ID]: [{ chat: 1 }] } }))
      await expect(startServer({ port: 0, yunhu: { dataDir: other } })).rejects.toThrow(/expected shape/)
    } finally {
      await rm(other, { recursive: true, force: true })
    }
  })

  it('a new password from the options replaces the old one and revokes tokens', async () => {
    const port = server.port
    await server.close()
    server = await startServer({ port, yunhu: { dataDir: dir, password: 'a different one' } })
    const old = await postJson('/v1/bot/banner', {}, token)
    expect(old.json.code).toBe(-101)
    expect((await postJson('/v1/user/email-login', { email: EMAIL, password: PASSWORD }, null)).json.code).toBe(-1)
    const r = await postJson('/v1/user/email-login', { email: EMAIL, password: 'a different one' }, null)
    expect(r.json.code).toBe(1)
    token = r.json.data.token
  })

  it('a corrupt data file stops the start and is not overwritten', async () => {
    const other = await mkdtemp(join(tmpdir(), 'miodesk-yunhu-bad-'))
    try {
      await writeFile(join(other, 'yunhu.json'), '{"version": 1, "users": [')
      await expect(startServer({ port: 0, yunhu: { dataDir: other } })).rejects.toThrow(/not valid JSON/)
      expect(await readFile(join(other, 'yunhu.json'), 'utf8')).toBe('{"version": 1, "users": [')
      await writeFile(join(other, 'yunhu.json'), '{"version": 99}')
      await expect(startServer({ port: 0, yunhu: { dataDir: other } })).rejects.toThrow(/expected shape/)
    } finally {
      await rm(other, { recursive: true, force: true })
    }
  })
})
