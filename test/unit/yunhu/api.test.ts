import { describe, expect, it } from 'vitest'
import { YunhuApi } from '../../../src/core/protocols/yunhu/api'
import { YunhuApiError, YunhuHttp, YunhuHttpStatusError, YunhuLoggedOutError } from '../../../src/core/protocols/yunhu/http'
import { TransportError } from '../../../src/core/transport/errors'
import { YunhuSettingsError } from '../../../src/core/protocols/yunhu/settings-schema'
import {
  decodeBoardRequest,
  decodeBotInfoRequest,
  decodeButtonReportRequest,
  decodeConversationListRequest,
  decodeCreateBotRequest,
  decodeListMsgByMidSeqRequest,
  decodeListMsgBySeqRequest,
  decodeListMsgRequest,
  decodeRecallMsg,
  decodeSendMsgRequest
} from '../../../src/core/protocols/yunhu/codec/yunhu'
import { OK_STATUS, fakeFetch, fixtureResponse, hangingFetch, jsonResponse, protoResponse, type Responder } from './helpers'

const TOKEN = 'acc-token-xyz'
const BASE = 'http://127.0.0.1:9999'

function setup(respond?: Responder) {
  const f = fakeFetch(respond)
  const api = new YunhuApi(new YunhuHttp({ baseUrl: BASE, token: TOKEN, fetch: f.fetch }))
  const last = () => f.calls[f.calls.length - 1]!
  return { api, calls: f.calls, last }
}

function expectCall(c: { url: URL; method: string; headers: Record<string, string> }, path: string, method = 'POST', token = TOKEN) {
  expect(c.url.toString()).toBe(BASE + path)
  expect(c.method).toBe(method)
  expect(c.headers.token).toBe(token)
}

const FORM = [
  {
    id: 'pqkyru',
    key: 0,
    props: [{ name: '标签', type: 'label', value: '' }],
    propsValue: { label: '城市', options: '北京#上海#天津', defaultValue: '上海' },
    title: 'Radio 单选框',
    type: 'radio'
  },
  { id: 'vnafdx', key: 1, props: [], propsValue: { label: '开关', defaultValue: '1' }, title: 'Switch 开关', type: 'switch' }
]

describe('YunhuApi JSON endpoints: path, method, token, body and reply handling', () => {
  it('banner', async () => {
    const banners = [{ id: 1, title: 't', introduction: 'i', targetId: '', targetUrl: 'https://x', imageUrl: 'https://i', sort: 1 }]
    const { api, last } = setup(() => jsonResponse({ code: 1, data: { banners }, msg: 'success' }))
    expect(await api.banners()).toEqual(banners)
    expectCall(last(), '/v1/bot/banner')
    expect(last().body.length).toBe(0)
  })

  it('store list (new-list)', async () => {
    const bots = [{ chatId: '123', chatType: '3', headcount: '25', nickname: 'n', introduction: 'i', instructions: '', avatarUrl: 'a' }]
    const { api, last } = setup(() => jsonResponse({ code: 1, data: { bots }, msg: 'success' }))
    expect(await api.storeList()).toEqual(bots)
    expectCall(last(), '/v1/bot/new-list')
  })

  it('missing lists come back empty', async () => {
    const { api } = setup(() => jsonResponse({ code: 1, msg: 'success' }))
    expect(await api.banners()).toEqual([])
    expect(await api.storeList()).toEqual([])
    expect(await api.llmModels()).toEqual([])
    expect(await api.myBots()).toEqual({ total: 0, bots: [] })
  })

  it('bot detail with groups', async () => {
    const bot = { botId: '123', nickname: 'b', avatarUrl: '', introduction: '', createBy: '1', createTime: 1, headcount: 2, private: 0, isStop: 0, settingJson: '' }
    const groups = [{ groupId: '9', name: 'g', introduction: '', avatarUrl: '' }]
    const { api, last } = setup(() => jsonResponse({ code: 1, data: { bot, groups }, msg: 'success' }))
    expect(await api.botDetail('123')).toEqual({ bot, groups })
    expectCall(last(), '/v1/bot/bot-detail')
    expect(last().json).toEqual({ id: '123' })
  })

  it('bot detail without data.bot is a protocol error', async () => {
    const { api } = setup(() => jsonResponse({ code: 1, data: {}, msg: 'success' }))
    await expect(api.botDetail('1')).rejects.toThrow(/sent no bot/)
  })

  it('my bots (bot-group-list)', async () => {
    const bots = [{ botId: '1', nickname: 'n', avatarUrl: '', token: 'bot-tok', link: '', introduction: '', private: 0, isStop: 0, settingJson: '' }]
    const { api, last } = setup(() => jsonResponse({ code: 1, data: { botsTotal: 1, list: { bots } }, msg: 'success' }))
    expect(await api.myBots()).toEqual({ total: 1, bots })
    expectCall(last(), '/v1/bot/bot-group-list')
  })

  it('edit-setting-json (string or form) refuses a broken form before sending', async () => {
    const { api, calls, last } = setup()
    await api.editSettingJson('123', '[]')
    expectCall(last(), '/v1/bot/edit-setting-json')
    expect(last().json).toEqual({ id: '123', settingJson: '[]' })
    await api.editSettingJson('123', { fields: [{ id: 'a', key: 0, type: 'input', title: 'Input', label: 'L', props: [], defaultValue: 'd', placeholder: 'p' }] })
    expect(JSON.parse(last().json.settingJson)).toEqual([
      { id: 'a', key: 0, props: [], propsValue: { label: 'L', defaultValue: 'd', placeholder: 'p' }, title: 'Input', type: 'input' }
    ])
    const n = calls.length
    await expect(api.editSettingJson('123', '{not json')).rejects.toBeInstanceOf(YunhuSettingsError)
    expect(calls.length).toBe(n)
  })

  it('web-edit-bot', async () => {
    const { api, last } = setup()
    await api.editBot({ botId: '123', nickname: 'n', introduction: 'i', avatarUrl: 'https://a', private: 1 })
    expectCall(last(), '/v1/bot/web-edit-bot')
    expect(last().json).toEqual({ nickname: 'n', introduction: 'i', avatarUrl: 'https://a', botId: '123', private: 1 })
  })

  it('remove follower / remove group', async () => {
    const { api, last } = setup()
    await api.removeFollower('123', '7')
    expectCall(last(), '/v1/bot/remove-follower')
    expect(last().json).toEqual({ botId: '123', userId: '7' })
    await api.removeGroup('123', '8')
    expectCall(last(), '/v1/bot/remove-group')
    expect(last().json).toEqual({ botId: '123', groupId: '8' })
  })

  it('LLM model list', async () => {
    const list = [{ icon: 'i', id: 1, name: 'g', params: '[{"name":"API Key","type":"input"}]', parent_id: 0, subItems: [{ icon: null, id: 161, name: 'm', params: '[]', parent_id: 1, subItems: null, tag: null }], tag: null }]
    const { api, last } = setup(() => jsonResponse({ code: 1, data: { list }, msg: 'success' }))
    expect(await api.llmModels()).toEqual(list)
    expectCall(last(), '/v1/bot/llm/llm-setting-list')
  })

  it('bot LLM settings (llm-setting-ref-info)', async () => {
    const data = { historyCount: 0, id: 0, isBigModel: 1, isNeedReply: 0, key: 'k', llmBaseUrl: '', llmId: 1, llmModelName: 'm', llmName: 'g', mcpJson: '', paramJson: '', prompt: 'p' }
    const { api, last } = setup(() => jsonResponse({ code: 1, data, msg: 'success' }))
    expect(await api.llmSettings('123')).toEqual(data)
    expectCall(last(), '/v1/bot/llm/llm-setting-ref-info')
    expect(last().json).toEqual({ botId: '123' })
  })

  it('reset bot token', async () => {
    const { api, last } = setup(() => jsonResponse({ code: 1, data: { token: 'new-bot-token' }, msg: 'success' }))
    expect(await api.resetBotToken('123')).toBe('new-bot-token')
    expectCall(last(), '/v1/bot/reset-bot-token')
    expect(last().json).toEqual({ botId: '123' })
  })

  it('edit subscribed link', async () => {
    const { api, last } = setup()
    await api.editSubscribedLink('75282754', 'https://hook.example/x')
    expectCall(last(), '/v1/bot/edit-subscribed-link')
    expect(last().json).toEqual({ botId: '75282754', link: 'https://hook.example/x' })
  })

  it('get per-group settings: the seed array form, values from the defaults', async () => {
    const { api, last } = setup(() => jsonResponse({ code: 1, data: { settingsJson: FORM }, msg: 'success' }))
    const s = await api.groupSettings('2468910', '1234567')
    expectCall(last(), '/v1/bot/get-user-settings-json')
    expect(last().json).toEqual({ botId: '2468910', chatId: '1234567' })
    expect(s.form.fields.map((f) => f.type)).toEqual(['radio', 'switch'])
    expect(s.values).toEqual({ pqkyru: '上海', vnafdx: true })
    expect(JSON.parse(s.raw)).toEqual(FORM)
  })

  it('get per-group settings: a string form with saved values', async () => {
    const saved = FORM.map((f, i) => ({ ...f, value: i === 0 ? '天津' : false }))
    const { api } = setup(() => jsonResponse({ code: 1, data: { settingsJson: JSON.stringify(saved) }, msg: 'success' }))
    const s = await api.groupSettings('1', '2')
    expect(s.values).toEqual({ pqkyru: '天津', vnafdx: false })
  })

  it('get per-group settings: invalid JSON from the server is an error in words', async () => {
    const { api } = setup(() => jsonResponse({ code: 1, data: { settingsJson: '[{"id":' }, msg: 'success' }))
    const err = await api.groupSettings('1', '2').catch((e) => e)
    expect(err).toBeInstanceOf(YunhuSettingsError)
    expect(err.message).toMatch(/^The settingsJson is not valid JSON/)
  })

  it('save per-group settings (send-setting-json): values checked and serialised', async () => {
    const { api, last, calls } = setup()
    await api.saveGroupSettings('12345', '678910', '[]')
    expectCall(last(), '/v1/bot/send-setting-json')
    expect(last().json).toEqual({ id: '12345', groupId: '678910', settingJson: '[]' })
    const form = (await setup(() => jsonResponse({ code: 1, data: { settingsJson: FORM }, msg: 'success' })).api.groupSettings('1', '2')).form
    await api.saveGroupSettings('12345', '678910', { form, values: { pqkyru: '北京' } })
    const items = JSON.parse(last().json.settingJson)
    expect(items.map((i: any) => [i.id, i.value])).toEqual([
      ['pqkyru', '北京'],
      ['vnafdx', true]
    ])
    const n = calls.length
    await expect(api.saveGroupSettings('1', '2', { form, values: { pqkyru: '广州' } })).rejects.toThrow(/"广州" is not an option of "城市"/)
    expect(calls.length).toBe(n)
  })

  it('email login: no token header, stores the token', async () => {
    const { api, last } = setup(() => jsonResponse({ code: 1, data: { token: 'fresh-token' }, msg: 'success' }))
    api.http.token = ''
    expect(await api.emailLogin({ email: 'a@b.c', password: 'pw', deviceId: 'dev-1', platform: 'Web' })).toBe('fresh-token')
    expect(last().url.toString()).toBe(BASE + '/v1/user/email-login')
    expect(last().method).toBe('POST')
    expect(last().headers.token).toBeUndefined()
    expect(last().json).toEqual({ email: 'a@b.c', password: 'pw', deviceId: 'dev-1', platform: 'Web' })
    expect(api.http.token).toBe('fresh-token')
  })

  it('email login failure carries the msg', async () => {
    const { api } = setup(() => jsonResponse({ code: -1, msg: '邮箱或密码错误' }))
    const err = await api.emailLogin({ email: 'a', password: 'b', deviceId: 'd' }).catch((e) => e)
    expect(err).toBeInstanceOf(YunhuApiError)
    expect(err.msg).toBe('邮箱或密码错误')
  })

  it('errors and -101 from any typed method', async () => {
    const { api } = setup(() => jsonResponse({ code: -101, msg: '未登录' }))
    let n = 0
    api.http.on('relogin-required', () => n++)
    await expect(api.myBots()).rejects.toBeInstanceOf(YunhuLoggedOutError)
    await expect(api.resetBotToken('1')).rejects.toBeInstanceOf(YunhuLoggedOutError)
    expect(n).toBe(2)
  })
})

describe('YunhuApi protobuf endpoints: request bytes decode with the codec', () => {
  it('bot-info (fixture reply)', async () => {
    const { api, last } = setup(() => fixtureResponse('http_bot_info_resp'))
    const bot = await api.botInfo('26146395')
    expectCall(last(), '/v1/bot/bot-info')
    expect(decodeBotInfoRequest(last().body)).toEqual({ id: '26146395' })
    expect(bot.bot_id).toBeTruthy()
    expect(typeof bot.create_time).toBe('string')
  })

  it('board (fixture reply) and an empty board', async () => {
    const { api, last } = setup(() => fixtureResponse('http_board_resp_group'))
    const b = await api.board('872440499', 2)
    expectCall(last(), '/v1/bot/board')
    expect(decodeBoardRequest(last().body)).toEqual({ id: '872440499', chat_type: 2 })
    expect(b?.content).toBeTruthy()
    const s2 = setup(() => protoResponse('BoardResponse', { status: OK_STATUS }))
    expect(await s2.api.board('1', 3)).toBeUndefined()
  })

  it('create-bot (fixture reply)', async () => {
    const { api, last } = setup(() => fixtureResponse('http_create_bot_resp'))
    const created = await api.createBot({ name: '新机器人', introduction: 'hi', avatarUrl: 'https://a/b.png', private: true })
    expectCall(last(), '/v1/bot/create-bot')
    expect(decodeCreateBotRequest(last().body)).toEqual({ name: '新机器人', introduction: 'hi', avatar_url: 'https://a/b.png', private: true })
    expect(created.bot_id).toBeTruthy()
    const minimal = setup(() => protoResponse('CreateBotResponse', { status: OK_STATUS, data: { bot_id: '42' } }))
    await minimal.api.createBot({ name: 'x' })
    expect(decodeCreateBotRequest(minimal.last().body)).toEqual({ name: 'x' })
  })

  it('create-bot without a bot id is an error', async () => {
    const { api } = setup(() => protoResponse('CreateBotResponse', { status: OK_STATUS }))
    await expect(api.createBot({ name: 'x' })).rejects.toThrow(/no bot id/)
  })

  it('user info is a GET', async () => {
    const { api, last } = setup(() => protoResponse('UserInfo', { status: OK_STATUS, data: { id: '5184731', name: 'me', avatar_url: 'a' } }))
    expect(await api.userInfo()).toEqual({ id: '5184731', name: 'me', avatar_url: 'a' })
    expectCall(last(), '/v1/user/info', 'GET')
  })

  it('conversation list, with and without md5', async () => {
    const data = [{ chat_id: '872440499', chat_type: 2, name: 'g', unread_msg: 3, timestamp_ms: '1787189412444' }]
    const { api, last } = setup(() => protoResponse('ConversationListResponse', { status: OK_STATUS, data, total: 1, md5: 'abc' }))
    const r = await api.conversations()
    expectCall(last(), '/v1/conversation/list')
    expect(decodeConversationListRequest(last().body)).toEqual({})
    expect(r).toMatchObject({ data, total: 1, md5: 'abc' })
    await api.conversations('abc')
    expect(decodeConversationListRequest(last().body)).toEqual({ md5: 'abc' })
  })

  it('list-message, by-seq, by-mid-seq', async () => {
    const msg = { msg_id: 'm1', direction: 'left', content_type: 1, content: { text: 'hi' }, send_time: '1787189412444', msg_seq: '5' }
    const { api, last } = setup(() => protoResponse('ListMsgResponse', { status: OK_STATUS, data: [msg], total: 1 }))
    const r = await api.listMessages({ chatId: '872440499', chatType: 2, count: 30, beforeMsgId: 'm9' })
    expectCall(last(), '/v1/msg/list-message')
    expect(decodeListMsgRequest(last().body)).toEqual({ msg_count: 30, msg_id: 'm9', chat_type: 2, chat_id: '872440499' })
    expect(r.data).toEqual([msg])
    await api.listMessages({ chatId: '1', chatType: 1 })
    expect(decodeListMsgRequest(last().body)).toEqual({ msg_count: 20, chat_type: 1, chat_id: '1' })
    await api.listMessagesBySeq({ chatId: '872440499', chatType: 2, afterSeq: '18446744073709551615' })
    expectCall(last(), '/v1/msg/list-message-by-seq')
    expect(decodeListMsgBySeqRequest(last().body)).toEqual({ msg_start: '18446744073709551615', chat_type: 2, chat_id: '872440499' })
    await api.listMessagesByMidSeq({ msg_seq: '5', chat_type: 2, chat_id: 'g', msg_count: 3, msg_id: 'm1' })
    expectCall(last(), '/v1/msg/list-message-by-mid-seq')
    expect(decodeListMsgByMidSeqRequest(last().body)).toEqual({ msg_seq: '5', chat_type: 2, chat_id: 'g', msg_count: 3, msg_id: 'm1' })
  })

  it('send-message makes a msg_id; edit-message keeps the given one', async () => {
    const { api, last } = setup(() => protoResponse('StatusResponse', { status: OK_STATUS }))
    const id = await api.sendMessage({ chat_id: '53087214', chat_type: 3, content_type: 1, content: { text: '你好' }, quote_msg_id: 'q1' })
    expect(id).toMatch(/^[0-9a-f]{32}$/)
    expectCall(last(), '/v1/msg/send-message')
    expect(decodeSendMsgRequest(last().body)).toEqual({ msg_id: id, chat_id: '53087214', chat_type: 3, content_type: 1, content: { text: '你好' }, quote_msg_id: 'q1' })
    expect(await api.sendMessage({ msg_id: 'given', chat_id: 'c', chat_type: 1, content_type: 1, content: { text: 'x' } })).toBe('given')
    await api.editMessage({ msg_id: 'm1', chat_id: 'c', chat_type: 2, content_type: 3, content: { text: '**x**' } })
    expectCall(last(), '/v1/msg/edit-message')
    expect(decodeSendMsgRequest(last().body)).toEqual({ msg_id: 'm1', chat_id: 'c', chat_type: 2, content_type: 3, content: { text: '**x**' } })
  })

  it('send-message with a Status code ≠ 1 fails with msg', async () => {
    const { api } = setup(() => protoResponse('StatusResponse', { status: { code: -1, msg: '消息太长' } }))
    const err = await api.sendMessage({ chat_id: 'c', chat_type: 1, content_type: 1, content: { text: 'x' } }).catch((e) => e)
    expect(err).toBeInstanceOf(YunhuApiError)
    expect(err.msg).toBe('消息太长')
  })

  // What an outbox needs to tell apart (it resends ambiguous sends under the same msg_id, which the
  // server deduplicates): may the message have reached the server, or was it refused / never sent?
  it('send-message failures: timeout and a dropped link are ambiguous, refusals and unreachable are told apart', async () => {
    const input = { msg_id: 'm-outbox-1', chat_id: 'c', chat_type: 1, content_type: 1, content: { text: 'x' } }
    const failWith = async (respond: Responder | 'hang', opts: { timeoutMs?: number; signal?: AbortSignal } = {}) => {
      const f = fakeFetch(respond === 'hang' ? () => new Response() : respond)
      const fetchFn = respond === 'hang' ? (((u: string | URL, init?: RequestInit) => (f.fetch(u, init), hangingFetch()(u, init))) as typeof fetch) : f.fetch
      const api = new YunhuApi(new YunhuHttp({ baseUrl: BASE, token: TOKEN, fetch: fetchFn, timeoutMs: opts.timeoutMs }))
      const err = await api.sendMessage(input, { signal: opts.signal }).catch((e) => e)
      expect(f.calls, 'one request, never retried by the client itself').toHaveLength(1)
      expect(decodeSendMsgRequest(f.calls[0]!.body).msg_id).toBe('m-outbox-1')
      expect(err).toBeInstanceOf(TransportError)
      return err
    }
    const netError = (code: string) => () => Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) }))
    // no answer in time: kind timeout, not a refusal
    const timedOut = await failWith('hang', { timeoutMs: 50 })
    expect(timedOut).not.toBeInstanceOf(YunhuApiError)
    expect(timedOut.kind).toBe('timeout')
    expect(timedOut.message).toBe('The Yunhu server did not answer POST /v1/msg/send-message within 0.1 s')
    // the link dropped with the request out: kind closed (ambiguous too)
    const dropped = await failWith(netError('ECONNRESET'))
    expect(dropped.kind).toBe('closed')
    expect(dropped.message).toBe('The connection to the Yunhu server at 127.0.0.1:9999 was lost before it answered POST /v1/msg/send-message (connection reset); the request may have reached it')
    // no connection at all: kind unreachable (nothing was sent)
    for (const code of ['ECONNREFUSED', 'ENOTFOUND']) expect((await failWith(netError(code))).kind).toBe('unreachable')
    // the server refused it: YunhuApiError with the server's code and msg
    const refused = await failWith(() => protoResponse('StatusResponse', { status: { code: -1, msg: '消息太长' } }))
    expect(refused).toBeInstanceOf(YunhuApiError)
    expect(refused).toMatchObject({ kind: 'server', code: -1, msg: '消息太长', path: '/v1/msg/send-message' })
    const loggedOut = await failWith(() => protoResponse('StatusResponse', { status: { code: -101, msg: '未登录' } }))
    expect(loggedOut).toBeInstanceOf(YunhuLoggedOutError)
    expect(loggedOut.kind).toBe('auth')
    // an HTTP status: YunhuHttpStatusError with the status (a 5xx may come from a proxy after the server acted)
    const http = await failWith(() => new Response('bad gateway', { status: 502 }))
    expect(http).toBeInstanceOf(YunhuHttpStatusError)
    expect(http).not.toBeInstanceOf(YunhuApiError)
    expect(http).toMatchObject({ kind: 'server', status: 502 })
    // a 2xx reply that cannot be read: kind protocol, not a YunhuApiError
    const garbage = await failWith(() => new Response(new Uint8Array([0xff, 0xff, 0xff]) as unknown as ArrayBuffer))
    expect(garbage).not.toBeInstanceOf(YunhuApiError)
    expect(garbage.kind).toBe('protocol')
    // the caller gave up: kind aborted
    const ac = new AbortController()
    ac.abort()
    expect((await failWith(() => new Response(), { signal: ac.signal })).kind).toBe('aborted')
  })

  it('a bad argument is refused before sending, in words', async () => {
    const { api, calls } = setup()
    await expect(api.listMessagesBySeq({ chatId: 'c', chatType: 1, afterSeq: 'not-a-number' })).rejects.toThrow(/Cannot build the \/v1\/msg\/list-message-by-seq request/)
    expect(calls).toHaveLength(0)
  })

  it('recall: one id → recall-msg, several → recall-msg-batch', async () => {
    const { api, last } = setup(() => protoResponse('StatusResponse', { status: OK_STATUS }))
    await api.recall({ chatId: 'g', chatType: 2, msgIds: 'm1' })
    expectCall(last(), '/v1/msg/recall-msg')
    expect(decodeRecallMsg(last().body)).toEqual({ msg_id: ['m1'], chat_id: 'g', chat_type: 2 })
    await api.recall({ chatId: 'g', chatType: 2, msgIds: ['m1', 'm2'] })
    expectCall(last(), '/v1/msg/recall-msg-batch')
    expect(decodeRecallMsg(last().body)).toEqual({ msg_id: ['m1', 'm2'], chat_id: 'g', chat_type: 2 })
    await expect(api.recall({ chatId: 'g', chatType: 2, msgIds: [] })).rejects.toThrow(/Nothing to recall/)
  })

  it('button-report', async () => {
    const { api, last } = setup(() => protoResponse('StatusResponse', { status: OK_STATUS }))
    await api.buttonReport({ msg_id: 'm1', chat_type: 3, chat_id: 'b', user_id: 'u', button_value: 'v' })
    expectCall(last(), '/v1/msg/button-report')
    expect(decodeButtonReportRequest(last().body)).toEqual({ msg_id: 'm1', chat_type: 3, chat_id: 'b', user_id: 'u', button_value: 'v' })
  })
})
