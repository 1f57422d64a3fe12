/**
 * The Yunhu HTTP API under `/v1/` (and the bot open API under `/open-apis/v1/bot/`).
 *
 * Wire rules (docs/protocol/yunhu-seed.txt, docs/protocol/yunhu.md):
 * - account token in the `token` header; without a valid one: JSON `{"code":-101,"msg":"未登录"}`,
 *   protobuf endpoints a body with `Status.code = -101` (Status is field 1 of every response);
 * - success: JSON `{code:1, data?, msg:"success"}`, protobuf `status {request_id, code:1, msg:"success"}`;
 * - bad input: code -1 with a msg in words (HTTP 200); a body over the limit: HTTP 413 with the same;
 * - an unknown path or the wrong HTTP method: plain-text `404 page not found`.
 */
import { createHash, randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { decodeYunhuBody, encodeYunhuBody } from '../../src/core/protocols/yunhu/codec/yunhu'
import type { YunhuBodyName, YunhuBodyTypes, YunhuBotBoardMessage, YunhuBotData, YunhuConversation, YunhuMsgContent } from '../../src/shared/yunhu'
import { HttpError, readBody, requestUrl } from '../http'
import type { createBots } from './bot'
import { botChat, ChatError, groupChat, userChat, type Chat, type ChatService } from './chat'
import { createGroups } from './groups'
import { OFFICIAL_ID } from './seed'
import { verifyPassword, type YunhuStore } from './store'
import type { BotRec, GroupRec, MsgRec, SettingItem, UserRec } from './types'
import { NO_DATA, type SocialJsonRoute, type SocialProtoRoute } from './social'

export const MAX_JSON_BODY = 256 * 1024
export const MAX_PROTO_BODY = 256 * 1024
const MAX_TEXT_CHARS = 20_000
const MAX_BOTS_PER_USER = 50
const SETTING_ITEM_TYPES: ReadonlySet<string> = new Set(['radio', 'input', 'switch', 'checkbox', 'textarea', 'select'])
/** Message content types a client may send. */
const SENDABLE_TYPES: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 7, 8, 10, 11])
const TEXT_TYPES: ReadonlySet<number> = new Set([1, 3, 8])

/** A failure answered with `code` (default -1) and `msg`. */
export class ApiError extends Error {
  constructor(
    msg: string,
    readonly code = -1
  ) {
    super(msg)
  }
}

export type Json = Record<string, unknown>

export interface JsonRoute {
  kind: 'json'
  method: 'GET' | 'POST'
  auth: boolean
  handle: (user: UserRec, body: Json) => unknown | Promise<unknown>
}

export interface ProtoRoute<Req extends YunhuBodyName = YunhuBodyName, Res extends YunhuBodyName = YunhuBodyName> {
  kind: 'proto'
  method: 'GET' | 'POST'
  request?: Req
  response: Res
  handle: (user: UserRec, body: YunhuBodyTypes[Req]) => Omit<YunhuBodyTypes[Res], 'status'>
}

export type Route = JsonRoute | ProtoRoute<any, any>

/** A JSON route's answer without data: `{code:1, msg:"success"}`. */
export { NO_DATA }

export interface ApiOptions {
  store: YunhuStore
  chats: ChatService
  bots: ReturnType<typeof createBots>
  publicUrl: () => string
  later: (ms: number, fn: () => void) => void
  log: (line: string) => void
  /** More routes (server/yunhu/social.ts: conversations and people). */
  extraRoutes?: Record<string, SocialJsonRoute | SocialProtoRoute>
}

// ---------------------------------------------------------------------------------- input helpers

export function str(body: Json, key: string, opts: { required?: boolean; max?: number } = {}): string {
  const v = body[key]
  if (v === undefined || v === null || v === '') {
    if (opts.required ?? true) throw new ApiError(`参数错误: ${key} 不能为空`)
    return ''
  }
  const s = typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined
  if (s === undefined) throw new ApiError(`参数错误: ${key} 必须是字符串`)
  if (s.length > (opts.max ?? 200)) throw new ApiError(`参数错误: ${key} 太长`)
  return s
}

function flag(body: Json, key: string, fallback: 0 | 1): 0 | 1 {
  const v = body[key]
  if (v === undefined || v === null) return fallback
  if (v === 0 || v === 1 || v === '0' || v === '1' || typeof v === 'boolean') return Number(v) as 0 | 1
  throw new ApiError(`参数错误: ${key} 只能是 0 或 1`)
}

function httpUrl(s: string, key: string): string {
  if (s === '') return s
  let u: URL
  try {
    u = new URL(s)
  } catch {
    throw new ApiError(`参数错误: ${key} 不是合法的链接`)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ApiError(`参数错误: ${key} 必须是 http(s) 链接`)
  return s
}

/** Parses and checks a settings form (`settingJson`): "" means none. */
export function parseSettingForm(text: unknown, key = 'settingJson'): SettingItem[] {
  if (typeof text !== 'string') throw new ApiError(`参数错误: ${key} 必须是 JSON 字符串`)
  if (text.trim() === '') return []
  if (text.length > 64 * 1024) throw new ApiError(`参数错误: ${key} 太长`)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new ApiError(`${key} 不是合法的 JSON`)
  }
  if (!Array.isArray(parsed)) throw new ApiError(`${key} 必须是数组`)
  if (parsed.length > 50) throw new ApiError(`${key} 最多 50 项`)
  const ids = new Set<string>()
  parsed.forEach((item: unknown, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new ApiError(`${key} 第 ${i + 1} 项不是对象`)
    const it = item as Json
    if (typeof it.id !== 'string' || it.id === '') throw new ApiError(`${key} 第 ${i + 1} 项缺少 id`)
    if (ids.has(it.id)) throw new ApiError(`${key} 第 ${i + 1} 项的 id 重复: ${it.id}`)
    ids.add(it.id)
    if (typeof it.type !== 'string' || !SETTING_ITEM_TYPES.has(it.type)) {
      throw new ApiError(`${key} 第 ${i + 1} 项的 type 不支持: ${String(it.type).slice(0, 40)} (可用: ${[...SETTING_ITEM_TYPES].join(', ')})`)
    }
    if (it.title !== undefined && typeof it.title !== 'string') throw new ApiError(`${key} 第 ${i + 1} 项的 title 必须是字符串`)
    if (it.props !== undefined && !Array.isArray(it.props)) throw new ApiError(`${key} 第 ${i + 1} 项的 props 必须是数组`)
    if (it.propsValue !== undefined && (typeof it.propsValue !== 'object' || it.propsValue === null || Array.isArray(it.propsValue))) {
      throw new ApiError(`${key} 第 ${i + 1} 项的 propsValue 必须是对象`)
    }
  })
  return parsed as SettingItem[]
}

/** Checks the content of a message to send or an edit; returns a clean copy. */
function checkContent(contentType: number | undefined, content: YunhuMsgContent | undefined): YunhuMsgContent {
  if (contentType === undefined || !SENDABLE_TYPES.has(contentType)) throw new ApiError(`content_type 不合法: ${contentType ?? 0}`)
  const c: YunhuMsgContent = { ...(content ?? {}) }
  if ((c.text ?? '').length > MAX_TEXT_CHARS) throw new ApiError('消息太长')
  const need = (ok: boolean, what: string): void => {
    if (!ok) throw new ApiError(`消息内容不能为空: 缺少 ${what}`)
  }
  if (TEXT_TYPES.has(contentType)) need(!!c.text && c.text.trim() !== '', 'content.text')
  else if (contentType === 2) need(!!(c.image_url || c.image), 'content.image_url')
  else if (contentType === 4) need(!!c.file_url, 'content.file_url')
  else if (contentType === 5) need(!!c.form, 'content.form')
  else if (contentType === 7) need(!!c.image, 'content.image')
  else if (contentType === 10) need(!!c.video_url, 'content.video_url')
  else if (contentType === 11) need(!!c.audio_url, 'content.audio_url')
  if (c.buttons !== undefined) {
    try {
      if (!Array.isArray(JSON.parse(c.buttons))) throw new Error('not an array')
    } catch {
      throw new ApiError('content.buttons 必须是 JSON 数组')
    }
  }
  return c
}

// ---------------------------------------------------------------------------------- responses

function plain404(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': 18, 'access-control-allow-origin': '*' })
  res.end('404 page not found')
}

function writeJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', 'access-control-allow-origin': '*' })
  res.end(text)
}

function writeProto(res: ServerResponse, status: number, bytes: Uint8Array): void {
  if (res.headersSent) return
  res.writeHead(status, { 'content-type': 'application/x-protobuf', 'content-length': bytes.length, 'cache-control': 'no-store', 'access-control-allow-origin': '*' })
  res.end(bytes)
}

// ---------------------------------------------------------------------------------- the API

export function createYunhuApi(opts: ApiOptions) {
  const { store, chats, bots, later, log } = opts
  let requestId = 114514

  const ownBot = (user: UserRec, botId: string): BotRec => {
    const b = store.bot(botId)
    if (!b) throw new ApiError('机器人不存在')
    if (b.createBy !== user.id) throw new ApiError('你不是该机器人的创建者')
    return b
  }

  const visibleBot = (user: UserRec, botId: string): BotRec => {
    const b = store.bot(botId)
    if (!b || (b.private === 1 && b.createBy !== user.id && !b.followers.includes(user.id))) throw new ApiError('机器人不存在')
    return b
  }

  const adminGroup = (user: UserRec, groupId: string): GroupRec => {
    const g = store.group(groupId)
    if (!g) throw new ApiError('群聊不存在')
    if (!g.admins.includes(user.id)) throw new ApiError('你不是该群的群主或管理员')
    return g
  }

  const resolveChat = (user: UserRec, chatId: unknown, chatType: unknown): Chat => {
    try {
      return chats.resolve(user, chatId, chatType)
    } catch (err) {
      if (err instanceof ChatError) throw new ApiError(err.message)
      throw err
    }
  }

  const botJson = (b: BotRec, i: number): Json => ({
    id: i + 1,
    botId: b.botId,
    nickname: b.nickname,
    nicknameId: b.nicknameId,
    avatarId: b.avatarId,
    avatarUrl: b.avatarUrl,
    type: 0,
    introduction: b.introduction,
    createBy: b.createBy,
    createTime: b.createTime,
    headcount: store.headcount(b),
    private: b.private,
    isStop: b.isStop,
    settingJson: b.settingJson,
    del_flag: 0,
    alwaysAgree: b.alwaysAgree,
    banId: 0,
    uri: `${opts.publicUrl()}/open-apis/v1/bot/send?token=`
  })

  const botData = (b: BotRec, user: UserRec): YunhuBotData => {
    const conv = store.conversation(user.id, b.botId, 3)
    return {
      bot_id: b.botId,
      name: b.nickname,
      name_id: String(b.nicknameId),
      avatar_url: b.avatarUrl,
      avatar_id: String(b.avatarId),
      introduction: b.introduction,
      create_by: b.createBy,
      create_time: String(b.createTime),
      headcount: String(store.headcount(b)),
      private: b.private === 1,
      is_stop: b.isStop === 1,
      always_agree: b.alwaysAgree === 1,
      do_not_disturb: conv?.doNotDisturb === true,
      top: conv?.top === true,
      group_limit: b.groupLimit === 1
    }
  }

  const markRead = (user: UserRec, chat: Chat, seq: number): void => {
    const v = chats.view(chat, user.id)
    const conv = store.conversation(user.id, v.chatId, v.chatType)
    if (conv && conv.readSeq < seq) {
      conv.readSeq = seq
      store.changed()
    }
  }

  const pick = (user: UserRec, list: MsgRec[]): YunhuBodyTypes['ListMsgResponse'] => ({
    data: list.map((m) => chats.msgData(m, user.id)),
    total: list.length
  })

  // ------------------------------------------------------------------------------ routes

  const json = (handle: JsonRoute['handle'], auth = true, method: 'GET' | 'POST' = 'POST'): JsonRoute => ({ kind: 'json', method, auth, handle })
  const proto = <Req extends YunhuBodyName, Res extends YunhuBodyName>(
    request: Req | undefined,
    response: Res,
    handle: ProtoRoute<Req, Res>['handle'],
    method: 'GET' | 'POST' = 'POST'
  ): ProtoRoute<Req, Res> => ({ kind: 'proto', method, request, response, handle })

  const groups = createGroups({ store, chats, botData, json: (h) => json(h), proto: (req, res, h) => proto(req, res, h), resolveChat, later })

  const routes: Record<string, Route> = {
    // ---- groups and bot commands: groups.ts
    ...groups.routes,
    // ---- account
    '/v1/user/email-login': json(async (_u, body) => {
      const email = str(body, 'email')
      const password = str(body, 'password', { max: 1000 })
      const user = store.userByEmail(email)
      if (!user || !(await verifyPassword(password, user.passwordHash))) throw new ApiError('邮箱或密码错误')
      return { token: store.issueToken(user) }
    }, false),
    '/v1/user/info': proto(undefined, 'UserInfo', (user) => ({ data: { id: user.id, name: user.name, avatar_url: user.avatarUrl } }), 'GET'),

    // ---- conversations and messages
    '/v1/conversation/list': proto('ConversationListRequest', 'ConversationListResponse', (user, body) => {
      const list = conversationList(user)
      const md5 = createHash('md5').update(JSON.stringify(list)).digest('hex')
      if (body.md5 && body.md5 === md5) return { data: [], total: 0, md5 }
      return { data: list, total: list.length, md5 }
    }),
    '/v1/msg/send-message': proto('SendMsgRequest', 'StatusResponse', (user, body) => {
      const msgId = body.msg_id ?? ''
      if (msgId === '' || msgId.length > 64) throw new ApiError('msg_id 不合法')
      const chat = resolveChat(user, body.chat_id, body.chat_type)
      // Idempotent on (user, chat, msg_id): a resend is answered like the first send (success) and
      // stores, pushes and triggers nothing, whatever its body and whatever changed since (e.g. the
      // bot was stopped). Also after a restart, and after the message left the stored history.
      const stored = chats.find(chat, msgId)
      if (stored ? stored.senderType === 1 && stored.senderId === user.id : store.wasSent(user.id, chat.key, msgId)) return {}
      if (stored) throw new ApiError('msg_id 已被该会话中的另一条消息使用')
      if (chat.kind === 'bot' && store.bot(chat.botId)?.isStop) throw new ApiError('该机器人已停用')
      groups.checkCanPost(chat, user.id)
      const isCommand = !!body.command_id && body.command_id !== '0'
      const content = isCommand ? groups.commandContent(chat, body.command_id as string, body.content_type, body.content) : checkContent(body.content_type, body.content)
      const quote = body.quote_msg_id && chats.find(chat, body.quote_msg_id) ? body.quote_msg_id : undefined
      const m = chats.post(chat, { senderId: user.id, senderType: 1, contentType: body.content_type as number, content, msgId, quoteMsgId: quote, commandId: body.command_id })
      store.recordSent(user.id, chat.key, msgId)
      if (chat.kind !== 'user') later(0, () => groups.onCommand(chat, m) || bots.onUserMessage(chat, m, user.id))
      return {}
    }),
    '/v1/msg/edit-message': proto('SendMsgRequest', 'StatusResponse', (user, body) => {
      const chat = resolveChat(user, body.chat_id, body.chat_type)
      const m = chats.find(chat, body.msg_id ?? '')
      if (!m) throw new ApiError('消息不存在')
      if (m.senderType !== 1 || m.senderId !== user.id) throw new ApiError('只能编辑自己发送的消息')
      if (m.recallTimeMs) throw new ApiError('消息已撤回')
      const content = checkContent(body.content_type, body.content)
      const type = body.content_type as number
      if (type !== m.contentType && !(TEXT_TYPES.has(type) && TEXT_TYPES.has(m.contentType))) throw new ApiError('不能修改消息的类型')
      const quote = body.quote_msg_id && chats.find(chat, body.quote_msg_id) ? body.quote_msg_id : undefined
      chats.edit(chat, m, { contentType: type, content, quoteMsgId: quote })
      return {}
    }),
    '/v1/msg/list-message': proto('ListMsgRequest', 'ListMsgResponse', (user, body) => {
      const chat = resolveChat(user, body.chat_id, body.chat_type)
      const all = chats.messages(chat)
      const count = Math.min(Math.max(body.msg_count || 20, 1), 100)
      let end = all.length
      if (body.msg_id) {
        end = all.findIndex((m) => m.msgId === body.msg_id)
        if (end < 0) throw new ApiError('消息不存在')
      } else markRead(user, chat, chats.lastSeq(chat))
      return pick(user, all.slice(Math.max(0, end - count), end))
    }),
    '/v1/msg/list-message-by-seq': proto('ListMsgBySeqRequest', 'ListMsgResponse', (user, body) => {
      const chat = resolveChat(user, body.chat_id, body.chat_type)
      const all = chats.messages(chat)
      const start = Number(body.msg_start ?? '0')
      let list = all.filter((m) => m.seq > start)
      if (list.length > 30) list = list.slice(-30)
      markRead(user, chat, chats.lastSeq(chat))
      return pick(user, list)
    }),
    '/v1/msg/list-message-by-mid-seq': proto('ListMsgByMidSeqRequest', 'ListMsgResponse', (user, body) => {
      const chat = resolveChat(user, body.chat_id, body.chat_type)
      const all = chats.messages(chat)
      const count = Math.min(Math.max(body.msg_count || 20, 1), 100)
      let i = body.msg_id ? all.findIndex((m) => m.msgId === body.msg_id) : all.findIndex((m) => String(m.seq) === (body.msg_seq ?? ''))
      if (i < 0 && !body.msg_id && !body.msg_seq) i = all.length - 1
      if (i < 0) throw new ApiError('消息不存在')
      return pick(user, all.slice(Math.max(0, i - count), i + 1))
    }),
    '/v1/msg/recall-msg': proto('RecallMsg', 'StatusResponse', (user, body) => recall(user, body)),
    '/v1/msg/recall-msg-batch': proto('RecallMsg', 'StatusResponse', (user, body) => recall(user, body)),
    '/v1/msg/button-report': proto('ButtonReportRequest', 'StatusResponse', (user, body) => {
      const chat = resolveChat(user, body.chat_id, body.chat_type)
      const m = chats.find(chat, body.msg_id ?? '')
      if (!m) throw new ApiError('消息不存在')
      if (!m.content.buttons) throw new ApiError('该消息没有按钮')
      if (body.user_id && body.user_id !== user.id) throw new ApiError('user_id 与登录用户不一致')
      const value = body.button_value ?? ''
      if (value === '' || value.length > 1000) throw new ApiError('button_value 不合法')
      later(0, () => bots.onButton(chat, m, user.id, value))
      return {}
    }),

    // ---- bots (the seed)
    '/v1/bot/banner': json(() => ({ banners: [...store.data.banners].sort((a, b) => a.sort - b.sort) })),
    '/v1/bot/new-list': json(() => ({
      bots: store.data.bots
        .filter((b) => b.private === 0 && b.isStop === 0)
        .map((b) => ({
          chatId: b.botId,
          chatType: '3',
          headcount: String(store.headcount(b)),
          nickname: b.nickname,
          introduction: b.introduction,
          instructions: '',
          avatarUrl: b.avatarUrl
        }))
    })),
    '/v1/bot/bot-detail': json((user, body) => {
      const b = visibleBot(user, str(body, 'id'))
      const groups = store.groupsWithBot(b.botId).map((g, i) => ({
        id: i + 1,
        groupId: g.groupId,
        name: g.name,
        introduction: g.introduction,
        createBy: g.createBy,
        createTime: g.createTime,
        avatarId: g.avatarId,
        del_flag: 0,
        avatarUrl: g.avatarUrl,
        headcount: g.members.length,
        readHistory: 1,
        alwaysAgree: 0,
        categoryId: g.categoryId,
        category: g.category,
        private: g.private,
        banId: 0,
        gag: 0,
        gagBy: '',
        msgTypeLimit: ''
      }))
      return { bot: botJson(b, store.data.bots.indexOf(b)), groups }
    }),
    '/v1/bot/bot-group-list': json((user) => {
      const mine = store.data.bots.filter((b) => b.createBy === user.id)
      return {
        botsTotal: mine.length,
        list: { bots: mine.map((b, i) => ({ ...botJson(b, i), token: b.token, link: b.link, groupLimit: b.groupLimit, linkStop: b.linkStop })) }
      }
    }),
    '/v1/bot/edit-setting-json': json((user, body) => {
      const b = ownBot(user, str(body, 'id'))
      parseSettingForm(body.settingJson)
      b.settingJson = body.settingJson as string
      store.changed()
      return NO_DATA
    }),
    '/v1/bot/web-edit-bot': json((user, body) => {
      const b = ownBot(user, str(body, 'botId'))
      const nickname = str(body, 'nickname', { max: 200 }).trim()
      if (nickname === '' || [...nickname].length > 20) throw new ApiError('机器人名称需为 1-20 个字符')
      const introduction = str(body, 'introduction', { required: false, max: 1000 })
      const avatarUrl = httpUrl(str(body, 'avatarUrl', { required: false, max: 1000 }), 'avatarUrl')
      const priv = flag(body, 'private', b.private)
      b.nickname = nickname
      if (body.introduction !== undefined) b.introduction = introduction
      if (avatarUrl) b.avatarUrl = avatarUrl
      b.private = priv
      store.changed()
      return NO_DATA
    }),
    '/v1/bot/bot-info': proto('BotInfoRequest', 'BotInfoResponse', (user, body) => {
      if (!body.id) throw new ApiError('参数错误: id 不能为空')
      return { data: botData(visibleBot(user, body.id), user) }
    }),
    '/v1/bot/board': proto('BoardRequest', 'BoardResponse', (user, body) => {
      const id = body.id ?? ''
      if (id === '') throw new ApiError('参数错误: id 不能为空')
      let found: typeof store.data.boards
      if (body.chat_type === 2) {
        const g = store.group(id)
        if (!g) throw new ApiError('群聊不存在')
        if (!g.members.includes(user.id)) throw new ApiError('你不在该群聊中')
        found = store.data.boards.filter((b) => b.chatType === 2 && b.chatId === id)
      } else if (body.chat_type === 3) {
        visibleBot(user, id)
        found = store.data.boards.filter((b) => b.chatType === 1 && b.botId === id && b.chatId === user.id)
      } else throw new ApiError('chat_type 不合法 (2 群聊, 3 机器人)')
      const board = found.sort((a, b) => b.lastUpdateTime - a.lastUpdateTime)[0]
      if (!board) return {}
      const data: YunhuBotBoardMessage = {
        bot_id: board.botId,
        chat_id: id,
        chat_type: body.chat_type,
        content: board.content,
        content_type: board.contentType,
        last_update_time: String(board.lastUpdateTime),
        bot_name: store.bot(board.botId)?.nickname ?? ''
      }
      return { data }
    }),
    '/v1/bot/remove-follower': json((user, body) => {
      const b = ownBot(user, str(body, 'botId'))
      const userId = str(body, 'userId')
      const i = b.followers.indexOf(userId)
      if (i < 0) throw new ApiError('该用户没有添加这个机器人')
      b.followers.splice(i, 1)
      store.removeConversation(userId, b.botId, 3)
      store.changed()
      return NO_DATA
    }),
    '/v1/bot/remove-group': json((user, body) => {
      const b = ownBot(user, str(body, 'botId'))
      const g = store.group(str(body, 'groupId'))
      if (!g) throw new ApiError('群聊不存在')
      const i = g.bots.indexOf(b.botId)
      if (i < 0) throw new ApiError('该群聊没有添加这个机器人')
      g.bots.splice(i, 1)
      store.changed()
      return NO_DATA
    }),
    '/v1/bot/llm/llm-setting-list': json(() => ({ list: store.data.llmModels })),
    '/v1/bot/llm/llm-setting-ref-info': json((user, body) => ({ ...ownBot(user, str(body, 'botId')).llm })),
    '/v1/bot/reset-bot-token': json((user, body) => {
      const b = ownBot(user, str(body, 'botId'))
      b.token = randomUUID().replace(/-/g, '')
      store.changed()
      return { token: b.token }
    }),
    '/v1/bot/create-bot': proto('CreateBotRequest', 'CreateBotResponse', (user, body) => {
      const name = (body.name ?? '').trim()
      if (name === '' || [...name].length > 20) throw new ApiError('机器人名称需为 1-20 个字符')
      if ((body.introduction ?? '').length > 1000) throw new ApiError('机器人简介太长')
      const avatarUrl = httpUrl(body.avatar_url ?? '', 'avatar_url')
      if (store.data.bots.filter((b) => b.createBy === user.id).length >= MAX_BOTS_PER_USER) throw new ApiError('创建的机器人数量已达上限')
      const id = store.nextId()
      const b: BotRec = {
        botId: id,
        nickname: name,
        nicknameId: Number(id) + 1,
        avatarId: Number(id) + 2,
        avatarUrl: avatarUrl || `https://chat-img.jwznb.com/miodesk-demo/bot-default.png`,
        introduction: body.introduction ?? '',
        createBy: user.id,
        createTime: Math.floor(Date.now() / 1000),
        private: body.private ? 1 : 0,
        isStop: 0,
        alwaysAgree: 1,
        groupLimit: 0,
        token: randomUUID().replace(/-/g, ''),
        link: '',
        linkStop: 0,
        settingJson: '',
        followers: [user.id],
        llm: { historyCount: 0, id: 0, isBigModel: 0, isNeedReply: 0, key: '', llmBaseUrl: '', llmId: 0, llmModelName: '', llmName: '', mcpJson: '', paramJson: '', prompt: '' },
        headcountBonus: 0
      }
      store.data.bots.push(b)
      store.ensureConversation(user.id, id, 3)
      store.changed()
      return { data: botData(b, user) }
    }),
    '/v1/bot/edit-subscribed-link': json((user, body) => {
      const b = ownBot(user, str(body, 'botId'))
      b.link = httpUrl(str(body, 'link', { required: false, max: 1000 }), 'link')
      store.changed()
      return NO_DATA
    }),
    '/v1/bot/get-user-settings-json': json((user, body) => {
      const botId = str(body, 'botId')
      const g = adminGroup(user, str(body, 'chatId'))
      const b = store.bot(botId)
      if (!b || !g.bots.includes(botId)) throw new ApiError('该群聊没有添加这个机器人')
      const saved = store.data.groupSettings[`${botId}:${g.groupId}`]
      return { settingsJson: parseSettingForm(saved ?? b.settingJson) }
    }),
    '/v1/bot/send-setting-json': json((user, body) => {
      const botId = str(body, 'id')
      const g = adminGroup(user, str(body, 'groupId'))
      if (!store.bot(botId) || !g.bots.includes(botId)) throw new ApiError('该群聊没有添加这个机器人')
      const form = parseSettingForm(body.settingJson)
      const key = `${botId}:${g.groupId}`
      if (form.length === 0) delete store.data.groupSettings[key]
      else store.data.groupSettings[key] = body.settingJson as string
      store.changed()
      return NO_DATA
    }),
    ...opts.extraRoutes
  }

  function recall(user: UserRec, body: YunhuBodyTypes['RecallMsg']): Record<string, never> {
    const chat = resolveChat(user, body.chat_id, body.chat_type)
    const ids = body.msg_id ?? []
    if (ids.length === 0 || ids.length > 100) throw new ApiError('msg_id 不合法')
    const isAdmin = chat.kind === 'group' && (store.group(chat.groupId)?.admins.includes(user.id) ?? false)
    const found = ids.map((id) => {
      const m = chats.find(chat, id)
      if (!m) throw new ApiError(`消息不存在: ${id.slice(0, 64)}`)
      if (!(m.senderType === 1 && m.senderId === user.id) && !isAdmin) throw new ApiError('只能撤回自己发送的消息')
      return m
    })
    for (const m of found) if (!m.recallTimeMs) chats.recall(chat, m)
    return {}
  }

  function conversationList(user: UserRec): YunhuConversation[] {
    const out: Array<YunhuConversation & { top: boolean; ts: number }> = []
    for (const conv of store.conversations(user.id)) {
      let chat: Chat
      let name: string
      let avatar: string
      let certification = 0
      if (conv.chatType === 2) {
        const g = store.group(conv.chatId)
        if (!g || !g.members.includes(user.id)) continue
        chat = groupChat(g.groupId)
        name = g.name
        avatar = g.avatarUrl
      } else if (conv.chatType === 3) {
        const b = store.bot(conv.chatId)
        if (!b) continue
        chat = botChat(b.botId, user.id)
        name = b.nickname
        avatar = b.avatarUrl
        if (b.createBy === OFFICIAL_ID) certification = 1
      } else {
        const other = store.user(conv.chatId)
        if (!other) continue
        chat = userChat(user.id, other.id)
        name = other.name
        avatar = other.avatarUrl
      }
      const msgs = store.data.messages[chat.key] ?? []
      const last = msgs[msgs.length - 1]
      const unread = msgs.filter((m) => m.seq > conv.readSeq && m.senderId !== user.id && !m.recallTimeMs)
      const c: YunhuConversation & { top: boolean; ts: number } = {
        chat_id: conv.chatId,
        chat_type: conv.chatType,
        remark: name,
        chat_content: chats.preview(last),
        timestamp_ms: String(last?.sendTimeMs ?? 0),
        unread_msg: unread.length,
        at: unread.some((m) => m.content.mentioned_id?.includes(user.id) ?? false),
        avatar_url: avatar,
        do_not_disturb: conv.doNotDisturb === true,
        send_timestamp: String(Math.floor((last?.sendTimeMs ?? 0) / 1000)),
        name,
        top: conv.top === true,
        ts: last?.sendTimeMs ?? 0
      }
      if (certification) c.certification_level = certification
      out.push(c)
    }
    out.sort((a, b) => Number(b.top) - Number(a.top) || b.ts - a.ts)
    return out.map(({ top: _top, ts: _ts, ...c }) => c)
  }

  // ------------------------------------------------------------------------------ dispatch

  function protoError(res: ServerResponse, status: number, code: number, msg: string): void {
    writeProto(res, status, encodeYunhuBody('StatusResponse', { status: { request_id: String(requestId++), code, msg } }))
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const path = requestUrl(req).pathname
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined
    if (!route || req.method !== route.method) {
      req.resume()
      plain404(res)
      return true
    }
    const token = req.headers.token
    const user = route.kind === 'json' && !route.auth ? undefined : store.userByToken(typeof token === 'string' ? token : undefined)
    const fail = (status: number, code: number, msg: string): void => {
      if (route.kind === 'json') writeJson(res, status, { code, msg })
      else protoError(res, status, code, msg)
    }
    if (!user && !(route.kind === 'json' && !route.auth)) {
      req.resume()
      fail(200, -101, '未登录')
      return true
    }
    let body: Buffer
    try {
      body = req.method === 'GET' ? Buffer.alloc(0) : await readBody(req, route.kind === 'json' ? MAX_JSON_BODY : MAX_PROTO_BODY)
    } catch (err) {
      if (err instanceof HttpError && err.status === 413) {
        res.setHeader('connection', 'close')
        fail(413, -1, '请求体太大')
        return true
      }
      throw err
    }
    try {
      if (route.kind === 'json') {
        let parsed: unknown = {}
        if (body.length > 0) {
          try {
            parsed = JSON.parse(body.toString('utf8'))
          } catch {
            throw new ApiError('请求体不是合法的 JSON')
          }
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ApiError('请求体必须是 JSON 对象')
        const data = await route.handle(user as UserRec, parsed as Json)
        writeJson(res, 200, data === NO_DATA ? { code: 1, msg: 'success' } : { code: 1, data, msg: 'success' })
      } else {
        let decoded: unknown = {}
        if (route.request) {
          try {
            decoded = decodeYunhuBody(route.request, body)
          } catch (err) {
            throw new ApiError(`请求体不是合法的 protobuf: ${err instanceof Error ? err.message : String(err)}`)
          }
        }
        const out = route.handle(user as UserRec, decoded as never) as Json
        writeProto(res, 200, encodeYunhuBody(route.response, { status: { request_id: String(requestId++), code: 1, msg: 'success' }, ...out } as never))
      }
    } catch (err) {
      if (err instanceof ApiError) {
        fail(200, err.code, err.message)
      } else {
        log(`yunhu ${path} failed: ${err instanceof Error ? err.stack : String(err)}`)
        fail(500, -1, '服务器内部错误')
      }
    }
    return true
  }

  return { handle, routes }
}
