/**
 * Chats and messages of the Yunhu reference server: resolving a (chat_id, chat_type) seen by a user
 * to a stored chat, storing messages, and pushing push_message / edit_message / recall /
 * stream_message / bot_board_message frames to every member's WebSocket sessions.
 */
import { randomUUID } from 'node:crypto'
import { encodeWsFrame, type YunhuWsEventInput } from '../../src/core/protocols/yunhu/codec/yunhu'
import type { YunhuCmd, YunhuMsgContent, YunhuMsgData, YunhuPushMessage, YunhuSender } from '../../src/shared/yunhu'
import type { YunhuStore } from './store'
import type { BoardRec, ConvRec, MsgRec, UserRec } from './types'

/** At most this many messages are kept per chat (oldest dropped). */
export const MAX_MESSAGES_PER_CHAT = 5000

/** A stored chat. `key` indexes YunhuData.messages. */
export type Chat =
  | { kind: 'group'; key: string; groupId: string }
  | { kind: 'bot'; key: string; botId: string; userId: string }
  | { kind: 'user'; key: string; a: string; b: string }

/** How one participant sees a chat. */
export interface ChatView {
  chatId: string
  chatType: 1 | 2 | 3
  recvId: string
}

export type Deliver = (userId: string, frame: Uint8Array) => void

export class ChatError extends Error {}

export function groupChat(groupId: string): Chat {
  return { kind: 'group', key: `g:${groupId}`, groupId }
}
export function botChat(botId: string, userId: string): Chat {
  return { kind: 'bot', key: `b:${botId}:${userId}`, botId, userId }
}
export function userChat(x: string, y: string): Chat {
  const [a, b] = x < y ? [x, y] : [y, x]
  return { kind: 'user', key: `u:${a}:${b}`, a, b }
}

export class ChatService {
  constructor(
    private readonly store: YunhuStore,
    private readonly deliver: Deliver,
    private readonly log: (line: string) => void
  ) {}

  // ------------------------------------------------------------------------------ resolving

  /** The chat `viewer` means by (chatId, chatType), or a ChatError in words. */
  resolve(viewer: UserRec, chatId: unknown, chatType: unknown): Chat {
    if (typeof chatId !== 'string' || chatId === '') throw new ChatError('chat_id 不能为空')
    if (chatType === 2) {
      const g = this.store.group(chatId)
      if (!g) throw new ChatError('群聊不存在')
      if (!g.members.includes(viewer.id)) throw new ChatError('你不在该群聊中')
      return groupChat(chatId)
    }
    if (chatType === 3) {
      const b = this.store.bot(chatId)
      if (!b) throw new ChatError('机器人不存在')
      if (!b.followers.includes(viewer.id)) throw new ChatError('你还没有添加该机器人')
      return botChat(chatId, viewer.id)
    }
    if (chatType === 1) {
      if (chatId === viewer.id) throw new ChatError('不能和自己聊天')
      if (!this.store.user(chatId)) throw new ChatError('用户不存在')
      return userChat(viewer.id, chatId)
    }
    throw new ChatError('chat_type 不合法 (1 用户, 2 群聊, 3 机器人)')
  }

  /** User ids that receive the chat's pushes. */
  members(chat: Chat): string[] {
    if (chat.kind === 'group') return [...(this.store.group(chat.groupId)?.members ?? [])]
    if (chat.kind === 'bot') return [chat.userId]
    return [chat.a, chat.b]
  }

  view(chat: Chat, userId: string): ChatView {
    if (chat.kind === 'group') return { chatId: chat.groupId, chatType: 2, recvId: chat.groupId }
    if (chat.kind === 'bot') return { chatId: chat.botId, chatType: 3, recvId: userId }
    return { chatId: userId === chat.a ? chat.b : chat.a, chatType: 1, recvId: userId }
  }

  messages(chat: Chat): MsgRec[] {
    return (this.store.data.messages[chat.key] ??= [])
  }

  find(chat: Chat, msgId: string): MsgRec | undefined {
    return this.store.data.messages[chat.key]?.find((m) => m.msgId === msgId)
  }

  /**
   * A new server-made message id: a random uuid4 in hex (122 random bits, like the client ids), so unique across
   * restarts without any counter; checked against the chat's stored ids all the same.
   */
  newMsgId(chat: Chat): string {
    for (;;) {
      const id = randomUUID().replace(/-/g, '')
      if (!this.find(chat, id)) return id
    }
  }

  lastSeq(chat: Chat): number {
    const list = this.store.data.messages[chat.key]
    return list && list.length ? list[list.length - 1].seq : 0
  }

  // ------------------------------------------------------------------------------ shapes

  sender(m: MsgRec): YunhuSender {
    if (m.senderType === 3) {
      const b = this.store.bot(m.senderId)
      return { chat_id: m.senderId, chat_type: 3, name: b?.nickname ?? '机器人', avatar_url: b?.avatarUrl ?? '', tag: [{ id: '1', text: '机器人', color: '#FF3A8CFF' }] }
    }
    const u = this.store.user(m.senderId)
    const s: YunhuSender = { chat_id: m.senderId, chat_type: 1, name: u?.name ?? m.senderId, avatar_url: u?.avatarUrl ?? '' }
    if (u?.isVip) s.is_vip = true
    return s
  }

  /** The cmd a command message carries: its id, and the name and type of the bot command with that id. */
  private cmdOf(commandId: string): YunhuCmd {
    const i = this.store.data.bots.flatMap((b) => b.instructions ?? []).find((x) => x.id === commandId)
    return i ? { cmd_id: commandId, name: i.name, type: i.type } : { cmd_id: commandId, type: 1 }
  }

  pushMessage(chat: Chat, m: MsgRec, userId: string): YunhuPushMessage {
    const v = this.view(chat, userId)
    const p: YunhuPushMessage = {
      msg_id: m.msgId,
      sender: this.sender(m),
      recv_id: v.recvId,
      chat_id: v.chatId,
      chat_type: v.chatType,
      content: m.content,
      content_type: m.contentType,
      timestamp: String(m.sendTimeMs),
      msg_seq: String(m.seq)
    }
    if (m.quoteMsgId) p.quote_msg_id = m.quoteMsgId
    if (m.commandId) p.cmd = this.cmdOf(m.commandId)
    if (m.recallTimeMs) p.delete_timestamp = String(m.recallTimeMs)
    if (m.editTimeMs) p.edit_time = String(m.editTimeMs)
    return p
  }

  msgData(m: MsgRec, viewerId: string): YunhuMsgData {
    const d: YunhuMsgData = {
      msg_id: m.msgId,
      sender: this.sender(m),
      direction: m.senderId === viewerId ? 'right' : 'left',
      content_type: m.contentType,
      content: m.content,
      send_time: String(m.sendTimeMs),
      msg_seq: String(m.seq)
    }
    if (m.commandId) d.cmd = this.cmdOf(m.commandId)
    if (m.recallTimeMs) d.recall_time = String(m.recallTimeMs)
    if (m.quoteMsgId) d.quote_msg_id = m.quoteMsgId
    if (m.editTimeMs) d.edit_time = String(m.editTimeMs)
    return d
  }

  /** One-line preview for the conversation list. */
  preview(m: MsgRec | undefined): string {
    if (!m) return ''
    if (m.recallTimeMs) return '[消息已撤回]'
    const c = m.content
    switch (m.contentType) {
      case 2:
        return '[图片]'
      case 4:
        return `[文件] ${c.file_name ?? ''}`.trim()
      case 5:
        return '[表单]'
      case 7:
        return '[表情]'
      case 10:
        return '[视频]'
      case 11:
        return '[语音]'
      default:
        return (c.text ?? '').slice(0, 100)
    }
  }

  // ------------------------------------------------------------------------------ pushing

  private pushFrame(userIds: string[], build: (userId: string) => YunhuWsEventInput): void {
    for (const userId of userIds) {
      let frame: Uint8Array
      try {
        frame = encodeWsFrame(build(userId))
      } catch (err) {
        this.log(`yunhu: could not encode a push frame: ${err instanceof Error ? err.message : String(err)}`)
        continue
      }
      this.deliver(userId, frame)
    }
  }

  // ------------------------------------------------------------------------------ changes

  /**
   * Stores a new message and pushes it (push_message) to every member, the sender's other devices
   * included. Conversation entries are created for members that do not have one yet.
   */
  post(
    chat: Chat,
    msg: { senderId: string; senderType: 1 | 3; contentType: number; content: YunhuMsgContent; msgId?: string; quoteMsgId?: string; commandId?: string }
  ): MsgRec {
    const list = this.messages(chat)
    const m: MsgRec = {
      msgId: msg.msgId || this.newMsgId(chat),
      seq: this.lastSeq(chat) + 1,
      senderId: msg.senderId,
      senderType: msg.senderType,
      contentType: msg.contentType,
      content: msg.content,
      sendTimeMs: Date.now()
    }
    if (msg.quoteMsgId) m.quoteMsgId = msg.quoteMsgId
    if (msg.commandId && msg.commandId !== '0') m.commandId = msg.commandId
    list.push(m)
    if (list.length > MAX_MESSAGES_PER_CHAT) list.splice(0, list.length - MAX_MESSAGES_PER_CHAT)
    const members = this.members(chat)
    for (const uid of members) {
      const v = this.view(chat, uid)
      const conv: ConvRec = this.store.ensureConversation(uid, v.chatId, v.chatType)
      if (msg.senderType === 1 && uid === msg.senderId) conv.readSeq = m.seq
    }
    this.store.changed()
    this.pushFrame(members, (uid) => ({ kind: 'push_message', seq: randomUUID(), message: this.pushMessage(chat, m, uid) }))
    return m
  }

  /** Replaces a message's content and pushes edit_message (the documented subset) to every member. */
  edit(chat: Chat, m: MsgRec, change: { contentType: number; content: YunhuMsgContent; quoteMsgId?: string }): void {
    m.contentType = change.contentType
    m.content = change.content
    if (change.quoteMsgId !== undefined) m.quoteMsgId = change.quoteMsgId || undefined
    m.editTimeMs = Math.max(Date.now(), (m.editTimeMs ?? 0) + 1)
    this.store.changed()
    this.pushFrame(this.members(chat), (uid) => {
      const v = this.view(chat, uid)
      const p: YunhuPushMessage = {
        msg_id: m.msgId,
        recv_id: v.chatId,
        chat_id: v.chatId,
        content: m.content,
        content_type: m.contentType,
        edit_time: String(m.editTimeMs)
      }
      if (m.quoteMsgId) p.quote_msg_id = m.quoteMsgId
      return { kind: 'edit_message', seq: randomUUID(), message: p }
    })
  }

  /** Marks a message recalled and pushes the recall notice (push_message with delete_timestamp). */
  recall(chat: Chat, m: MsgRec): void {
    m.recallTimeMs = Date.now()
    this.store.changed()
    this.pushFrame(this.members(chat), (uid) => {
      const v = this.view(chat, uid)
      return {
        kind: 'recall',
        seq: randomUUID(),
        message: {
          msg_id: m.msgId,
          sender: this.sender(m),
          recv_id: v.recvId,
          chat_id: v.chatId,
          chat_type: v.chatType,
          delete_timestamp: String(m.recallTimeMs),
          msg_seq: String(m.seq)
        }
      }
    })
  }

  /** Appends text to a (streamed) message and pushes stream_message to every member. */
  appendStream(chat: Chat, m: MsgRec, text: string, persist: boolean): void {
    m.content = { ...m.content, text: (m.content.text ?? '') + text }
    if (persist) this.store.changed()
    this.pushFrame(this.members(chat), (uid) => {
      const v = this.view(chat, uid)
      return { kind: 'stream_message', seq: randomUUID(), message: { msg_id: m.msgId, recv_id: v.recvId, chat_id: v.chatId, content: text } }
    })
  }

  // ------------------------------------------------------------------------------ boards

  /** Sets (content ≠ "") or clears a bot's board and pushes bot_board_message to the chat it belongs to. */
  setBoard(botId: string, target: { chatType: 1 | 2; chatId: string }, content: string, contentType: 1 | 2 | 3): BoardRec | undefined {
    const boards = this.store.data.boards
    const i = boards.findIndex((b) => b.botId === botId && b.chatType === target.chatType && b.chatId === target.chatId)
    const rec: BoardRec = { botId, chatType: target.chatType, chatId: target.chatId, content, contentType, lastUpdateTime: Math.floor(Date.now() / 1000) }
    if (content === '') {
      if (i >= 0) boards.splice(i, 1)
    } else if (i >= 0) boards[i] = rec
    else boards.push(rec)
    this.store.changed()
    const bot = this.store.bot(botId)
    const chat = target.chatType === 2 ? groupChat(target.chatId) : botChat(botId, target.chatId)
    this.pushFrame(this.members(chat), (uid) => {
      const v = this.view(chat, uid)
      return {
        kind: 'bot_board_message',
        seq: randomUUID(),
        message: {
          bot_id: botId,
          chat_id: v.chatId,
          chat_type: v.chatType,
          content,
          content_type: contentType,
          last_update_time: String(rec.lastUpdateTime),
          bot_name: bot?.nickname ?? ''
        }
      }
    })
    return content === '' ? undefined : rec
  }
}
