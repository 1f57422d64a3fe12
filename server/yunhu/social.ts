/**
 * The reference server's conversations and people (docs/protocol/yunhu-client-facts.md §2.7, §4, §7,
 * §8, §9): mark read, remove, pin, mute, the address book, friend requests and their answers,
 * profiles, forwarding and the history search. Friends, requests and profile extras live in
 * `data.social` (absent in older files: friends are then read from the user chats on the list).
 *
 * Test hooks (`hooks`): a seeded user sends you a friend request or writes to you, which pushes
 * invite_apply / push_message like the real server would.
 */
import { createHash, randomUUID } from 'node:crypto'
import { encodeWsFrame } from '../../src/core/protocols/yunhu/codec/yunhu'
import type { YunhuBodyName, YunhuBodyTypes, YunhuFriendRequest } from '../../src/shared/yunhu'
import { botChat, ChatError, groupChat, userChat, type Chat, type ChatService } from './chat'
import { FRIEND_ID } from './seed'
import type { YunhuStore } from './store'
import type { ConvRec, MsgRec, UserRec } from './types'

type Json = Record<string, unknown>

/** What api.ts needs of a route (the same shapes as its own). */
export interface SocialJsonRoute {
  kind: 'json'
  method: 'POST'
  auth: true
  handle: (user: UserRec, body: Json) => unknown
}
export interface SocialProtoRoute {
  kind: 'proto'
  method: 'POST'
  request?: YunhuBodyName
  response: YunhuBodyName
  handle: (user: UserRec, body: never) => Json
}

/** A failure answered with `code` and `msg` (api.ts's ApiError is passed in to avoid a cycle). */
export type MakeError = (msg: string, code?: number) => Error

export interface SocialRequestRec {
  id: number
  /** 1 a friend request, 2 an invitation into a group. */
  targetType: 1 | 2
  fromId: string
  toId: string
  /** The group, for an invitation. */
  groupId?: string
  note: string
  atSec: number
  /** 0 pending, 1 accepted, 2 declined. */
  result: 0 | 1 | 2
  processedAtSec?: number
}

export interface SocialData {
  /** user id → friends' ids. */
  friends: Record<string, string[]>
  requests: SocialRequestRec[]
  nextRequestId: number
  /** user id → profile extras. */
  profiles: Record<string, { introduction?: string; medals?: string[]; registerTime?: string }>
}

const MAX_WORD = 100

function str(body: Json, key: string, err: MakeError, max = 200): string {
  const v = body[key]
  const s = typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : ''
  if (s === '') throw err(`参数错误: ${key} 不能为空`)
  if (s.length > max) throw err(`参数错误: ${key} 太长`)
  return s
}

function chatTypeOf(v: unknown, err: MakeError): 1 | 2 | 3 {
  const n = Number(v)
  if (n === 1 || n === 2 || n === 3) return n
  throw err('参数错误: chatType 只能是 1, 2 或 3')
}

export function createSocial(opts: { store: YunhuStore; chats: ChatService; deliver: (userId: string, frame: Uint8Array) => void; error: MakeError }) {
  const { store, chats, deliver, error } = opts

  function social(): SocialData {
    const d = store.data as typeof store.data & { social?: SocialData }
    if (!d.social) {
      // Friends of an older file: the people you have a user chat with.
      const friends: Record<string, string[]> = {}
      for (const [uid, convs] of Object.entries(store.data.conversations)) {
        for (const c of convs) {
          if (c.chatType !== 1) continue
          if (!(friends[uid] ??= []).includes(c.chatId)) friends[uid].push(c.chatId)
          if (!(friends[c.chatId] ??= []).includes(uid)) friends[c.chatId].push(uid)
        }
      }
      const profiles: SocialData['profiles'] = { [FRIEND_ID]: { introduction: '喜欢火锅和开源, 周末一起测试客户端。', medals: ['内测用户', '活跃之星'], registerTime: '2022-03-14 09:26:53' } }
      d.social = { friends, requests: [], nextRequestId: 90001, profiles }
    }
    return d.social
  }

  const chatOf = (user: UserRec, chatId: string, chatType: number): Chat => (chatType === 2 ? groupChat(chatId) : chatType === 3 ? botChat(chatId, user.id) : userChat(user.id, chatId))

  const resolve = (user: UserRec, chatId: unknown, chatType: unknown): Chat => {
    try {
      return chats.resolve(user, chatId, chatType)
    } catch (e) {
      if (e instanceof ChatError) throw error(e.message)
      throw e
    }
  }

  /** The user's conversation with chatId (the first of any type when chatType is not given). */
  const convOf = (user: UserRec, chatId: string, chatType?: number): ConvRec => {
    const c = store.conversations(user.id).find((x) => x.chatId === chatId && (chatType === undefined || x.chatType === chatType))
    if (!c) throw error('会话不存在')
    return c
  }

  const befriend = (a: string, b: string): void => {
    const f = social().friends
    if (!(f[a] ??= []).includes(b)) f[a].push(b)
    if (!(f[b] ??= []).includes(a)) f[b].push(a)
    store.ensureConversation(a, b, 1)
    store.ensureConversation(b, a, 1)
  }

  const json = (handle: SocialJsonRoute['handle']): SocialJsonRoute => ({ kind: 'json', method: 'POST', auth: true, handle })
  const proto = <Req extends YunhuBodyName, Res extends YunhuBodyName>(request: Req | undefined, response: Res, handle: (user: UserRec, body: YunhuBodyTypes[Req]) => Omit<YunhuBodyTypes[Res], 'status'>): SocialProtoRoute => ({
    kind: 'proto',
    method: 'POST',
    request,
    response,
    handle: handle as unknown as SocialProtoRoute['handle']
  })

  function requestWire(r: SocialRequestRec): YunhuFriendRequest {
    const from = store.user(r.fromId)
    const to = store.user(r.toId)
    const g = r.groupId ? store.group(r.groupId) : undefined
    const w: YunhuFriendRequest = {
      receiver_name: to?.name ?? '',
      receiver_avatar: to?.avatarUrl ?? '',
      name: from?.name ?? r.fromId,
      avatar: from?.avatarUrl ?? '',
      inviter_id: r.fromId,
      source_type: 1,
      target_type: r.targetType,
      target_id: r.groupId ?? r.toId,
      receiver_id: r.toId,
      invite_at: String(r.atSec),
      invite_at_str: new Date(r.atSec * 1000).toISOString().replace('T', ' ').slice(0, 19),
      request_id: r.id
    }
    if (g) {
      w.group_name = g.name
      w.group_avatar = g.avatarUrl
    }
    if (r.note) w.note = r.note
    if (r.result) {
      w.result = r.result
      w.processed_at = String(r.processedAtSec ?? 0)
      w.processor_name = to?.name ?? ''
    }
    return w
  }

  function findMessage(user: UserRec, msgId: string, chatType: number): { chat: Chat; m: MsgRec } {
    for (const c of store.conversations(user.id)) {
      if (c.chatType !== chatType) continue
      const chat = chatOf(user, c.chatId, c.chatType)
      const m = chats.find(chat, msgId)
      if (m) return { chat, m }
    }
    throw error('消息不存在')
  }

  const routes: Record<string, SocialJsonRoute | SocialProtoRoute> = {
    // ---- conversations (§4)
    '/v1/conversation/dismiss-notification': json((user, body) => {
      const c = convOf(user, str(body, 'chatId', error))
      const seq = chats.lastSeq(chatOf(user, c.chatId, c.chatType))
      if (c.readSeq < seq) {
        c.readSeq = seq
        store.changed()
      }
      return NO_DATA
    }),
    '/v1/conversation/remove': json((user, body) => {
      const c = convOf(user, str(body, 'chatId', error))
      store.removeConversation(user.id, c.chatId, c.chatType)
      store.changed()
      return NO_DATA
    }),
    '/v1/sticky/list': json((user) => ({
      sticky: store
        .conversations(user.id)
        .filter((c) => c.top)
        .map((c, i) => {
          const name = c.chatType === 2 ? store.group(c.chatId)?.name : c.chatType === 3 ? store.bot(c.chatId)?.nickname : store.user(c.chatId)?.name
          const avatar = c.chatType === 2 ? store.group(c.chatId)?.avatarUrl : c.chatType === 3 ? store.bot(c.chatId)?.avatarUrl : store.user(c.chatId)?.avatarUrl
          return { id: i + 1, chatType: c.chatType, chatId: c.chatId, chatName: name ?? c.chatId, sort: i, avatarUrl: avatar ?? '', createTime: 0, delFlag: 0, userId: user.id, certificationLevel: 0 }
        })
    })),
    '/v1/sticky/add': json((user, body) => {
      const chatType = chatTypeOf(body.chatType, error)
      const chatId = str(body, 'chatId', error)
      resolve(user, chatId, chatType)
      store.ensureConversation(user.id, chatId, chatType).top = true
      store.changed()
      return NO_DATA
    }),
    '/v1/sticky/delete': json((user, body) => {
      const c = convOf(user, str(body, 'chatId', error), chatTypeOf(body.chatType, error))
      c.top = false
      store.changed()
      return NO_DATA
    }),
    '/v1/friend/no-notify': json((user, body) => {
      const chatId = str(body, 'chatId', error)
      const v = body.noNotify
      if (v !== 0 && v !== 1) throw error('参数错误: noNotify 只能是 0 或 1')
      const c = convOf(user, chatId, body.chatType === undefined ? undefined : chatTypeOf(body.chatType, error))
      c.doNotDisturb = v === 1
      store.changed()
      return NO_DATA
    }),

    // ---- people (§7)
    '/v1/friend/address-book-list': proto('AddressBookListRequest', 'AddressBookListResponse', (user, body) => {
      const convMute = (id: string, t: number): boolean => store.conversation(user.id, id, t)?.doNotDisturb === true
      const users = (social().friends[user.id] ?? []).map((id) => store.user(id)).filter((u): u is UserRec => !!u)
      const groups = store.data.groups.filter((g) => g.members.includes(user.id))
      const bots = store.data.bots.filter((b) => b.followers.includes(user.id))
      const data = [
        { list_name: '用户', chat_type: 1, data: users.map((u) => ({ chat_id: u.id, remark: u.name, avatar_url: u.avatarUrl, no_disturb: convMute(u.id, 1), name: u.name })) },
        {
          list_name: '我加入的群聊',
          chat_type: 2,
          data: groups.map((g) => ({ chat_id: g.groupId, remark: g.name, avatar_url: g.avatarUrl, permisson_level: g.createBy === user.id ? 100 : g.admins.includes(user.id) ? 2 : 0, no_disturb: convMute(g.groupId, 2), name: g.name }))
        },
        { list_name: '机器人', chat_type: 3, data: bots.map((b) => ({ chat_id: b.botId, remark: b.nickname, avatar_url: b.avatarUrl, no_disturb: convMute(b.botId, 3), name: b.nickname })) }
      ]
      const md5 = createHash('md5').update(JSON.stringify(data)).digest('hex')
      if (body.md5 && body.md5 === md5) return { md5 }
      return { data, md5 }
    }),
    '/v1/friend/request-list': proto(undefined, 'RequestListResponse', (user) => {
      const mine = social().requests.filter((r) => r.toId === user.id).sort((a, b) => b.atSec - a.atSec)
      return { requests: mine.map(requestWire), total: mine.length, pending: mine.filter((r) => r.result === 0).length }
    }),
    '/v1/friend/agree-apply': json((user, body) => {
      const id = Number(body.id)
      const agree = Number(body.agree)
      if (![1, 2, 3, 4].includes(agree)) throw error('参数错误: agree 只能是 1, 2, 3 或 4')
      const r = social().requests.find((x) => x.id === id && x.toId === user.id)
      if (!r) throw error('申请不存在')
      if (r.result !== 0) throw error('该申请已处理')
      r.result = agree === 1 ? 1 : 2
      r.processedAtSec = Math.floor(Date.now() / 1000)
      if (agree === 1) {
        if (r.targetType === 1) befriend(r.fromId, r.toId)
        else if (r.groupId) {
          const g = store.group(r.groupId)
          if (!g) throw error('群聊不存在')
          if (!g.members.includes(user.id)) g.members.push(user.id)
          store.ensureConversation(user.id, g.groupId, 2)
        }
      }
      store.changed()
      return NO_DATA
    }),
    '/v1/user/get-user': proto('GetUserRequest', 'GetUserResponse', (user, body) => {
      const u = body.id ? store.user(body.id) : undefined
      if (!u) throw error('该用户不存在', 4402)
      const conv = store.conversation(user.id, u.id, 1)
      const extra = social().profiles[u.id] ?? {}
      return {
        data: {
          id: u.id,
          name: u.name,
          avatar_url: u.avatarUrl,
          medal: (extra.medals ?? []).map((name, i) => ({ id: String(i + 1), name, sort: String(i + 1) })),
          register_time: extra.registerTime ?? '2024-01-01 08:00:00',
          do_not_disturb: conv?.doNotDisturb === true,
          is_vip: u.isVip === true,
          top: conv?.top === true,
          profile_info: extra.introduction ? { introduction: extra.introduction } : undefined
        }
      }
    }),

    // ---- messages (§2.7, §8)
    '/v1/msg/msg-forward': json((user, body) => {
      const msgId = str(body, 'msgId', error, 64)
      const from = findMessage(user, msgId, chatTypeOf(body.chatType, error))
      if (from.m.recallTimeMs) throw error('消息已撤回')
      const receive = body.receive
      if (!Array.isArray(receive) || receive.length === 0 || receive.length > 20) throw error('参数错误: receive 必须是 1 到 20 个会话')
      const targets = receive.map((r) => {
        if (typeof r !== 'object' || r === null) throw error('参数错误: receive 的每一项必须是对象')
        const t = r as Json
        return resolve(user, str(t, 'chatId', error), chatTypeOf(t.chatType, error))
      })
      for (const chat of targets) chats.post(chat, { senderId: user.id, senderType: 1, contentType: from.m.contentType, content: { ...from.m.content } })
      return NO_DATA
    }),
    '/v1/msg/a2ui-form-report': json((user, body) => {
      const chat = resolve(user, str(body, 'chatId', error), chatTypeOf(body.chatType, error))
      const m = chats.find(chat, str(body, 'msgId', error, 64))
      if (!m || m.contentType !== 14) throw error('消息不存在或不是 A2UI 消息')
      const actionName = str(body, 'actionName', error)
      const sourceComponentId = str(body, 'sourceComponentId', error)
      const ctx = body.formContext
      if (ctx !== undefined && (typeof ctx !== 'object' || ctx === null || Array.isArray(ctx))) throw error('参数错误: formContext 必须是对象')
      let interaction: unknown
      try {
        interaction = JSON.parse(str(body, 'interactionJson', error, 20_000))
      } catch {
        throw error('参数错误: interactionJson 不是合法的 JSON')
      }
      const action = (interaction as { action?: { name?: unknown } } | null)?.action
      if (action?.name !== actionName) throw error('参数错误: interactionJson 与 actionName 不一致')
      // The bot that sent the form answers with what it got (a real bot decides for itself).
      if (m.senderType === 3) {
        const values = Object.entries((ctx as Json | undefined) ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(', ')
        chats.post(chat, { senderId: m.senderId, senderType: 3, contentType: 1, content: { text: `已收到表单 ${actionName}: ${values}` } })
      }
      return { msgId: m.msgId, chatId: str(body, 'chatId', error), chatType: Number(body.chatType), actionName, sourceComponentId, formContext: ctx ?? {}, interactionJson: body.interactionJson, timestamp: Date.now(), uid: user.id }
    }),
    '/v1/search/chat-search': json((user, body) => {
      const word = str(body, 'word', error, MAX_WORD).toLowerCase()
      const chat = resolve(user, str(body, 'chatId', error), chatTypeOf(body.chatType, error))
      const size = Math.min(Math.max(Number(body.size) || 30, 1), 100)
      const before = Number(body.time) || Number.MAX_SAFE_INTEGER
      const v = chats.view(chat, user.id)
      const hits = chats
        .messages(chat)
        .filter((m) => !m.recallTimeMs && m.sendTimeMs < before && (m.content.text ?? '').toLowerCase().includes(word))
        .reverse()
        .slice(0, size)
      return {
        list: hits.map((m) => {
          const s = chats.sender(m)
          return { id: m.msgId, sequence: m.seq, chatId: v.chatId, chatType: m.senderType, name: s.name, avatarUrl: s.avatar_url, content: m.content.text ?? '', type: String(m.contentType), time: m.sendTimeMs, timeText: new Date(m.sendTimeMs).toISOString() }
        })
      }
    })
  }

  const hooks = {
    /** `fromId` asks `toId` to be friends (or invites them into `groupId`): invite_apply is pushed. */
    request(fromId: string, toId: string, o: { note?: string; groupId?: string } = {}): number {
      if (!store.user(fromId) || !store.user(toId)) throw new Error('unknown user')
      const s = social()
      const r: SocialRequestRec = { id: s.nextRequestId++, targetType: o.groupId ? 2 : 1, fromId, toId, note: o.note ?? '', atSec: Math.floor(Date.now() / 1000), result: 0 }
      if (o.groupId) r.groupId = o.groupId
      s.requests.push(r)
      store.changed()
      deliver(toId, encodeWsFrame({ kind: 'invite_apply', seq: randomUUID() }))
      return r.id
    },
    /** `fromId` writes `text` to `toId` in their user chat (pushed like any message). */
    say(fromId: string, toId: string, text: string): string {
      const m = chats.post(userChat(fromId, toId), { senderId: fromId, senderType: 1, contentType: 1, content: { text } })
      return m.msgId
    },
    /** Sets a user's profile extras (introduction, medals). */
    profile(userId: string, extra: SocialData['profiles'][string]): void {
      social().profiles[userId] = { ...social().profiles[userId], ...extra }
      store.changed()
    },
    /** How many messages of `chatId` (as `userId` sees it) are unread on the server. */
    unread(userId: string, chatId: string): number {
      const c = store.conversations(userId).find((x) => x.chatId === chatId)
      if (!c) return 0
      const user = store.user(userId)
      if (!user) return 0
      return chats.messages(chatOf(user, c.chatId, c.chatType)).filter((m) => m.seq > c.readSeq && m.senderId !== userId && !m.recallTimeMs).length
    },
    /** A bot sends `userId` an A2UI message (content type 14) with `json` as its text. */
    a2ui(botId: string, userId: string, json: string): string {
      return chats.post(botChat(botId, userId), { senderId: botId, senderType: 3, contentType: 14, content: { text: json } }).msgId
    },
    /** Renames a user or changes their avatar (as another device would). */
    setUser(userId: string, change: { name?: string; avatarUrl?: string }): void {
      const u = store.user(userId)
      if (!u) throw new Error('unknown user')
      if (change.name) u.name = change.name
      if (change.avatarUrl) u.avatarUrl = change.avatarUrl
      store.changed()
    },
    friends(userId: string): string[] {
      return [...(social().friends[userId] ?? [])]
    }
  }

  return { routes, hooks }
}

/** A JSON route that answers `{code:1, msg:"success"}` without data (api.ts knows it). */
export const NO_DATA = Symbol.for('miodesk.yunhu.no-data')

export type YunhuSocialHooks = ReturnType<typeof createSocial>['hooks']
