/** The local full-text search over every stored conversation (issue #13): query, filters and hits. */
export type SearchKindFilter = 'ai' | 'file' | 'image' | 'video' | 'audio' | 'text' | 'other'

export interface HistorySearchQuery {
  /** What to find: every word must occur (case-insensitive; Chinese substrings of any length). */
  text: string
  /** Only these accounts (all when absent). */
  accountIds?: string[]
  /** Only this conversation (with one account). */
  contactId?: string
  /** Only messages whose sender's name or id contains this. */
  sender?: string
  /** Only messages I sent (true) or received (false). */
  self?: boolean
  /** Time range, epoch ms, inclusive. */
  from?: number
  to?: number
  kinds?: SearchKindFilter[]
  /** Page: hits older than this time (the last hit's `time`), newest first. */
  before?: number
  /** At most this many hits (default 50, at most 200). */
  limit?: number
}

/** The matched text around the first match: shown as before + <mark>match</mark> + after (never as HTML). */
export interface SearchSnippet {
  before: string
  match: string
  after: string
}

export interface HistorySearchHit {
  accountId: string
  contactId: string
  messageId: string
  time: number
  self: boolean
  senderId?: string
  senderName?: string
  kind: SearchKindFilter
  snippet: SearchSnippet
}
