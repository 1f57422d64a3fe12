/**
 * Yunhu (云湖) contacts and people as the renderer sees them: the address book, friend and group
 * requests, profiles. Built from the protobuf bodies (src/shared/yunhu.ts) by
 * src/core/accounts/yunhu/conversations.ts; facts in docs/protocol/yunhu-client-facts.md §7.
 */

export type YunhuPeerKind = 'user' | 'group' | 'bot'

/** One entry of the address book. */
export interface YunhuBookEntry {
  id: string
  kind: YunhuPeerKind
  /** The display name (your remark when you set one). */
  name: string
  /** The real name when it differs from `name`. */
  realName?: string
  avatar?: string
  /** The chat is muted (no-notify). */
  muted: boolean
  /** Groups only: your role. */
  role?: 'owner' | 'admin' | 'member'
}

export interface YunhuAddressBook {
  users: YunhuBookEntry[]
  groups: YunhuBookEntry[]
  bots: YunhuBookEntry[]
}

/** A friend request to you, an invitation into a group, or a bot request. */
export interface YunhuRequest {
  /** request_id, the id agree-apply takes (decimal text). */
  id: string
  kind: YunhuPeerKind
  /** Who asks (or invites). */
  fromName: string
  fromAvatar?: string
  fromId?: string
  /** The group (or bot) it is about, for invitations. */
  targetName?: string
  targetAvatar?: string
  targetId?: string
  note?: string
  /** When it was sent, ms (0 when unknown). */
  time: number
  state: 'pending' | 'accepted' | 'declined' | 'other'
}

export interface YunhuRequests {
  list: YunhuRequest[]
  /** How many wait for an answer. */
  pending: number
}

/** A user's or a bot's profile card. */
export interface YunhuProfile {
  id: string
  kind: 'user' | 'bot'
  name: string
  avatar?: string
  introduction?: string
  medals: string[]
  /** "YYYY-MM-DD hh:mm:ss" as the server writes it. */
  registerTime?: string
  onlineDays?: number
  /** Users: your remark for them. */
  remark?: string
  /** City and district, when the user shared them. */
  place?: string
  /** Bots: how many users added it. */
  headcount?: number
  /** The chat with them is pinned / muted, per the server. */
  pinned?: boolean
  muted?: boolean
}
