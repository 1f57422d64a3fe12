/**
 * Yunhu accounts in AppCore (src/core/accounts/yunhu/provider.ts) through the handler table,
 * against the reference server (server/yunhu): login, conversations, history paging, sending,
 * streamed replies, recall/edit, buttons, boards, the bot console, group settings, -101 → relogin,
 * and the token kept encrypted and out of the logs.
 */
import type { EventEmitter } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../../server/app'
import { yunhuTuning } from '../helpers/yunhu-core'
import { AppCore } from '../../src/core/app-core'
import { createHandlers, type ApiHandlers } from '../../src/core/handlers'
import { MemoryStore, type SecretBox } from '../../src/core/storage/storage'
import { createMemoryLogger } from '../../src/core/log'
import type { AccountInfo, Contact, MainEvents } from '../../src/shared/api'
import type { ChatMessage } from '../../src/shared/mio'
import { draftSegments, type DraftFormat } from '../../src/shared/model/compose'

const EMAIL = 'demo@miodesk.local'
const PASSWORD = 'accounts-it-pw-1'
const NEW_PASSWORD = 'accounts-it-pw-2'
const ECHO_BOT = '60000001'
const STREAM_BOT = '60000002'
const WEATHER_BOT = '60000003'
const DEMO_GROUP = '300000001'
const FRIEND = '1000002'
const ME = '1000001'

/** A reversible "encryption" so the test can see that the stored secret is not the plaintext. */
const testBox: SecretBox = {
  isSecure: true,
  encrypt: (p) => `enc:${[...p].reverse().join('')}`,
  decrypt: (c) => [...c.slice(4)].reverse().join('')
}

let dir: string
let server: RunningServer
let port: number
const store = new MemoryStore()
const logger = createMemoryLogger()
let core: AppCore
let h: ApiHandlers

/** A composer message (body + optional quote) sent through the generic channel. */
function yhSend(accountId: string, contactId: string, m: { contentType: DraftFormat; text: string; quoteMsgId?: string; quoteText?: string }): Promise<ChatMessage> {
  const segments = draftSegments({ format: m.contentType, text: m.text, quote: m.quoteMsgId ? { id: m.quoteMsgId, text: m.quoteText } : undefined })
  return h['messages:send'](accountId, contactId, segments)
}
let account: AccountInfo
const events: { [K in keyof MainEvents]?: MainEvents[K][] } = {}
const tokensSeen = new Set<string>()

const TUNING = yunhuTuning()

function makeCore(): AppCore {
  const c = new AppCore({ store, secrets: testBox, host: 'browser', version: 'test', openExternal: async () => {}, streamFlushMs: 16, logger, yunhu: TUNING })
  for (const name of ['message', 'board', 'relogin-required', 'contacts', 'connection', 'accounts'] as const) {
    ;(c.events as unknown as EventEmitter).on(name, (p: unknown) => {
      ;((events[name] ??= []) as unknown[]).push(p)
    })
  }
  return c
}

async function waitFor<T>(get: () => T | undefined | false | null, ms = 6000, what = 'condition'): Promise<T> {
  const t0 = Date.now()
  for (;;) {
    const v = get()
    if (v) return v
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

const messages = (): ChatMessage[] => (events.message ?? []).filter((e) => e.accountId === account.id).map((e) => e.message)
const textOf = (m: ChatMessage): string => m.segments.map((s) => String(s.data.text ?? s.data.html ?? '')).join('')
const storedSecret = (): string => (store.get<{ secret: string }[]>('yunhu-accounts') ?? [])[0]!.secret

async function startYunhu(password: string): Promise<void> {
  server = await startServer({ port, dataDir: dir, yunhu: { dataDir: dir, email: EMAIL, password, chunkDelayMs: 25, followUpMs: 60 } })
  port = server.port
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'miodesk-yunhu-acc-'))
  port = 0
  await startYunhu(PASSWORD)
  core = makeCore()
  h = createHandlers(core)
})

afterAll(async () => {
  await core?.stop()
  await server?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('Yunhu accounts in the core, against the reference server', () => {
  it('refuses a wrong password in words and stores nothing', async () => {
    await expect(h['accounts:add']('yunhu', { api: server.url, email: EMAIL, password: 'wrong-password' })).rejects.toThrow(/^Login failed: 邮箱或密码错误$/)
    await expect(h['accounts:add']('yunhu', { api: server.url, email: EMAIL })).rejects.toThrow(/Enter the password/)
    await expect(h['accounts:add']('yunhu', { api: server.url, token: 'not-a-token' })).rejects.toThrow(/refused this token/)
    await expect(h['accounts:add']('yunhu', { api: 'ftp://x', token: 't' })).rejects.toThrow(/http:\/\/ or https:\/\//)
    expect(await h['accounts:list']()).toEqual([])
    expect(store.get('yunhu-accounts')).toBeUndefined()
  })

  it('logs in with email and password: online, token stored encrypted, password not stored', async () => {
    account = await h['accounts:add']('yunhu', { api: server.url, email: EMAIL, password: PASSWORD })
    expect(account).toMatchObject({ kind: 'yunhu', userId: ME, server: server.url, status: { state: 'online' } })
    expect(account.label).toContain('MioDesk 演示用户')
    expect((await h['accounts:list']()).map((a) => a.id)).toEqual([account.id])
    const secret = storedSecret()
    const token = testBox.decrypt(secret)
    tokensSeen.add(token)
    expect(secret.startsWith('enc:')).toBe(true)
    expect(token.length).toBeGreaterThan(8)
    const dump = JSON.stringify(store.get('yunhu-accounts'))
    expect(dump).not.toContain(token)
    expect(dump).not.toContain(PASSWORD)
    expect(store.get<string>('yunhu-device-id')).toMatch(/^[0-9a-f]{32}$/)
    await expect(h['accounts:add']('yunhu', { api: server.url, email: EMAIL, password: PASSWORD })).rejects.toThrow(/already added/)
  })

  it('lists conversations as contacts (names, avatars, previews, unread)', async () => {
    const contacts = (await h['contacts:list'](account.id)) as (Contact & { unread?: number })[]
    const byId = new Map(contacts.map((c) => [c.id, c]))
    expect(byId.get(DEMO_GROUP)).toMatchObject({ kind: 'group', name: 'MioDesk 演示群', avatar: expect.stringMatching(/^https:/), lastMessage: { preview: expect.any(String), time: expect.any(Number) } })
    expect(byId.get(DEMO_GROUP)!.unread).toBe(2) // 8 messages, read up to 5, the 6th is ours
    expect(byId.get(ECHO_BOT)).toMatchObject({ kind: 'bot', name: '回声机器人' })
    expect(byId.get(STREAM_BOT)).toMatchObject({ kind: 'bot' })
    expect(byId.get(FRIEND)).toMatchObject({ kind: 'user', name: '小云', lastMessage: { preview: '周末一起测试客户端吗?' } })
    // pinned first (the seed pins the friend), then newest first
    expect(contacts[0]).toMatchObject({ id: FRIEND, pinned: true })
    const times = contacts.filter((c) => !c.pinned).map((c) => c.lastMessage?.time ?? 0)
    expect([...times].sort((a, b) => b - a)).toEqual(times)
  })

  it('pages history from the message list into the store, with every content type mapped to segments', async () => {
    const page1 = await h['history:list'](account.id, DEMO_GROUP, undefined, 3)
    expect(page1).toHaveLength(3)
    const page2 = await h['history:list'](account.id, DEMO_GROUP, page1[0]!.time, 3)
    expect(page2).toHaveLength(3)
    expect(page2[2]!.time).toBeLessThan(page1[0]!.time)
    const page3 = await h['history:list'](account.id, DEMO_GROUP, page2[0]!.time, 3)
    expect(page3).toHaveLength(2)
    expect(await h['history:list'](account.id, DEMO_GROUP, page3[0]!.time, 3)).toEqual([])
    const all = [...page3, ...page2, ...page1]
    expect(core.history.list(account.id, DEMO_GROUP, undefined, 100).map((m) => m.id)).toEqual(all.map((m) => m.id))
    // opening the conversation marked it read
    expect(((await h['contacts:list'](account.id)) as (Contact & { unread?: number })[]).find((c) => c.id === DEMO_GROUP)!.unread).toBe(0)

    const [text, md, html, image, file, quote, mention, buttons] = all
    expect(text).toMatchObject({ contactId: DEMO_GROUP, self: false, senderId: FRIEND, status: 'sent', segments: [{ type: 'text', data: { text: '大家好,欢迎来到 MioDesk 演示群!' } }] })
    expect(md).toMatchObject({ self: true, senderId: ME, segments: [{ type: 'markdown', data: { text: expect.stringContaining('## 今日安排') } }] })
    expect(html!.segments).toEqual([{ type: 'html', data: { html: '<p>这是一条 <b>HTML</b> 消息, <a href="https://www.yhchat.com">云湖</a></p>' } }])
    expect(image!.segments).toEqual([
      { type: 'image', data: { file: 'https://chat-img.jwznb.com/miodesk-demo/sunset.jpg', image: 'https://chat-img.jwznb.com/miodesk-demo/sunset.jpg', width: 1280, height: 720 } }
    ])
    expect(file!.segments).toEqual([{ type: 'file', data: { name: '会议纪要.pdf', url: 'https://chat-file.jwznb.com/miodesk-demo/minutes.pdf', size: 20480 } }])
    expect(quote!.segments).toEqual([
      { type: 'reply', data: { id: file!.id, text: '小云: [文件] 会议纪要.pdf' } },
      { type: 'text', data: { text: '收到, 我晚点看' } }
    ])
    expect(quote!.replyTo).toBe(file!.id)
    expect(mention!.segments).toEqual([
      { type: 'at', data: { qq: ME, name: 'MioDesk 演示用户' } },
      { type: 'text', data: { text: ' 记得看一下看板' } }
    ])
    expect(buttons!.segments).toEqual([
      { type: 'text', data: { text: '请选择一个操作:' } },
      {
        type: 'buttons',
        data: {
          rows: [
            [
              { text: '打开云湖', actionType: 1, url: 'https://www.yhchat.com' },
              { text: '复制口令', actionType: 2, value: 'miodesk' }
            ],
            [{ text: '点我回报', actionType: 3, value: 'demo-report' }]
          ]
        }
      }
    ])
  })

  it('sends text, Markdown and a quote; each is stored and the bot reply is pushed', async () => {
    await h['history:list'](account.id, ECHO_BOT, undefined, 20)
    const sent = await yhSend(account.id, ECHO_BOT, { contentType: 'text', text: 'hello from the test' })
    expect(sent).toMatchObject({ contactId: ECHO_BOT, self: true, status: 'sent', segments: [{ type: 'text', data: { text: 'hello from the test' } }] })
    expect(messages().some((m) => m.id === sent.id && m.status === 'sending')).toBe(true)
    expect(core.history.get(account.id, ECHO_BOT, sent.id)?.status).toBe('sent')
    const reply = await waitFor(() => messages().find((m) => m.contactId === ECHO_BOT && !m.self && m.replyTo === sent.id), 6000, 'the bot reply')
    expect(reply.segments).toEqual([
      { type: 'reply', data: { id: sent.id, text: 'MioDesk 演示用户: hello from the test' } },
      { type: 'text', data: { text: '收到: hello from the test' } }
    ])

    const md = await yhSend(account.id, ECHO_BOT, { contentType: 'markdown', text: '**bold** move' })
    expect(md.segments).toEqual([{ type: 'markdown', data: { text: '**bold** move' } }])
    expect(md.status).toBe('sent')
    await waitFor(() => messages().find((m) => m.replyTo === md.id && !m.self), 6000, 'the reply to markdown')

    const q = await yhSend(account.id, ECHO_BOT, { contentType: 'text', text: 'quoting you', quoteMsgId: reply.id, quoteText: '回声机器人: 收到: hello from the test' })
    expect(q.segments).toEqual([
      { type: 'reply', data: { id: reply.id, text: '回声机器人: 收到: hello from the test' } },
      { type: 'text', data: { text: 'quoting you' } }
    ])
    expect(q.replyTo).toBe(reply.id)
    const qr = await waitFor(() => messages().find((m) => m.replyTo === q.id && !m.self), 6000, 'the reply to the quote')
    expect(textOf(qr)).toContain('收到: quoting you')
    // the contact preview follows
    const echo = (await h['contacts:list'](account.id)).find((c) => c.id === ECHO_BOT)!
    expect(echo.lastMessage?.preview).toMatch(/收到/)

    await expect(yhSend(account.id, ECHO_BOT, { contentType: 'text', text: '   ' })).rejects.toThrow(/Type a message/)
    await expect(yhSend(account.id, ECHO_BOT, { contentType: 'video' as never, text: 'x' })).rejects.toThrow(/text, Markdown or HTML/)
    await expect(yhSend(account.id, 'nope', { contentType: 'text', text: 'x' })).rejects.toThrow(/Unknown Yunhu conversation/)
  })

  it('a streamed bot reply grows through several versions (its message, then stream deltas) to its final text', async () => {
    const before = messages().length
    const deltas: MainEvents['stream'][] = []
    const onDelta = (d: MainEvents['stream']): void => void deltas.push(d)
    core.events.on('stream', onDelta)
    await h['history:list'](account.id, STREAM_BOT, undefined, 20)
    const sent = await yhSend(account.id, STREAM_BOT, { contentType: 'text', text: 'stream please' })
    expect(sent.status).toBe('sent')
    const expected = '这是一条流式回复, 文字会一段一段地追加到同一条消息里。你说的是: stream please'
    const first = await waitFor(() => messages().slice(before).find((m) => m.contactId === STREAM_BOT && !m.self), 6000, 'the stream start')
    await waitFor(() => core.history.get(account.id, STREAM_BOT, first.id) && textOf(core.history.get(account.id, STREAM_BOT, first.id)!) === expected, 8000, 'the final text')
    core.events.off('stream', onDelta)
    // What the renderer shows, version by version: the message as first shown, each delta applied, the final message.
    const versions = [textOf(first)]
    for (const d of deltas.filter((x) => x.messageId === first.id)) versions.push(d.text ?? versions[versions.length - 1]! + d.textAppend)
    versions.push(
      ...messages()
        .slice(before)
        .filter((m) => m.id === first.id)
        .slice(1)
        .map(textOf)
    )
    expect(versions.length).toBeGreaterThanOrEqual(3)
    for (let i = 1; i < versions.length; i++) expect(versions[i]!.startsWith(versions[i - 1]!)).toBe(true)
    expect(versions[versions.length - 1]).toBe(expected)
    expect(core.history.get(account.id, STREAM_BOT, first.id)!.segments[0]!.type).toBe('markdown')
  })

  it('a refused send is stored as failed with the reason', async () => {
    // We own the stream bot: remove ourselves as its follower, and the server refuses our messages to it.
    await h['yunhu:remove-follower'](account.id, STREAM_BOT, ME)
    const failed = await yhSend(account.id, STREAM_BOT, { contentType: 'html', text: '<b>hi</b>' })
    expect(failed).toMatchObject({ status: 'failed', error: 'The Yunhu server refused it: 你还没有添加该机器人', segments: [{ type: 'html', data: { html: '<b>hi</b>' } }] })
    expect(core.history.get(account.id, STREAM_BOT, failed.id)).toMatchObject({ status: 'failed' })
    // a failed message never reached the server: "recalling" it just removes it
    await h['messages:recall'](account.id, STREAM_BOT, failed.id)
    expect(core.history.get(account.id, STREAM_BOT, failed.id)).toBeUndefined()
  })

  it('recall and edit are shown; our own recall too', async () => {
    const n0 = messages().length
    await yhSend(account.id, ECHO_BOT, { contentType: 'text', text: '/recall' })
    const doomed = await waitFor(() => messages().slice(n0).find((m) => !m.self && textOf(m) === '这条消息马上会被撤回'), 6000, 'the message to recall')
    await waitFor(() => messages().slice(n0).find((m) => m.id === doomed.id && m.status === 'recalled'), 6000, 'the recall')
    expect(core.history.get(account.id, ECHO_BOT, doomed.id)!.status).toBe('recalled')

    await yhSend(account.id, ECHO_BOT, { contentType: 'text', text: '/edit' })
    const editable = await waitFor(() => messages().slice(n0).find((m) => !m.self && textOf(m) === '编辑前的文字'), 6000, 'the message to edit')
    const edited = await waitFor(() => messages().slice(n0).find((m) => m.id === editable.id && m.editedAt), 6000, 'the edit')
    expect(edited.segments).toEqual([{ type: 'text', data: { text: '编辑后的文字' } }])
    expect(edited.editedAt).toBeGreaterThan(0)

    const mine = await yhSend(account.id, FRIEND, { contentType: 'text', text: 'take this back' })
    await h['messages:recall'](account.id, FRIEND, mine.id)
    expect(core.history.get(account.id, FRIEND, mine.id)!.status).toBe('recalled')
    await expect(h['messages:recall'](account.id, FRIEND, 'missing')).rejects.toThrow(/no longer exists/)
  })

  it('a button click is reported and the bot answers', async () => {
    const n0 = messages().length
    await yhSend(account.id, ECHO_BOT, { contentType: 'text', text: '/buttons' })
    const withButtons = await waitFor(() => messages().slice(n0).find((m) => m.segments.some((s) => s.type === 'buttons')), 6000, 'buttons')
    await h['yunhu:button'](account.id, ECHO_BOT, withButtons.id, 'report-a')
    await waitFor(() => messages().slice(n0).find((m) => textOf(m).includes('点击了按钮: report-a')), 6000, 'the answer')
    await expect(h['yunhu:button'](account.id, ECHO_BOT, withButtons.id, '')).rejects.toThrow(/no value/)
  })

  it('boards: read, none for a user chat, live updates and clearing', async () => {
    const g = await h['yunhu:board'](account.id, DEMO_GROUP)
    expect(g).toMatchObject({ chatId: DEMO_GROUP, botId: ECHO_BOT, contentType: 'markdown', content: expect.stringContaining('群公告'), updatedAt: expect.any(Number) })
    expect(g!.updatedAt).toBeGreaterThan(1e12)
    expect(await h['yunhu:board'](account.id, FRIEND)).toBeNull()
    expect(await h['yunhu:board'](account.id, STREAM_BOT)).toBeNull()
    await yhSend(account.id, ECHO_BOT, { contentType: 'text', text: '/board 新看板内容' })
    const live = await waitFor(() => (events.board ?? []).find((b) => b.contactId === ECHO_BOT && b.board?.content === '新看板内容'), 6000, 'the board event')
    expect(live).toMatchObject({ accountId: account.id, board: { chatId: ECHO_BOT, botId: ECHO_BOT, contentType: 'text', botName: '回声机器人' } })
    expect((await h['yunhu:board'](account.id, ECHO_BOT))?.content).toBe('新看板内容')
    await yhSend(account.id, ECHO_BOT, { contentType: 'text', text: '/board' })
    await waitFor(() => (events.board ?? []).find((b) => b.contactId === ECHO_BOT && b.board === null), 6000, 'the cleared board')
  })

  it('store → bot detail; banners', async () => {
    const banners = await h['yunhu:banners'](account.id)
    expect(banners.length).toBeGreaterThan(0)
    const bots = await h['yunhu:store'](account.id)
    expect(bots.map((b) => b.chatId)).toContain(WEATHER_BOT)
    const d = await h['yunhu:bot-detail'](account.id, WEATHER_BOT)
    expect(d.bot.botId).toBe(WEATHER_BOT)
    expect(Array.isArray(d.groups)).toBe(true)
    await expect(h['yunhu:bot-detail'](account.id, '60000004')).rejects.toThrow(/^The Yunhu server refused it: 机器人不存在$/)
    await expect(h['yunhu:bot-detail'](account.id, '')).rejects.toThrow(/bot id is missing/)
  })

  it('my bots console: create, edit, reset token, set link (http/https only), LLM', async () => {
    await expect(h['yunhu:create-bot'](account.id, { name: '  ' })).rejects.toThrow(/Give the bot a name/)
    await expect(h['yunhu:create-bot'](account.id, { name: 'x', avatarUrl: 'javascript:alert(1)' })).rejects.toThrow(/http:\/\/ or https:\/\//)
    const created = await h['yunhu:create-bot'](account.id, { name: '测试机器人', introduction: 'made by a test', private: true })
    expect(created).toMatchObject({ name: '测试机器人', private: true, bot_id: expect.stringMatching(/^\d+$/) })
    const botId = created.bot_id!
    await h['yunhu:edit-bot'](account.id, { botId, nickname: '改名机器人', introduction: '新的简介', avatarUrl: 'https://example.com/a.png', private: 0 })
    expect(await h['yunhu:bot-info'](account.id, botId)).toMatchObject({ name: '改名机器人', introduction: '新的简介', avatar_url: 'https://example.com/a.png' })
    await expect(h['yunhu:edit-bot'](account.id, { botId: WEATHER_BOT, nickname: 'x', introduction: '', avatarUrl: '', private: 0 })).rejects.toThrow(/不是该机器人的创建者/)

    const mine = await h['yunhu:my-bots'](account.id)
    const before = mine.bots.find((b) => b.botId === botId)!.token
    const fresh = await h['yunhu:reset-token'](account.id, botId)
    expect(fresh).toBeTruthy()
    expect(fresh).not.toBe(before)

    await expect(h['yunhu:set-link'](account.id, botId, 'javascript:alert(1)')).rejects.toThrow(/must be an http:\/\/ or https:\/\/ address/)
    await expect(h['yunhu:set-link'](account.id, botId, 'not a url')).rejects.toThrow(/not a valid address/)
    await h['yunhu:set-link'](account.id, botId, 'https://hook.example.com/yunhu')
    expect((await h['yunhu:my-bots'](account.id)).bots.find((b) => b.botId === botId)!.link).toBe('https://hook.example.com/yunhu')

    const models = await h['yunhu:llm-models'](account.id)
    expect(models.length).toBeGreaterThan(0)
    expect(await h['yunhu:llm-settings'](account.id, STREAM_BOT)).toMatchObject({ llmModelName: expect.any(String) })
    await expect(h['yunhu:remove-follower'](account.id, ECHO_BOT, FRIEND)).rejects.toThrow(/该用户没有添加这个机器人/)
    await expect(
      h['yunhu:edit-setting-form'](account.id, ECHO_BOT, {
        fields: [
          { id: 'a', key: 0, type: 'input', title: '', label: 'A', props: [], defaultValue: '', placeholder: '' },
          { id: 'a', key: 1, type: 'input', title: '', label: 'B', props: [], defaultValue: '', placeholder: '' }
        ]
      })
    ).rejects.toThrow(/Two fields have the id "a"/)
  })

  it('group bot settings: read, save, read back; bad values refused in words', async () => {
    const s = await h['yunhu:group-settings'](account.id, ECHO_BOT, DEMO_GROUP)
    expect(s.form.fields.map((f) => f.type)).toEqual(['radio', 'input', 'switch', 'checkbox', 'textarea', 'select'])
    expect(s.values).toMatchObject({ pqkyru: 'English', vnafdx: true, pzdslt: '上海' })
    const saved = await h['yunhu:save-group-settings'](account.id, ECHO_BOT, DEMO_GROUP, { pqkyru: '日本語', sdudlm: ['股票'], vnafdx: false })
    expect(saved.values).toMatchObject({ pqkyru: '日本語', sdudlm: ['股票'], vnafdx: false, pzdslt: '上海', xmmtbi: '小湖' })
    expect((await h['yunhu:group-settings'](account.id, ECHO_BOT, DEMO_GROUP)).values).toEqual(saved.values)
    await expect(h['yunhu:save-group-settings'](account.id, ECHO_BOT, DEMO_GROUP, { pzdslt: '火星' })).rejects.toThrow(/"火星" is not an option/)
    await expect(h['yunhu:save-group-settings'](account.id, ECHO_BOT, DEMO_GROUP, { nope: 'x' })).rejects.toThrow(/no setting with the id "nope"/)
  })

  it('-101 (token revoked by a server restart with a new password) → relogin-required → relogin → works again, history kept', async () => {
    const historyBefore = core.history.list(account.id, DEMO_GROUP, undefined, 100)
    const contactsBefore = core.yunhu.cachedContacts(account.id)
    expect(historyBefore.length).toBeGreaterThan(0)
    await server.close()
    await startYunhu(NEW_PASSWORD)
    // The push socket reconnects with the revoked token and is refused; HTTP answers -101.
    await waitFor(() => (events['relogin-required'] ?? []).find((e) => e.accountId === account.id), 8000, 'relogin-required')
    expect((await h['accounts:list']())[0]!.status).toMatchObject({ state: 'failed', errorKind: 'auth' })
    await expect(h['yunhu:store'](account.id)).rejects.toThrow(/log in again/)
    // nothing is lost meanwhile
    expect(await h['contacts:list'](account.id)).toEqual(contactsBefore)
    expect((await h['history:list'](account.id, DEMO_GROUP, undefined, 100)).map((m) => m.id)).toEqual(historyBefore.map((m) => m.id))

    await expect(h['accounts:relogin'](account.id, { email: EMAIL, password: PASSWORD })).rejects.toThrow(/Login failed: 邮箱或密码错误/)
    const info = await h['accounts:relogin'](account.id, { email: EMAIL, password: NEW_PASSWORD })
    expect(info).toMatchObject({ id: account.id, status: { state: 'online' } })
    tokensSeen.add(testBox.decrypt(storedSecret()))
    expect(tokensSeen.size).toBe(2)
    expect((await h['yunhu:store'](account.id)).length).toBeGreaterThan(0)
    const again = await yhSend(account.id, ECHO_BOT, { contentType: 'text', text: 'back again' })
    expect(again.status).toBe('sent')
    await waitFor(() => messages().find((m) => m.replyTo === again.id && !m.self), 6000, 'a reply after relogin')
    const historyAfter = await h['history:list'](account.id, DEMO_GROUP, undefined, 100)
    expect(historyAfter.map((m) => m.id)).toEqual(expect.arrayContaining(historyBefore.map((m) => m.id)))
  })

  it('a restarted core resumes the stored account; the token never reaches the logs', async () => {
    await core.stop()
    core = makeCore()
    h = createHandlers(core)
    await core.start()
    expect(core.yunhu.cachedContacts(account.id).length).toBeGreaterThan(0)
    await waitFor(() => core.accounts.list().find((a) => a.id === account.id && a.status.state === 'online'), 6000, 'online after restart')
    expect(core.history.list(account.id, ECHO_BOT, undefined, 500).length).toBe(0) // a new MemoryHistory: the server pages it back
    expect((await h['history:list'](account.id, ECHO_BOT, undefined, 5)).length).toBe(5)

    expect(logger.entries.length).toBeGreaterThan(0)
    const logs = JSON.stringify(logger.entries)
    for (const t of tokensSeen) expect(logs).not.toContain(t)
    expect(logs).not.toContain(PASSWORD)
    expect(logs).not.toContain(NEW_PASSWORD)

    await h['accounts:remove'](account.id)
    expect(await h['accounts:list']()).toEqual([])
    expect(store.get('yunhu-accounts')).toEqual([])
  })
})
