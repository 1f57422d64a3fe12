/**
 * The Yunhu client (src/core/protocols/yunhu) against the reference server (server/yunhu): every HTTP
 * endpoint with its errors, push/stream/recall/edit/board/draft over a real WebSocket, and the CLI.
 */
import { mkdtemp, rm, stat, readFile } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../../server/app'
import { YunhuApi } from '../../src/core/protocols/yunhu/api'
import { YunhuApiError, YunhuHttp, YunhuHttpStatusError, YunhuLoggedOutError } from '../../src/core/protocols/yunhu/http'
import { YunhuPush } from '../../src/core/protocols/yunhu/push'
import { YunhuSettingsError } from '../../src/core/protocols/yunhu/settings-schema'
import { TransportError } from '../../src/core/transport/errors'
import { main } from '../../src/cli/index'
import type { Io } from '../../src/cli/mio'
import type { YunhuPushUpdate, YunhuStreamUpdate } from '../../src/shared/yunhu-api'

const EMAIL = 'demo@miodesk.local'
const PASSWORD = 'integration-pw-42'
const ECHO_BOT = '60000001'
const STREAM_BOT = '60000002'
const WEATHER_BOT = '60000003'
const DEMO_GROUP = '300000001'
const DEV_GROUP = '300000002'
const FRIEND = '1000002'

let dir: string
let server: RunningServer
let api: YunhuApi
let token: string
let userId: string
const pushes: YunhuPush[] = []

async function waitFor<T>(get: () => T | undefined | false, ms = 5000, what = 'condition'): Promise<T> {
  const t0 = Date.now()
  for (;;) {
    const v = get()
    if (v) return v
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

function newApi(t = token): YunhuApi {
  return new YunhuApi(new YunhuHttp({ baseUrl: server.url, token: t, timeoutMs: 5000 }))
}

async function connectPush(deviceId = 'it-device-1', t = token): Promise<{ push: YunhuPush; updates: YunhuPushUpdate[] }> {
  const push = new YunhuPush({ url: `${server.url.replace(/^http/, 'ws')}/ws`, userId, token: t, deviceId, platform: 'Web', loginSettleMs: 100, heartbeatIntervalMs: 1000, backoff: { baseMs: 50, maxMs: 200, factor: 2, jitter: 0 } })
  pushes.push(push)
  const updates: YunhuPushUpdate[] = []
  push.on('update', (u) => updates.push(u))
  await push.connect()
  return { push, updates }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'miodesk-yunhu-it-'))
  server = await startServer({ port: 0, dataDir: dir, yunhu: { dataDir: dir, email: EMAIL, password: PASSWORD, chunkDelayMs: 5, followUpMs: 50 } })
  api = new YunhuApi(new YunhuHttp({ baseUrl: server.url, timeoutMs: 5000 }))
  token = await api.emailLogin({ email: EMAIL, password: PASSWORD, deviceId: 'it-device-1', platform: 'Web' })
  userId = (await api.userInfo()).id!
})

afterAll(async () => {
  for (const p of pushes) p.stop()
  await server?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('account and errors', () => {
  it('email login gives a token; user info knows the account', async () => {
    expect(token).toBeTruthy()
    expect(api.http.token).toBe(token)
    expect(userId).toBe('1000001')
    const me = await api.userInfo()
    expect(me.name).toBeTruthy()
  })

  it('a wrong password is a YunhuApiError with the server msg', async () => {
    const err = await newApi('').emailLogin({ email: EMAIL, password: 'wrong', deviceId: 'd' }).catch((e) => e)
    expect(err).toBeInstanceOf(YunhuApiError)
    expect(err.code).toBe(-1)
    expect(err.msg).toBe('邮箱或密码错误')
  })

  it('-101 without a valid token (JSON and protobuf) raises relogin-required', async () => {
    const bad = newApi('not-a-token')
    let n = 0
    bad.http.on('relogin-required', () => n++)
    await expect(bad.banners()).rejects.toBeInstanceOf(YunhuLoggedOutError)
    await expect(bad.botInfo(ECHO_BOT)).rejects.toBeInstanceOf(YunhuLoggedOutError)
    await expect(bad.userInfo()).rejects.toBeInstanceOf(YunhuLoggedOutError)
    expect(n).toBe(3)
  })

  it('the wrong method and an unknown path get the plain 404 as an error in words', async () => {
    const err = await api.http.json('/v1/bot/banner', undefined, { method: 'GET' }).catch((e) => e)
    expect(err).toBeInstanceOf(YunhuHttpStatusError)
    expect(err.status).toBe(404)
    expect(err.message).toMatch(/HTTP 404.*wrong HTTP method or unknown endpoint.*404 page not found/)
    const e2 = await api.http.proto('/v1/user/info', undefined, 'UserInfo', { method: 'POST' }).catch((e) => e)
    expect(e2).toBeInstanceOf(YunhuHttpStatusError)
    await expect(api.http.json('/v1/nope')).rejects.toBeInstanceOf(YunhuHttpStatusError)
  })

  it('a connection refused is an unreachable error', async () => {
    const srv = createServer()
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()))
    const port = (srv.address() as AddressInfo).port
    await new Promise<void>((r) => srv.close(() => r()))
    const closed = new YunhuApi({ baseUrl: `http://127.0.0.1:${port}`, token, timeoutMs: 2000 })
    const err = await closed.banners().catch((e) => e)
    expect(err).toBeInstanceOf(TransportError)
    expect(err.kind).toBe('unreachable')
    expect(err.message).toMatch(/connection refused/)
  })
})

describe('bot endpoints of the seed', () => {
  it('banner and store list', async () => {
    const banners = await api.banners()
    expect(banners.length).toBeGreaterThan(0)
    expect(banners[0]).toMatchObject({ id: expect.any(Number), title: expect.any(String), imageUrl: expect.any(String) })
    const store = await api.storeList()
    expect(store.map((b) => b.chatId)).toContain(WEATHER_BOT)
    expect(store.map((b) => b.chatId)).not.toContain('60000004')
    expect(store[0]).toMatchObject({ chatType: '3', headcount: expect.any(String) })
  })

  it('bot detail with its groups; a hidden bot is an error', async () => {
    const d = await api.botDetail(ECHO_BOT)
    expect(d.bot.botId).toBe(ECHO_BOT)
    expect(d.groups.map((g) => g.groupId).sort()).toEqual([DEMO_GROUP, DEV_GROUP])
    const err = await api.botDetail('60000004').catch((e) => e)
    expect(err).toBeInstanceOf(YunhuApiError)
    expect(err.msg).toBe('机器人不存在')
  })

  it('my bots, with tokens', async () => {
    const mine = await api.myBots()
    expect(mine.total).toBe(mine.bots.length)
    expect(mine.bots.map((b) => b.botId)).toEqual(expect.arrayContaining([ECHO_BOT, STREAM_BOT]))
    expect(mine.bots.every((b) => typeof b.token === 'string' && b.token.length > 0)).toBe(true)
  })

  it('bot info (protobuf) and web-edit-bot', async () => {
    const info = await api.botInfo(ECHO_BOT)
    expect(info.bot_id).toBe(ECHO_BOT)
    expect(typeof info.create_time).toBe('string')
    await api.editBot({ botId: STREAM_BOT, nickname: '流式机器人2', introduction: '改过的简介', avatarUrl: 'https://example.com/a.png', private: 0 })
    const after = await api.botInfo(STREAM_BOT)
    expect(after).toMatchObject({ name: '流式机器人2', introduction: '改过的简介', avatar_url: 'https://example.com/a.png' })
    const err = await api.editBot({ botId: WEATHER_BOT, nickname: 'x', introduction: '', avatarUrl: '', private: 0 }).catch((e) => e)
    expect(err).toBeInstanceOf(YunhuApiError)
    expect(err.msg).toBe('你不是该机器人的创建者')
    await expect(api.botInfo('99999999')).rejects.toBeInstanceOf(YunhuApiError)
  })

  it('edit-setting-json: the form round-trips through the server', async () => {
    const before = await api.botDetail(ECHO_BOT)
    const { parseSettingsForm } = await import('../../src/core/protocols/yunhu/settings-schema')
    const form = parseSettingsForm(before.bot.settingJson)
    expect(form.fields.map((f) => f.type)).toEqual(['radio', 'input', 'switch', 'checkbox', 'textarea', 'select'])
    const changed = { fields: form.fields.map((f) => (f.type === 'select' ? { ...f, options: [...f.options, '广州'] } : f)) }
    await api.editSettingJson(ECHO_BOT, changed)
    const after = parseSettingsForm((await api.botDetail(ECHO_BOT)).bot.settingJson)
    expect(after).toEqual(changed)
    // a broken form is refused before it is sent; the server refuses a bad one too
    await expect(api.editSettingJson(ECHO_BOT, '[{')).rejects.toBeInstanceOf(YunhuSettingsError)
    const err = await api.http.json('/v1/bot/edit-setting-json', { id: ECHO_BOT, settingJson: '{"a":1}' }).catch((e) => e)
    expect(err).toBeInstanceOf(YunhuApiError)
  })

  it('board (protobuf): group and bot; none → undefined', async () => {
    const g = await api.board(DEMO_GROUP, 2)
    expect(g).toMatchObject({ bot_id: ECHO_BOT, chat_id: DEMO_GROUP, chat_type: 2, content_type: 2 })
    expect(g!.content).toContain('群公告')
    const b = await api.board(WEATHER_BOT, 3)
    expect(b?.content).toContain('天气')
    expect(await api.board(STREAM_BOT, 3)).toBeUndefined()
    const err = await api.board(DEMO_GROUP, 7).catch((e) => e)
    expect(err).toBeInstanceOf(YunhuApiError)
    expect(err.code).toBe(-1)
  })

  it('remove follower and remove group', async () => {
    const e1 = await api.removeFollower(ECHO_BOT, FRIEND).catch((e) => e)
    expect(e1).toBeInstanceOf(YunhuApiError)
    expect(e1.msg).toBe('该用户没有添加这个机器人')
    await api.removeGroup(ECHO_BOT, DEV_GROUP)
    const d = await api.botDetail(ECHO_BOT)
    expect(d.groups.map((g) => g.groupId)).toEqual([DEMO_GROUP])
    await expect(api.removeGroup(ECHO_BOT, DEV_GROUP)).rejects.toThrow(/该群聊没有添加这个机器人/)
    await expect(api.removeFollower(WEATHER_BOT, FRIEND)).rejects.toThrow(/不是该机器人的创建者/)
  })

  it('LLM model list and bot LLM settings', async () => {
    const list = await api.llmModels()
    expect(list.length).toBeGreaterThan(0)
    expect(Array.isArray(list[0]!.subItems)).toBe(true)
    const { parseLlmParamsTemplate, parseMcpJson, parseParamJson } = await import('../../src/core/protocols/yunhu/settings-schema')
    for (const g of list) {
      parseLlmParamsTemplate(g.params)
      for (const m of g.subItems ?? []) parseLlmParamsTemplate(m.params)
    }
    const s = await api.llmSettings(STREAM_BOT)
    expect(s).toMatchObject({ isBigModel: expect.any(Number), llmModelName: expect.any(String) })
    parseMcpJson(s.mcpJson)
    parseParamJson(s.paramJson)
    await expect(api.llmSettings(WEATHER_BOT)).rejects.toBeInstanceOf(YunhuApiError)
  })

  it('reset token, create bot (protobuf), edit subscribed link', async () => {
    const before = (await api.myBots()).bots.find((b) => b.botId === ECHO_BOT)!.token
    const fresh = await api.resetBotToken(ECHO_BOT)
    expect(fresh).not.toBe(before)
    expect((await api.myBots()).bots.find((b) => b.botId === ECHO_BOT)!.token).toBe(fresh)

    const created = await api.createBot({ name: '集成测试机器人', introduction: 'hi', private: true })
    expect(created.bot_id).toMatch(/^\d+$/)
    expect(created).toMatchObject({ name: '集成测试机器人', private: true })
    expect((await api.myBots()).bots.map((b) => b.botId)).toContain(created.bot_id)
    const err = await api.createBot({ name: '' }).catch((e) => e)
    expect(err).toBeInstanceOf(YunhuApiError)
    expect(err.msg).toMatch(/机器人名称/)

    await api.editSubscribedLink(created.bot_id!, 'https://hook.example.com/yunhu')
    expect((await api.myBots()).bots.find((b) => b.botId === created.bot_id)!.link).toBe('https://hook.example.com/yunhu')
    await expect(api.editSubscribedLink(created.bot_id!, 'ftp://x')).rejects.toBeInstanceOf(YunhuApiError)
  })

  it('per-group settings: get the saved values, save new ones, read them back', async () => {
    const s = await api.groupSettings(ECHO_BOT, DEMO_GROUP)
    expect(s.form.fields.length).toBe(6)
    expect(s.values).toMatchObject({ pqkyru: 'English', vnafdx: true, sdudlm: ['新闻', '天气'], pzdslt: '上海' })
    await api.saveGroupSettings(ECHO_BOT, DEMO_GROUP, { form: s.form, values: { ...s.values, pqkyru: '日本語', sdudlm: ['股票'], vnafdx: false, xmmtbi: '湖湖' } })
    const again = await api.groupSettings(ECHO_BOT, DEMO_GROUP)
    expect(again.values).toMatchObject({ pqkyru: '日本語', sdudlm: ['股票'], vnafdx: false, xmmtbi: '湖湖', pzdslt: '上海' })
    expect(again.form).toEqual(s.form)
    // not an admin of the dev group
    await expect(api.groupSettings(ECHO_BOT, DEV_GROUP)).rejects.toThrow(/群主或管理员|没有添加/)
    await expect(api.saveGroupSettings(ECHO_BOT, DEMO_GROUP, '{"x":1}')).rejects.toBeInstanceOf(YunhuApiError)
  })
})

describe('conversations and messages', () => {
  it('conversation list (md5 short-cut) and message lists', async () => {
    const c = await api.conversations()
    expect(c.data.length).toBeGreaterThan(0)
    expect(c.md5).toBeTruthy()
    expect((await api.conversations(c.md5)).data).toEqual([])
    const latest = await api.listMessages({ chatId: DEMO_GROUP, chatType: 2, count: 3 })
    expect(latest.data.length).toBeGreaterThan(0)
    const first = latest.data[0]!
    const older = await api.listMessages({ chatId: DEMO_GROUP, chatType: 2, count: 50, beforeMsgId: first.msg_id })
    expect(older.data.every((m) => BigInt(m.msg_seq ?? '0') < BigInt(first.msg_seq ?? '0'))).toBe(true)
    const bySeq = await api.listMessagesBySeq({ chatId: DEMO_GROUP, chatType: 2, afterSeq: '0' })
    expect(bySeq.data.length).toBeGreaterThan(0)
    const mid = await api.listMessagesByMidSeq({ chat_id: DEMO_GROUP, chat_type: 2, msg_id: first.msg_id, msg_count: 1 })
    expect(mid.data.map((m) => m.msg_id)).toContain(first.msg_id)
    await expect(api.listMessages({ chatId: 'nope', chatType: 2 })).rejects.toBeInstanceOf(YunhuApiError)
  })

  it('send, edit, recall, button-report', async () => {
    const id = await api.sendMessage({ chat_id: FRIEND, chat_type: 1, content_type: 1, content: { text: '集成测试 hello' } })
    await api.editMessage({ msg_id: id, chat_id: FRIEND, chat_type: 1, content_type: 1, content: { text: '改过了' } })
    let list = await api.listMessages({ chatId: FRIEND, chatType: 1, count: 5 })
    const mine = list.data.find((m) => m.msg_id === id)!
    expect(mine.content?.text).toBe('改过了')
    expect(mine.edit_time).toBeTruthy()
    await api.recall({ chatId: FRIEND, chatType: 1, msgIds: id })
    list = await api.listMessages({ chatId: FRIEND, chatType: 1, count: 5 })
    expect(list.data.find((m) => m.msg_id === id)!.recall_time).toBeTruthy()
    const a = await api.sendMessage({ chat_id: FRIEND, chat_type: 1, content_type: 1, content: { text: 'a' } })
    const b = await api.sendMessage({ chat_id: FRIEND, chat_type: 1, content_type: 1, content: { text: 'b' } })
    await api.recall({ chatId: FRIEND, chatType: 1, msgIds: [a, b] })
    await expect(api.sendMessage({ chat_id: FRIEND, chat_type: 1, content_type: 1, content: { text: '' } })).rejects.toThrow(/消息内容不能为空/)
    await expect(api.editMessage({ msg_id: 'missing', chat_id: FRIEND, chat_type: 1, content_type: 1, content: { text: 'x' } })).rejects.toThrow(/消息不存在/)

    // a message with buttons from the bot, then a click
    await api.sendMessage({ chat_id: ECHO_BOT, chat_type: 3, content_type: 1, content: { text: '/buttons' } })
    let msgs: Awaited<ReturnType<YunhuApi['listMessages']>>['data'][number] | undefined
    for (let i = 0; i < 200 && !msgs; i++) {
      msgs = (await api.listMessages({ chatId: ECHO_BOT, chatType: 3, count: 5 })).data.find((x) => x.content?.buttons)
      if (!msgs) await new Promise((r) => setTimeout(r, 20))
    }
    if (!msgs) throw new Error('no message with buttons')
    await api.buttonReport({ msg_id: msgs.msg_id, chat_type: 3, chat_id: ECHO_BOT, user_id: userId, button_value: 'report-b' })
    await expect(api.buttonReport({ msg_id: msgs.msg_id, chat_type: 3, chat_id: ECHO_BOT, user_id: userId, button_value: '' })).rejects.toBeInstanceOf(YunhuApiError)
  })
})

describe('push WebSocket against the reference server', () => {
  it('a streamed bot reply: push_message then stream_message chunks, assembled to the stored text', async () => {
    const { updates } = await connectPush('it-stream')
    await api.sendMessage({ chat_id: STREAM_BOT, chat_type: 3, content_type: 1, content: { text: 'stream please' } })
    const start = await waitFor(() => updates.find((u) => u.kind === 'push_message' && u.message.sender?.chat_id === STREAM_BOT), 5000, 'the reply start')
    const msgId = (start as Extract<YunhuPushUpdate, { kind: 'push_message' }>).message.msg_id
    // wait until the stored text stops growing and matches the last assembled text
    const final = await waitFor(
      () => {
        const chunks = updates.filter((u): u is YunhuStreamUpdate => u.kind === 'stream_message' && u.message.msg_id === msgId)
        const last = chunks[chunks.length - 1]
        return last && last.text.endsWith('stream please') ? last : undefined
      },
      8000,
      'the last chunk'
    )
    expect(final.assembled.msg_id).toBe(msgId)
    expect(final.assembled.sender?.chat_id).toBe(STREAM_BOT)
    const stored = await api.listMessages({ chatId: STREAM_BOT, chatType: 3, count: 3 })
    expect(stored.data.find((m) => m.msg_id === msgId)!.content?.text).toBe(final.text)
  })

  it('recall and edit are pushed', async () => {
    const { updates } = await connectPush('it-recall')
    await api.sendMessage({ chat_id: ECHO_BOT, chat_type: 3, content_type: 1, content: { text: '/recall' } })
    const recall = await waitFor(() => updates.find((u) => u.kind === 'recall'), 5000, 'recall')
    const original = updates.find((u) => u.kind === 'push_message' && u.message.msg_id === (recall as any).message.msg_id)
    expect(original).toBeTruthy()
    expect((recall as any).message.delete_timestamp).toMatch(/^\d+$/)
    await api.sendMessage({ chat_id: ECHO_BOT, chat_type: 3, content_type: 1, content: { text: '/edit' } })
    const edit = await waitFor(() => updates.find((u) => u.kind === 'edit_message'), 5000, 'edit')
    expect((edit as any).message.content.text).toBe('编辑后的文字')
  })

  it('a board change is pushed to the chat', async () => {
    const { updates } = await connectPush('it-board')
    await api.sendMessage({ chat_id: ECHO_BOT, chat_type: 3, content_type: 1, content: { text: '/board 新看板内容' } })
    const board = await waitFor(() => updates.find((u) => u.kind === 'bot_board_message'), 5000, 'board')
    expect((board as any).message).toMatchObject({ bot_id: ECHO_BOT, content: '新看板内容' })
    expect((await api.board(ECHO_BOT, 3))?.content).toBe('新看板内容')
  })

  it('a draft goes to the other devices of the account; heartbeats are answered', async () => {
    const a = await connectPush('it-draft-a')
    const b = await connectPush('it-draft-b')
    a.push.sendDraft(FRIEND, '还没写完的草稿')
    const d = await waitFor(() => b.updates.find((u) => u.kind === 'draft_input'), 5000, 'draft')
    expect((d as any).message).toEqual({ chat_id: FRIEND, input: '还没写完的草稿' })
    expect(a.updates.some((u) => u.kind === 'draft_input')).toBe(false)
    expect(await a.push.ping(3000)).toBeGreaterThanOrEqual(0)
  })

  it('a wrong token is refused ("数据不合法"): auth failure, no retry', async () => {
    const push = new YunhuPush({ url: `${server.url.replace(/^http/, 'ws')}/ws`, userId, token: 'wrong', deviceId: 'x', platform: 'linux', loginSettleMs: 2000 })
    pushes.push(push)
    const err = await push.connect().catch((e) => e)
    expect(err).toBeInstanceOf(TransportError)
    expect(err.kind).toBe('auth')
    expect(push.status.state).toBe('failed')
  })
})

describe('CLI against the reference server', () => {
  function io(): Io & { text: () => string; errText: () => string; interrupt: () => void } {
    let out = ''
    let err = ''
    let interrupt!: () => void
    const interrupted = new Promise<void>((r) => (interrupt = r))
    return { out: (s) => (out += s), err: (s) => (err += s), interrupted, interrupt, text: () => out, errText: () => err }
  }

  it('login stores the token (0600) and prints it only with --show-token; bots masks bot tokens', async () => {
    const cfg = join(dir, 'cli', 'cli.json')
    process.env.MIODESK_CLI_CONFIG = cfg
    try {
      const a = io()
      expect(await main(['yunhu', 'login', '--api', server.url, '--email', EMAIL, '--password', PASSWORD], a)).toBe(0)
      const saved = JSON.parse(await readFile(cfg, 'utf8'))
      expect(saved.yunhu.token).toBeTruthy()
      expect(saved.yunhu.userId).toBe(userId)
      expect(a.text()).not.toContain(saved.yunhu.token)
      expect(a.text()).toContain('logged in as')
      if (process.platform !== 'win32') expect((await stat(cfg)).mode & 0o777).toBe(0o600)

      const b = io()
      expect(await main(['yunhu', 'login', '--api', server.url, '--email', EMAIL, '--password', PASSWORD, '--show-token'], b)).toBe(0)
      const saved2 = JSON.parse(await readFile(cfg, 'utf8'))
      expect(b.text()).toContain(saved2.yunhu.token)

      const c = io()
      expect(await main(['yunhu', 'bots'], c)).toBe(0)
      const bots = JSON.parse(c.text())
      expect(bots.bots.length).toBeGreaterThan(0)
      expect(bots.bots.every((x: any) => x.token === '***')).toBe(true)

      const d = io()
      expect(await main(['yunhu', 'bot', 'info', '--bot', ECHO_BOT], d)).toBe(0)
      expect(JSON.parse(d.text()).bot_id).toBe(ECHO_BOT)

      const e = io()
      expect(await main(['yunhu', 'store'], e)).toBe(0)
      expect(JSON.parse(e.text()).bots.length).toBeGreaterThan(0)

      const f = io()
      expect(await main(['yunhu', 'bot', 'board', '--group', DEMO_GROUP], f)).toBe(0)
      expect(JSON.parse(f.text()).chat_id).toBe(DEMO_GROUP)

      const g = io()
      expect(await main(['yunhu', 'bot', 'create', '--name', 'CLI 机器人'], g)).toBe(0)
      const newId = JSON.parse(g.text()).bot_id
      const h = io()
      expect(await main(['yunhu', 'bot', 'set-link', '--bot', newId, '--link', 'https://hook.example.com/cli'], h)).toBe(0)
      const i = io()
      expect(await main(['yunhu', 'bot', 'reset-token', '--bot', newId], i)).toBe(0)
      expect(i.text()).toMatch(/bot token reset/)

      const j = io()
      expect(await main(['yunhu', 'settings', 'set', '--bot', ECHO_BOT, '--group', DEMO_GROUP, '--json', '{"pzdslt":"天津"}'], j)).toBe(0)
      const k = io()
      expect(await main(['yunhu', 'settings', 'get', '--bot', ECHO_BOT, '--group', DEMO_GROUP], k)).toBe(0)
      expect(JSON.parse(k.text()).values.pzdslt).toBe('天津')
      const l = io()
      expect(await main(['yunhu', 'settings', 'set', '--bot', ECHO_BOT, '--group', DEMO_GROUP, '--json', '{"pzdslt":"火星"}'], l)).toBe(1)
      expect(l.errText()).toMatch(/"火星" is not an option/)
      const m = io()
      expect(await main(['yunhu', 'settings', 'set', '--bot', ECHO_BOT, '--group', DEMO_GROUP, '--json', '{oops'], m)).toBe(1)
      expect(m.errText()).toMatch(/not valid JSON/)

      const n = io()
      expect(await main(['yunhu', 'bot', 'info', '--bot', ECHO_BOT, '--token', 'bad'], n)).toBe(1)
      expect(n.errText()).toMatch(/未登录/)
    } finally {
      delete process.env.MIODESK_CLI_CONFIG
    }
  })

  it('watch prints one JSON line per push event, streams with their text so far', async () => {
    const w = io()
    const run = main(['yunhu', 'watch', '--ws', `${server.url.replace(/^http/, 'ws')}/ws`, '--token', token, '--user-id', userId, '--device-id', 'cli-watch'], w)
    await waitFor(() => w.text().includes('"state":"online"'), 5000, 'online')
    await api.sendMessage({ chat_id: STREAM_BOT, chat_type: 3, content_type: 1, content: { text: 'stream from cli' } })
    await waitFor(() => w.text().split('\n').some((l) => l.includes('"event":"stream_message"') && l.includes('stream from cli')), 8000, 'the streamed text')
    w.interrupt()
    expect(await run).toBe(0)
    const lines = w.text().trim().split('\n').map((l) => JSON.parse(l))
    const chunks = lines.filter((l) => l.event === 'stream_message')
    expect(chunks.length).toBeGreaterThan(1)
    for (let i = 1; i < chunks.length; i++) expect(chunks[i].text.startsWith(chunks[i - 1].text)).toBe(true)
    expect(lines.some((l) => l.event === 'push_message')).toBe(true)
    expect(w.text()).not.toContain(token)
  })
})
