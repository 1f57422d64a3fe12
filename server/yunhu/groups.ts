/**
 * Groups and bot commands of the Yunhu reference server (docs/protocol/yunhu-client-facts.md §6.1–6.5):
 * group/info, group/list-member (pages from 1, keywords), group/gag-member and group/remove-member
 * (owner or admin, with the platform's refusal sentences of group.md), group/bot-list,
 * instruction/list, menu/event; and command messages (send-message with command_id), answered by
 * the command's bot.
 */
import { YunhuContentType, type YunhuBodyTypes, type YunhuBotData, type YunhuInstructionData, type YunhuMsgContent } from '../../src/shared/yunhu'
import { ApiError, NO_DATA, str, type Json, type JsonRoute, type ProtoRoute, type Route } from './api'
import type { Chat, ChatService } from './chat'
import type { YunhuStore } from './store'
import type { BotRec, GroupRec, InstructionRec, MsgRec, UserRec } from './types'

/** The platform's sentences (group.md). */
export const GROUP_WORDS = {
  noPermission: '您无权操作此群聊，请联系群主或者管理员',
  notMember: '该用户不在这个群聊，请重试',
  badGag: '禁言时长错误，请重试',
  gagOwner: '不可以禁言群主！',
  removeOwner: '不可以移除群主！',
  /** The server's own words: the platform's refusal of a muted member's message is undocumented. */
  muted: '你已被禁言，暂时不能在本群发言'
} as const

/** gag-member's durations (seconds; 0 off, -1 for ever). */
export const GAG_SECONDS: ReadonlySet<number> = new Set([0, 600, 3600, 21600, 43200, -1])
const MAX_PAGE_SIZE = 100

export interface GroupDeps {
  store: YunhuStore
  chats: ChatService
  botData: (b: BotRec, user: UserRec) => YunhuBotData
  json: (handle: JsonRoute['handle']) => JsonRoute
  proto: <Req extends keyof YunhuBodyTypes, Res extends keyof YunhuBodyTypes>(request: Req, response: Res, handle: ProtoRoute<Req, Res>['handle']) => ProtoRoute<Req, Res>
  resolveChat: (user: UserRec, chatId: unknown, chatType: unknown) => Chat
  later: (ms: number, fn: () => void) => void
}

/** 100 owner, 2 admin, 0 member. */
export function levelOf(g: GroupRec, userId: string): number {
  return g.createBy === userId ? 100 : g.admins.includes(userId) ? 2 : 0
}

/** Whether a member is muted now (and until when). */
export function gagOf(g: GroupRec, userId: string, nowSec = Math.floor(Date.now() / 1000)): number | undefined {
  const until = g.gags?.[userId]
  if (until === undefined) return undefined
  return until === -1 || until > nowSec ? until : undefined
}

export function createGroups(deps: GroupDeps) {
  const { store, chats, json, proto } = deps

  const memberGroup = (user: UserRec, groupId: unknown): GroupRec => {
    const g = typeof groupId === 'string' && groupId ? store.group(groupId) : undefined
    if (!g) throw new ApiError('群聊不存在')
    if (!g.members.includes(user.id)) throw new ApiError('你不在该群聊中')
    return g
  }

  /** The owner or an admin acting on another member of the group. */
  const adminAction = (user: UserRec, body: Json): { g: GroupRec; target: string } => {
    const g = store.group(str(body, 'groupId'))
    if (!g) throw new ApiError('群聊不存在')
    if (levelOf(g, user.id) === 0) throw new ApiError(GROUP_WORDS.noPermission)
    const target = str(body, 'userId')
    if (!g.members.includes(target)) throw new ApiError(GROUP_WORDS.notMember)
    return { g, target }
  }

  const instructionData = (b: BotRec, i: InstructionRec): YunhuInstructionData => {
    const d: YunhuInstructionData = { id: i.id, bot_id: b.botId, name: i.name, desc: i.desc, type: i.type, bot_name: b.nickname }
    if (i.hintText) d.hint_text = i.hintText
    if (i.defaultText) d.default_text = i.defaultText
    if (i.sort) d.sort = String(i.sort)
    if (i.form) d.form = i.form
    return d
  }

  /** The bots whose commands a chat offers: a group's bots, or the bot of a private bot chat. */
  const botsOf = (chat: Chat): BotRec[] => {
    const ids = chat.kind === 'group' ? (store.group(chat.groupId)?.bots ?? []) : chat.kind === 'bot' ? [chat.botId] : []
    return ids.map((id) => store.bot(id)).filter((b): b is BotRec => !!b)
  }

  const findCommand = (chat: Chat, commandId: string): { bot: BotRec; cmd: InstructionRec } | undefined => {
    for (const bot of botsOf(chat)) {
      const cmd = bot.instructions?.find((i) => i.id === commandId)
      if (cmd) return { bot, cmd }
    }
    return undefined
  }

  const say = (chat: Chat, botId: string, text: string, quote?: MsgRec): MsgRec =>
    chats.post(chat, { senderId: botId, senderType: 3, contentType: YunhuContentType.Text, content: { text }, quoteMsgId: quote?.msgId })

  /**
   * The content of a command message (send-message with command_id), checked against the command's
   * type: normal needs text, direct may be empty, form needs content.form (a JSON object).
   */
  function commandContent(chat: Chat, commandId: string, contentType: number | undefined, content: YunhuMsgContent | undefined): YunhuMsgContent {
    const found = findCommand(chat, commandId)
    if (!found) throw new ApiError('指令不存在')
    if (contentType !== YunhuContentType.Text) throw new ApiError(`content_type 不合法: ${contentType ?? 0}`)
    const c: YunhuMsgContent = { ...(content ?? {}) }
    if ((c.text ?? '').length > 20_000) throw new ApiError('消息太长')
    if (found.cmd.type === 1 && !(c.text ?? '').trim()) throw new ApiError('消息内容不能为空: 缺少 content.text')
    if (found.cmd.type === 5) {
      let parsed: unknown
      try {
        parsed = JSON.parse(c.form ?? '')
      } catch {
        throw new ApiError('content.form 不是合法的 JSON')
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ApiError('content.form 必须是 JSON 对象')
    }
    return c
  }

  /** A muted member may not post in the group (the owner and admins are never muted). */
  function checkCanPost(chat: Chat, userId: string): void {
    if (chat.kind !== 'group') return
    const g = store.group(chat.groupId)
    if (g && levelOf(g, userId) === 0 && gagOf(g, userId) !== undefined) throw new ApiError(GROUP_WORDS.muted)
  }

  /** A command message arrived: its bot answers (true), or it was no command (false). */
  function onCommand(chat: Chat, m: MsgRec): boolean {
    if (!m.commandId) return false
    const found = findCommand(chat, m.commandId)
    if (!found || found.bot.isStop) return !!found
    const { bot, cmd } = found
    if (cmd.type === 1) say(chat, bot.botId, `指令 /${cmd.name}: ${m.content.text ?? ''}`, m)
    else if (cmd.type === 2) say(chat, bot.botId, `指令 /${cmd.name} 已执行`, m)
    else {
      let lines: string[] = []
      try {
        const form = JSON.parse(m.content.form ?? '{}') as Record<string, { label?: string; value?: unknown; selectValue?: string }>
        lines = Object.values(form).map((f) => `${f.label ?? ''}: ${f.selectValue ?? (Array.isArray(f.value) ? f.value.join(',') : String(f.value ?? ''))}`)
      } catch {
        lines = ['(表单无法解析)']
      }
      say(chat, bot.botId, [`指令 /${cmd.name} 收到表单:`, ...lines].join('\n'), m)
    }
    return true
  }

  const routes: Record<string, Route> = {
    '/v1/group/info': proto('GroupInfoRequest', 'GroupInfoResponse', (user, body) => {
      const g = memberGroup(user, body.group_id)
      const level = levelOf(g, user.id)
      const data: YunhuBodyTypes['GroupInfoResponse']['data'] = {
        group_id: g.groupId,
        name: g.name,
        avatar_url: g.avatarUrl,
        avatar_id: String(g.avatarId),
        introduction: g.introduction,
        headcount: String(g.members.length),
        create_by: g.createBy,
        direct_join: true,
        history_msg: true,
        category_name: g.category,
        category_id: String(g.categoryId),
        admin: g.admins.filter((id) => id !== g.createBy),
        owner: g.createBy
      }
      if (level) data.permisson_level = level
      if (g.private) data.private = true
      return { data, bot: g.bots.map((id) => store.bot(id)).filter((b): b is BotRec => !!b).map((b) => deps.botData(b, user)) }
    }),

    '/v1/group/list-member': proto('ListMemberRequest', 'ListMemberResponse', (user, body) => {
      const g = memberGroup(user, body.group_id)
      const page = body.data?.page ?? 1
      const size = body.data?.size ?? 50
      if (!Number.isInteger(page) || page < 1) throw new ApiError('page 不合法')
      if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) throw new ApiError('size 不合法')
      const k = (body.keywords ?? '').trim().toLowerCase()
      const all = g.members
        .map((id, i) => ({ id, i, u: store.user(id), level: levelOf(g, id) }))
        .filter((x) => !k || x.id.includes(k) || (x.u?.name ?? '').toLowerCase().includes(k))
        .sort((a, b) => b.level - a.level || a.i - b.i)
      const slice = all.slice((page - 1) * size, page * size)
      return {
        total: all.length,
        user: slice.map((x) => {
          const m: NonNullable<YunhuBodyTypes['ListMemberResponse']['user']>[number] = {
            group_id: g.groupId,
            user_info: { user_id: x.id, name: x.u?.name ?? x.id, avatar_url: x.u?.avatarUrl ?? '', ...(x.u?.isVip ? { is_vip: true } : {}) }
          }
          if (x.level) m.permission_level = x.level
          const gag = gagOf(g, x.id)
          if (gag !== undefined) {
            m.gag_time = String(gag)
            m.is_gag = true
          }
          return m
        })
      }
    }),

    '/v1/group/gag-member': json((user, body) => {
      const { g, target } = adminAction(user, body)
      if (target === g.createBy) throw new ApiError(GROUP_WORDS.gagOwner)
      const gag = body.gag
      if (typeof gag !== 'number' || !GAG_SECONDS.has(gag)) throw new ApiError(GROUP_WORDS.badGag)
      g.gags ??= {}
      if (gag === 0) delete g.gags[target]
      else g.gags[target] = gag === -1 ? -1 : Math.floor(Date.now() / 1000) + gag
      store.changed()
      return NO_DATA
    }),

    '/v1/group/remove-member': json((user, body) => {
      const { g, target } = adminAction(user, body)
      if (target === g.createBy) throw new ApiError(GROUP_WORDS.removeOwner)
      g.members = g.members.filter((id) => id !== target)
      g.admins = g.admins.filter((id) => id !== target)
      if (g.gags) delete g.gags[target]
      store.removeConversation(target, g.groupId, 2)
      store.changed()
      return NO_DATA
    }),

    '/v1/group/bot-list': proto('BotListRequest', 'BotListResponse', (user, body) => {
      const g = memberGroup(user, body.group_id)
      const bots = g.bots.map((id) => store.bot(id)).filter((b): b is BotRec => !!b)
      return {
        bot: bots.map((b) => deps.botData(b, user)),
        instruction: bots.flatMap((b) => (b.instructions ?? []).map((i) => instructionData(b, i))),
        menu: bots.flatMap((b) =>
          (b.menus ?? []).map((m) => ({ id: m.id, bot_id: b.botId, name: m.name, content: m.content, menu_type: m.menuType, create_time: String(m.createTime), menu_action: 1 }))
        )
      }
    }),

    '/v1/instruction/list': proto('GetBotInstructionRequest', 'GetBotInstructionListResponse', (user, body) => {
      const b = body.bot_id ? store.bot(body.bot_id) : undefined
      if (!b || (b.private === 1 && b.createBy !== user.id && !b.followers.includes(user.id))) throw new ApiError('机器人不存在')
      return {
        data: (b.instructions ?? []).map((i) => {
          const d: NonNullable<YunhuBodyTypes['GetBotInstructionListResponse']['data']>[number] = {
            command_id: i.id,
            bot_id: b.botId,
            command_name: i.name,
            instruction_type: i.type
          }
          if (i.desc) d.command_description = i.desc
          if (i.defaultText) d.command_default_text = i.defaultText
          if (i.form) d.command_settings_json = i.form
          return d
        })
      }
    }),

    '/v1/menu/event': json((user, body) => {
      const id = body.id === undefined || body.id === null ? '' : String(body.id)
      if (!id) throw new ApiError('参数错误: id 不能为空')
      const chat = deps.resolveChat(user, body.chatId, body.chatType)
      const bot = botsOf(chat).find((b) => b.menus?.some((m) => m.id === id))
      const menu = bot?.menus?.find((m) => m.id === id)
      if (!bot || !menu) throw new ApiError('菜单不存在')
      const value = typeof body.value === 'string' ? body.value.slice(0, 1000) : ''
      if (!bot.isStop) deps.later(0, () => say(chat, bot.botId, `菜单「${menu.name}」: ${value || menu.content}`))
      return NO_DATA
    })
  }

  return { routes, commandContent, onCommand, checkCanPost }
}
