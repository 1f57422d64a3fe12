/**
 * A Yunhu (云湖) account's groups and bot commands: group info, members (paged, searched), mute and
 * remove (owner/admin), a chat's bot commands and quick menus, sending a command. The provider gives
 * this module its accounts through YunhuGroupsHost; the protocol is in protocols/yunhu/groups.ts.
 */
import type { ChatMessage, Segment } from '../../../shared/mio'
import { coreText, type CoreTextKey } from '../../../shared/core-text'
import { YunhuChatType, YunhuContentType, type YunhuBotData, type YunhuBotInstruction, type YunhuGroupMember, type YunhuInstructionData, type YunhuMenuData } from '../../../shared/yunhu'
import type {
  YunhuChatCommands,
  YunhuCommandInput,
  YunhuCommandKind,
  YunhuCommandView,
  YunhuGroupBotView,
  YunhuGroupInfoView,
  YunhuGroupMemberView,
  YunhuGroupRole,
  YunhuMemberPage,
  YunhuQuickMenuView,
  YunhuSettingsForm
} from '../../../shared/yunhu-api'
import { newYunhuMsgId, type YunhuApi } from '../../protocols/yunhu/api'
import {
  YUNHU_COMMAND_TYPES,
  YUNHU_GAG_SECONDS,
  YUNHU_MEMBER_PAGE_SIZE,
  commandContent,
  commandFormJson,
  fetchBotInstructions,
  fetchGroupBots,
  fetchGroupInfo,
  fetchMembers,
  gagMember,
  menuEvent,
  removeMember
} from '../../protocols/yunhu/groups'
import { YunhuApiError } from '../../protocols/yunhu/http'
import { parseSettingsForm } from '../../../shared/yunhu-settings'
import { validateSettingsValues } from '../../protocols/yunhu/settings-schema'
import { requireId } from '../../validate'
import { yunhuMediaUrl } from './media'
import { toNum } from './mapping'

/** What the provider lends this module. */
export interface YunhuGroupsHost {
  /** The account's client and own user id, and the chat type of one of its conversations (throws a sentence). */
  session(accountId: string, contactId: string): { api: YunhuApi; userId: string; chatType: number; name: string }
  /** Runs a call for the account; anything thrown becomes a sentence. */
  call<T>(accountId: string, fn: (api: YunhuApi) => Promise<T>): Promise<T>
  /** Stores a message the account sent and shows it. */
  record(accountId: string, m: ChatMessage): ChatMessage
  now(): number
}

/** The platform's refusals (group.md) → the app's sentence (the zh sentence of each is the platform's own). */
const PLATFORM_SENTENCES: Record<string, CoreTextKey> = {
  '不可以禁言群主！': 'yunhuCannotMuteOwner',
  '不可以移除群主！': 'yunhuCannotRemoveOwner',
  '该用户不在这个群聊，请重试': 'yunhuNotInGroup',
  '禁言时长错误，请重试': 'yunhuBadMuteDuration',
  '您无权操作此群聊，请联系群主或者管理员': 'yunhuNoGroupPermission'
}

/** A platform refusal with a known sentence → that sentence (English; the renderer shows the platform's zh). */
export function platformRefusal(e: unknown): unknown {
  if (e instanceof YunhuApiError) {
    const key = PLATFORM_SENTENCES[e.msg.trim()]
    if (key) return new Error(coreText(key))
  }
  return e
}

async function refusalsInWords<T>(p: Promise<T>): Promise<T> {
  try {
    return await p
  } catch (e) {
    throw platformRefusal(e)
  }
}

export function roleOf(level: number | undefined): YunhuGroupRole {
  return level === 100 ? 'owner' : level === 2 ? 'admin' : 'member'
}

function botView(b: YunhuBotData): YunhuGroupBotView {
  return { botId: b.bot_id ?? '', name: b.name ?? b.bot_id ?? '', avatarUrl: yunhuMediaUrl(b.avatar_url, 'image'), introduction: b.introduction ?? '' }
}

export function memberView(m: YunhuGroupMember): YunhuGroupMemberView {
  const u = m.user_info ?? {}
  const v: YunhuGroupMemberView = { userId: u.user_id ?? '', name: u.name || u.user_id || '', avatarUrl: yunhuMediaUrl(u.avatar_url, 'image'), role: roleOf(m.permission_level), muted: m.is_gag === true }
  const until = toNum(m.gag_time)
  if (v.muted && until !== undefined) v.mutedUntil = until
  return v
}

function kindOf(type: number | undefined): YunhuCommandKind | undefined {
  return type === YUNHU_COMMAND_TYPES.normal ? 'normal' : type === YUNHU_COMMAND_TYPES.direct ? 'direct' : type === YUNHU_COMMAND_TYPES.form ? 'form' : undefined
}

/** A command's form (JSON array of items); a broken one makes the command unusable, not the list. */
function formOf(raw: string | undefined): YunhuSettingsForm | undefined | null {
  if (!raw || !raw.trim()) return undefined
  try {
    return parseSettingsForm(raw, 'form')
  } catch {
    return null
  }
}

/** group/bot-list instructions → commands (unknown types and broken forms are left out), in the bots' sort order. */
export function groupCommandViews(list: YunhuInstructionData[]): YunhuCommandView[] {
  const out: Array<YunhuCommandView & { sort: number }> = []
  for (const i of list) {
    const kind = kindOf(i.type)
    const id = i.id === undefined ? '' : String(i.id)
    if (!kind || !id || id === '0') continue
    const form = formOf(i.form)
    if (kind === 'form' && !form) continue
    const v: YunhuCommandView & { sort: number } = { id, botId: i.bot_id ?? '', botName: i.bot_name ?? '', name: i.name ?? '', description: i.desc ?? '', kind, hint: i.hint_text ?? '', defaultText: i.default_text ?? '', sort: toNum(i.sort) ?? 0 }
    if (kind === 'form' && form) v.form = form
    out.push(v)
  }
  return out.sort((a, b) => a.sort - b.sort).map(({ sort: _s, ...v }) => v)
}

/** instruction/list items → commands (the bot's private chat). */
export function botCommandViews(list: YunhuBotInstruction[], botName: string): YunhuCommandView[] {
  const out: YunhuCommandView[] = []
  for (const i of list) {
    const kind = kindOf(i.instruction_type)
    const id = i.command_id === undefined ? '' : String(i.command_id)
    if (!kind || !id || id === '0') continue
    const form = formOf(i.command_settings_json)
    if (kind === 'form' && !form) continue
    const v: YunhuCommandView = { id, botId: i.bot_id ?? '', botName, name: i.command_name ?? '', description: i.command_description ?? '', kind, hint: '', defaultText: i.command_default_text ?? '' }
    if (kind === 'form' && form) v.form = form
    out.push(v)
  }
  return out
}

function menuView(m: YunhuMenuData): YunhuQuickMenuView | undefined {
  const id = m.id === undefined ? '' : String(m.id)
  if (!id) return undefined
  const v: YunhuQuickMenuView = { id, botId: m.bot_id ?? '', name: m.name ?? '', content: m.content ?? '', menuType: m.menu_type ?? 1 }
  if (m.select !== undefined) v.select = m.select
  return v
}

const MAX_KEYWORDS = 100
const MAX_COMMAND_TEXT = 20_000

export class YunhuGroups {
  /** The commands last listed per chat (account:contact), to send one by id. */
  private readonly known = new Map<string, YunhuCommandView[]>()
  /** Names of the group members seen (account:user → name): mentions of them read with their names. */
  private readonly names = new Map<string, string>()

  /** A group member's name seen in a member list (for mentions in messages). */
  memberName(accountId: string, userId: string): string | undefined {
    return this.names.get(`${accountId}:${userId}`)
  }

  constructor(private readonly host: YunhuGroupsHost) {}

  private group(accountId: string, groupId: string): { api: YunhuApi; userId: string } {
    const s = this.host.session(accountId, String(groupId ?? ''))
    if (s.chatType !== YunhuChatType.Group) throw new Error(coreText('yunhuNotAGroup'))
    return s
  }

  async info(accountId: string, groupId: string): Promise<YunhuGroupInfoView> {
    this.group(accountId, groupId)
    const r = await this.host.call(accountId, (api) => fetchGroupInfo(api.http, groupId))
    const d = r.data ?? {}
    return {
      groupId: d.group_id || groupId,
      name: d.name ?? '',
      avatarUrl: yunhuMediaUrl(d.avatar_url, 'image'),
      introduction: d.introduction ?? '',
      memberCount: toNum(d.headcount) ?? 0,
      myRole: roleOf(d.permisson_level),
      ownerId: d.owner || d.create_by || '',
      bots: (r.bot ?? []).map(botView).filter((b) => b.botId)
    }
  }

  async members(accountId: string, groupId: string, page: number, keywords?: string): Promise<YunhuMemberPage> {
    this.group(accountId, groupId)
    const p = Number.isInteger(page) && page >= 1 ? page : 1
    const k = typeof keywords === 'string' ? keywords.trim().slice(0, MAX_KEYWORDS) : ''
    const r = await this.host.call(accountId, (api) => fetchMembers(api.http, { groupId, page: p, size: YUNHU_MEMBER_PAGE_SIZE, keywords: k }))
    const members = (r.user ?? []).map(memberView).filter((m) => m.userId)
    for (const m of members) if (m.name && m.name !== m.userId) this.names.set(`${accountId}:${m.userId}`, m.name)
    if (this.names.size > 20_000) this.names.clear()
    const total = typeof r.total === 'number' ? r.total : members.length
    // Without a total (MX's schema has none) a full page means there may be more.
    const hasMore = typeof r.total === 'number' ? (p - 1) * YUNHU_MEMBER_PAGE_SIZE + members.length < total && members.length > 0 : members.length >= YUNHU_MEMBER_PAGE_SIZE
    return { members, total, page: p, hasMore }
  }

  async mute(accountId: string, groupId: string, userId: string, seconds: number): Promise<void> {
    this.group(accountId, groupId)
    const user = requireId(userId, 'user id')
    if (!(YUNHU_GAG_SECONDS as readonly number[]).includes(seconds)) throw new Error(coreText('yunhuBadMuteDuration'))
    await this.host.call(accountId, (api) => refusalsInWords(gagMember(api.http, { groupId, userId: user, gag: seconds })))
  }

  async remove(accountId: string, groupId: string, userId: string): Promise<void> {
    this.group(accountId, groupId)
    const user = requireId(userId, 'user id')
    await this.host.call(accountId, (api) => refusalsInWords(removeMember(api.http, { groupId, userId: user })))
  }

  /** A group's commands come from group/bot-list, a bot chat's from instruction/list; a user chat has none. */
  async commands(accountId: string, contactId: string): Promise<YunhuChatCommands> {
    const s = this.host.session(accountId, String(contactId ?? ''))
    let result: YunhuChatCommands
    if (s.chatType === YunhuChatType.Group) {
      const r = await this.host.call(accountId, (api) => fetchGroupBots(api.http, contactId))
      const names = new Map((r.bot ?? []).map((b) => [b.bot_id ?? '', b.name ?? '']))
      const commands = groupCommandViews(r.instruction ?? []).map((c) => ({ ...c, botName: c.botName || names.get(c.botId) || c.botId }))
      result = { commands, menus: (r.menu ?? []).map(menuView).filter((m): m is YunhuQuickMenuView => !!m) }
    } else if (s.chatType === YunhuChatType.Bot) {
      const list = await this.host.call(accountId, (api) => fetchBotInstructions(api.http, contactId))
      result = { commands: botCommandViews(list, s.name).map((c) => ({ ...c, botId: c.botId || contactId })), menus: [] }
    } else result = { commands: [], menus: [] }
    this.known.set(`${accountId}:${contactId}`, result.commands)
    return result
  }

  private async command(accountId: string, contactId: string, commandId: string): Promise<YunhuCommandView> {
    const id = requireId(commandId, 'command id')
    const find = (): YunhuCommandView | undefined => this.known.get(`${accountId}:${contactId}`)?.find((c) => c.id === id)
    let c = find()
    if (!c) {
      await this.commands(accountId, contactId)
      c = find()
    }
    if (!c) throw new Error(coreText('yunhuUnknownCommand'))
    return c
  }

  /**
   * Sends a command message (facts §2.3): command_id = the instruction id; normal sends the text
   * (content_type 1), direct an empty content, form content.form with the values. Sent at once
   * (not queued: a command acts now or not at all); the sent message is stored and shown.
   */
  async sendCommand(accountId: string, contactId: string, commandId: string, input: YunhuCommandInput = {}): Promise<ChatMessage> {
    const s = this.host.session(accountId, String(contactId ?? ''))
    const c = await this.command(accountId, contactId, commandId)
    let content
    let shown: string
    if (c.kind === 'normal') {
      const text = typeof input?.text === 'string' ? input.text : ''
      if (!text.trim()) throw new Error(coreText('yunhuCommandText'))
      if (text.length > MAX_COMMAND_TEXT) throw new Error(`The message is too long (at most ${MAX_COMMAND_TEXT} characters)`)
      content = commandContent(YUNHU_COMMAND_TYPES.normal, { text })
      shown = text
    } else if (c.kind === 'form' && c.form) {
      const values = input?.values && typeof input.values === 'object' ? input.values : {}
      const issues = validateSettingsValues(c.form, values)
      if (issues.length) throw new Error(issues.map((i) => i.message).join('; '))
      content = commandContent(YUNHU_COMMAND_TYPES.form, { form: commandFormJson(c.form, values) })
      shown = c.form.fields
        .filter((f) => f.type !== 'label')
        .map((f) => `${f.label || f.id}: ${formatValue(values[f.id])}`)
        .join('\n')
    } else {
      content = commandContent(YUNHU_COMMAND_TYPES.direct, {})
      shown = ''
    }
    const msgId = newYunhuMsgId()
    const chatType = s.chatType
    await this.host.call(accountId, (api) => api.sendMessage({ msg_id: msgId, chat_id: contactId, chat_type: chatType, content_type: YunhuContentType.Text, content, command_id: c.id }))
    // Shown as the command's name and what went with it (received command messages carry cmd.name the same way).
    const segments: Segment[] = [{ type: 'text', data: { text: shown ? `/${c.name} ${shown}` : `/${c.name}` } }]
    return this.host.record(accountId, { id: msgId, contactId, self: true, senderId: s.userId, time: this.host.now(), segments, status: 'sent' })
  }

  async menuEvent(accountId: string, contactId: string, menuId: string, value?: string): Promise<void> {
    const s = this.host.session(accountId, String(contactId ?? ''))
    const id = requireId(menuId, 'menu id')
    const v = typeof value === 'string' ? value.slice(0, 1000) : ''
    await this.host.call(accountId, (api) => menuEvent(api.http, { id, chatId: contactId, chatType: s.chatType, value: v }))
  }
}

function formatValue(v: unknown): string {
  if (Array.isArray(v)) return v.join(', ')
  if (v === true) return '✓'
  if (v === false) return '✗'
  return typeof v === 'string' ? v : ''
}
