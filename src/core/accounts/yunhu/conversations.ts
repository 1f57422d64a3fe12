/**
 * Yunhu (云湖) conversations and people, read into the app's shapes: the address book (sections keyed
 * on chat_type, not on their names), friend requests, profiles (get-user; bots from bot-info), pins
 * and mutes laid over the conversation list, and search hits. Pure functions: the provider
 * (provider.ts) calls the endpoints (protocols/yunhu/social.ts) and keeps the state.
 */
import type { SearchHit } from '../../../shared/api'
import type { YunhuAddressBook, YunhuBookEntry, YunhuProfile, YunhuRequest, YunhuRequests } from '../../../shared/yunhu-social'
import type { YunhuAddressBookListResponse, YunhuBotData, YunhuFriendRequest, YunhuGetUserData, YunhuRequestListResponse } from '../../../shared/yunhu'
import type { YunhuChatSearchItem, YunhuSticky } from '../../protocols/yunhu/social'
import { kindOfChatType, toNum, type YunhuContact } from './mapping'
import { yunhuMediaUrl } from './media'

/** The address book by kind; unknown chat types are left out, empty entries too. */
export function addressBookOf(r: YunhuAddressBookListResponse): YunhuAddressBook {
  const book: YunhuAddressBook = { users: [], groups: [], bots: [] }
  for (const section of r.data ?? []) {
    const kind = kindOfChatType(section.chat_type)
    if (!kind) continue
    const into = kind === 'user' ? book.users : kind === 'group' ? book.groups : book.bots
    for (const d of section.data ?? []) {
      if (!d.chat_id) continue
      const name = d.remark || d.name || d.chat_id
      const e: YunhuBookEntry = { id: d.chat_id, kind, name, muted: d.no_disturb === true }
      if (d.name && d.name !== name) e.realName = d.name
      if (d.avatar_url) e.avatar = yunhuMediaUrl(d.avatar_url)
      if (kind === 'group') e.role = d.permisson_level === 100 ? 'owner' : d.permisson_level === 2 ? 'admin' : 'member'
      if (!into.some((x) => x.id === e.id)) into.push(e)
    }
  }
  return book
}

function secondsToMs(v: unknown): number {
  const n = toNum(v)
  if (!n || n < 0) return 0
  return n < 1e12 ? n * 1000 : n
}

/**
 * One request. target_type says what it is about (1 you as a friend, 2 a group, 3 a bot) and result
 * its state (0 or absent pending, 1 accepted, 2 declined): both undocumented, read as the fixtures
 * assume (facts §7.2).
 */
export function requestOf(r: YunhuFriendRequest): YunhuRequest | undefined {
  if (r.request_id === undefined || r.request_id === null) return undefined
  const kind = kindOfChatType(r.target_type) ?? 'user'
  const req: YunhuRequest = {
    id: String(r.request_id),
    kind,
    fromName: r.name || r.inviter_id || r.inviter_id_alt || '',
    time: secondsToMs(r.invite_at),
    state: !r.result ? 'pending' : r.result === 1 ? 'accepted' : r.result === 2 ? 'declined' : 'other'
  }
  if (r.avatar) req.fromAvatar = yunhuMediaUrl(r.avatar)
  const from = r.inviter_id || r.inviter_id_alt
  if (from) req.fromId = from
  const targetName = kind === 'group' ? r.group_name : kind === 'bot' ? r.bot_name : undefined
  const targetAvatar = kind === 'group' ? r.group_avatar : kind === 'bot' ? r.bot_avatar : undefined
  if (targetName) req.targetName = targetName
  if (targetAvatar) req.targetAvatar = yunhuMediaUrl(targetAvatar)
  if (kind !== 'user' && r.target_id) req.targetId = r.target_id
  if (r.note) req.note = r.note
  return req
}

/** The request list, pending first then newest first; `pending` counted from the list (the server's total when larger). */
export function requestsOf(r: YunhuRequestListResponse): YunhuRequests {
  const list = (r.requests ?? []).map(requestOf).filter((x): x is YunhuRequest => !!x)
  list.sort((a, b) => Number(b.state === 'pending') - Number(a.state === 'pending') || b.time - a.time)
  const counted = list.filter((x) => x.state === 'pending').length
  return { list, pending: counted }
}

/** A user's profile card from get-user. */
export function userProfileOf(d: YunhuGetUserData): YunhuProfile {
  const p: YunhuProfile = {
    id: d.id ?? '',
    kind: 'user',
    name: d.name || d.id || '',
    medals: [...(d.medal ?? [])].sort((a, b) => (toNum(a.sort) ?? 0) - (toNum(b.sort) ?? 0)).map((m) => m.name ?? '').filter(Boolean)
  }
  if (d.avatar_url) p.avatar = yunhuMediaUrl(d.avatar_url)
  if (d.profile_info?.introduction) p.introduction = d.profile_info.introduction
  if (d.register_time) p.registerTime = d.register_time
  if (typeof d.online_day === 'number' && d.online_day > 0) p.onlineDays = d.online_day
  if (d.remark_info?.remark_name) p.remark = d.remark_info.remark_name
  const place = [d.profile_info?.city, d.profile_info?.district].filter(Boolean).join(' ')
  if (place) p.place = place
  if (d.top !== undefined) p.pinned = d.top
  if (d.do_not_disturb !== undefined) p.muted = d.do_not_disturb
  return p
}

/** A bot's profile card from bot-info. */
export function botProfileOf(b: YunhuBotData, id: string): YunhuProfile {
  const p: YunhuProfile = { id: b.bot_id || id, kind: 'bot', name: b.name || b.bot_id || id, medals: [] }
  if (b.avatar_url) p.avatar = yunhuMediaUrl(b.avatar_url)
  if (b.introduction) p.introduction = b.introduction
  const n = toNum(b.headcount)
  if (n !== undefined) p.headcount = n
  if (b.top !== undefined) p.pinned = b.top
  if (b.do_not_disturb !== undefined) p.muted = b.do_not_disturb
  return p
}

/** Marks the pinned chats among the contacts (sticky/list is the source; the conversation list has no pin flag). */
export function applyPins(contacts: Map<string, YunhuContact>, pins: YunhuSticky[]): void {
  const pinned = new Set(pins.map((p) => `${p.chatType}:${p.chatId}`))
  for (const c of contacts.values()) {
    const t = c.kind === 'user' ? 1 : c.kind === 'group' ? 2 : 3
    if (pinned.has(`${t}:${c.id}`)) c.pinned = true
    else delete c.pinned
  }
}

/** Search hits as the renderer shows them (plain text only; the renderer never reads it as HTML). */
export function searchHitsOf(items: YunhuChatSearchItem[]): SearchHit[] {
  return items.map((i) => {
    const h: SearchHit = { messageId: i.msgId, senderName: i.name, text: i.content.slice(0, 500), time: i.time }
    if (i.seq) h.seq = i.seq
    if (i.avatarUrl) h.senderAvatar = yunhuMediaUrl(i.avatarUrl)
    return h
  })
}
