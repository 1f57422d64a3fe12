/**
 * Yunhu (云湖) conversations and people over YunhuHttp: mark read, remove, pin (sticky), mute
 * (no-notify), the address book, friend requests, profiles, forwarding and history search. Paths,
 * bodies and replies as docs/protocol/yunhu-client-facts.md §2.7, §4, §7, §8, §9 give them.
 */
import { TransportError } from '../../transport/errors'
import { encodeBody, type YunhuHttp, type YunhuCallOptions } from './http'
import type { YunhuAddressBookListResponse, YunhuGetUserData, YunhuRequestListResponse } from '../../../shared/yunhu'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A pinned chat (sticky/list). */
export interface YunhuSticky {
  /** The pin id (sticky/topping takes it). */
  id: string
  chatId: string
  chatType: number
  chatName?: string
}

/** One hit of search/chat-search, as the server wrote it (names vary: VUE reads several). */
export interface YunhuChatSearchItem {
  msgId: string
  seq?: string
  name: string
  avatarUrl?: string
  content: string
  type?: string
  /** ms */
  time: number
}

export interface YunhuChatSearchInput {
  word: string
  chatId: string
  chatType: number
  /** Only messages before this time, ms (default: all). */
  before?: number
  size?: number
}

/** agree-apply's answers (facts §7.2). */
export const YUNHU_AGREE = { accept: 1, decline: 2 } as const


const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined)
const first = (o: Obj, keys: string[]): unknown => keys.map((k) => o[k]).find((v) => v !== undefined && v !== null && v !== '')

/** A chat-search item, read with the key names the clients have seen (facts §8); undefined without an id. */
export function chatSearchItem(v: unknown): YunhuChatSearchItem | undefined {
  if (!isObj(v)) return undefined
  const msgId = text(first(v, ['id', 'msgId', 'msg_id']))
  if (!msgId) return undefined
  const rawTime = Number(first(v, ['time', 'timestamp', 'sendTime', 'send_time']) ?? 0)
  const time = Number.isFinite(rawTime) ? (rawTime > 0 && rawTime < 1e12 ? rawTime * 1000 : rawTime) : 0
  const item: YunhuChatSearchItem = {
    msgId,
    name: text(first(v, ['name', 'senderName', 'sender_name'])) ?? '',
    content: text(first(v, ['content', 'text'])) ?? '',
    time
  }
  const seq = text(first(v, ['sequence', 'msgSeq', 'msg_seq']))
  if (seq) item.seq = seq
  const avatar = text(v.avatarUrl)
  if (avatar) item.avatarUrl = avatar
  const type = text(v.type)
  if (type) item.type = type
  return item
}

export class YunhuSocialApi {
  constructor(readonly http: YunhuHttp) {}

  // ---------------------------------------------------------------- conversations (§4)

  /** POST /v1/conversation/dismiss-notification {chatId}: the chat is read. */
  async dismissNotification(chatId: string, opts?: YunhuCallOptions): Promise<void> {
    await this.http.json('/v1/conversation/dismiss-notification', { chatId }, opts)
  }

  /** POST /v1/conversation/remove {chatId}: off the list (the contact stays). */
  async removeConversation(chatId: string, opts?: YunhuCallOptions): Promise<void> {
    await this.http.json('/v1/conversation/remove', { chatId }, opts)
  }

  /** POST /v1/sticky/list (no body): the pinned chats. */
  async stickyList(opts?: YunhuCallOptions): Promise<YunhuSticky[]> {
    const r = await this.http.json<unknown>('/v1/sticky/list', undefined, opts)
    const d = isObj(r.data) ? r.data : {}
    const list = Array.isArray(d.sticky) ? d.sticky : []
    const out: YunhuSticky[] = []
    for (const s of list) {
      if (!isObj(s)) continue
      const chatId = text(s.chatId)
      const chatType = Number(s.chatType)
      if (!chatId || !Number.isFinite(chatType) || s.delFlag === 1) continue
      out.push({ id: text(s.id) ?? '', chatId, chatType, ...(typeof s.chatName === 'string' ? { chatName: s.chatName } : {}) })
    }
    return out
  }

  /** POST /v1/sticky/add or /v1/sticky/delete {chatId, chatType}. */
  async setSticky(chatId: string, chatType: number, pinned: boolean, opts?: YunhuCallOptions): Promise<void> {
    await this.http.json(pinned ? '/v1/sticky/add' : '/v1/sticky/delete', { chatId, chatType }, opts)
  }

  /** POST /v1/friend/no-notify {chatId, chatType, noNotify 0|1} (chatType as VUE sends it too). */
  async noNotify(chatId: string, chatType: number, muted: boolean, opts?: YunhuCallOptions): Promise<void> {
    await this.http.json('/v1/friend/no-notify', { chatId, chatType, noNotify: muted ? 1 : 0 }, opts)
  }

  // ---------------------------------------------------------------- people (§7)

  /** POST /v1/friend/address-book-list (protobuf): the sections; with an md5 equal to the server's, none. */
  async addressBook(md5?: string, opts?: YunhuCallOptions): Promise<YunhuAddressBookListResponse> {
    const path = '/v1/friend/address-book-list'
    return this.http.proto(path, encodeBody('AddressBookListRequest', md5 ? { md5 } : {}, path), 'AddressBookListResponse', opts)
  }

  /** POST /v1/friend/request-list (protobuf, empty body, as FP and MX). */
  async requestList(opts?: YunhuCallOptions): Promise<YunhuRequestListResponse> {
    return this.http.proto('/v1/friend/request-list', new Uint8Array(0), 'RequestListResponse', opts)
  }

  /** POST /v1/friend/agree-apply {id: request_id, agree: 1 accept | 2 decline}. */
  async agreeApply(requestId: number, accept: boolean, opts?: YunhuCallOptions): Promise<void> {
    await this.http.json('/v1/friend/agree-apply', { id: requestId, agree: accept ? YUNHU_AGREE.accept : YUNHU_AGREE.decline }, opts)
  }

  /** POST /v1/user/get-user (protobuf GetUserRequest {id}). A bot id answers "user not found": use bot-info. */
  async getUser(id: string, opts?: YunhuCallOptions): Promise<YunhuGetUserData> {
    const path = '/v1/user/get-user'
    const r = await this.http.proto(path, encodeBody('GetUserRequest', { id }, path), 'GetUserResponse', opts)
    if (!r.data?.id) throw new TransportError('protocol', `Yunhu ${path} sent no user`)
    return r.data
  }

  // ---------------------------------------------------------------- messages (§2.7, §8)

  /** POST /v1/msg/msg-forward: one message of a chat of `chatType` to each target. */
  async forward(msgId: string, chatType: number, receive: Array<{ chatId: string; chatType: number }>, opts?: YunhuCallOptions): Promise<void> {
    if (receive.length === 0) throw new TransportError('protocol', 'Nothing to forward to')
    await this.http.json('/v1/msg/msg-forward', { msgId, chatType, receive }, opts)
  }

  /** POST /v1/msg/a2ui-form-report: a form of an A2UI message submitted (msg.md's full body). */
  async a2uiFormReport(input: { msgId: string; chatId: string; chatType: number; senderId: string; surfaceId: string; actionName: string; sourceComponentId: string; context: Record<string, string | boolean>; now?: Date }, opts?: YunhuCallOptions): Promise<void> {
    const timestamp = (input.now ?? new Date()).toISOString()
    const interactionJson = JSON.stringify({ version: 'v0.9', action: { name: input.actionName, sourceComponentId: input.sourceComponentId, timestamp, context: input.context, surfaceId: input.surfaceId } })
    await this.http.json(
      '/v1/msg/a2ui-form-report',
      { msgId: input.msgId, chatType: input.chatType, chatId: input.chatId, senderId: input.senderId, actionName: input.actionName, sourceComponentId: input.sourceComponentId, formContext: input.context, interactionJson },
      opts
    )
  }

  /** POST /v1/search/chat-search: messages of one chat containing `word`, newest first. */
  async chatSearch(input: YunhuChatSearchInput, opts?: YunhuCallOptions): Promise<YunhuChatSearchItem[]> {
    const body = { word: input.word, chatId: input.chatId, chatType: input.chatType, type: 'all', size: input.size ?? 30, time: input.before ?? 9_999_999_999_999, direction: 1 }
    const r = await this.http.json<unknown>('/v1/search/chat-search', body, opts)
    const d = isObj(r.data) ? r.data : {}
    const list = Array.isArray(d.list) ? d.list : []
    return list.map(chatSearchItem).filter((x): x is YunhuChatSearchItem => !!x)
  }
}
