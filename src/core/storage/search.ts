/**
 * The local full-text search, the parts without a database: what a message puts in the search columns,
 * the words of a query and how they are quoted for FTS5 and LIKE, the hit with its snippet, and the same
 * query answered in memory (search-index.ts runs the SQL).
 */
import type { ChatMessage } from '../../shared/mio'
import { coreText } from '../../shared/core-text'
import type { HistorySearchHit, HistorySearchQuery, SearchKindFilter } from '../../shared/search'
import { SEARCH_KINDS, searchKind, searchText } from './search-text'

export interface SearchColumns {
  text: string
  kind: string
  /** The sender's id and name, for the sender filter. */
  sender: string
}

export function searchColumns(m: ChatMessage): SearchColumns {
  return { text: searchText(m), kind: searchKind(m), sender: [m.senderId, m.senderName].filter(Boolean).join(' ') }
}

export interface SearchRow {
  account: string
  contact: string
  id: string
  time: number
  self: number
  kind: string
  text: string
  body: string
}

export const MAX_SEARCH_WORDS = 8
export const MAX_SEARCH_LIMIT = 200

/** How many hits a query asks for: 50 unless it says, 1 to MAX_SEARCH_LIMIT. */
export function searchLimit(q: HistorySearchQuery): number {
  return Math.min(MAX_SEARCH_LIMIT, Math.max(1, Math.floor(Number.isFinite(q.limit) ? (q.limit as number) : 50)))
}


/** A LIKE pattern that matches `w` anywhere, with LIKE's own characters escaped (ESCAPE '\'). */
export function likeAnywhere(w: string): string {
  return `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

/** An FTS5 query where every word is a quoted string (no operator of the user's can change its meaning). */
export function ftsQuery(words: string[]): string {
  return words.map((w) => `"${w.replace(/"/g, '""')}"`).join(' AND ')
}

/** The words of a query: split on white space, at most MAX_SEARCH_WORDS, each at most 200 characters. */
export function searchWords(text: string): string[] {
  return text
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, MAX_SEARCH_WORDS)
    .map((w) => Array.from(w).slice(0, 200).join(''))
}

const BEFORE_CHARS = 24
const AFTER_CHARS = 80

/** The text around the earliest match of any word (case-insensitive), cut at character boundaries. */
export function snippetOf(text: string, words: string[]): HistorySearchHit['snippet'] {
  const lower = text.toLowerCase()
  let at = -1
  let len = 0
  for (const w of words) {
    const i = lower.indexOf(w.toLowerCase())
    if (i >= 0 && (at < 0 || i < at)) {
      at = i
      len = w.length
    }
  }
  if (at < 0) return { before: '', match: '', after: Array.from(text).slice(0, AFTER_CHARS).join('') }
  const before = Array.from(text.slice(0, at))
  const after = Array.from(text.slice(at + len))
  return {
    before: (before.length > BEFORE_CHARS ? '…' : '') + before.slice(-BEFORE_CHARS).join(''),
    match: text.slice(at, at + len),
    after: after.slice(0, AFTER_CHARS).join('') + (after.length > AFTER_CHARS ? '…' : '')
  }
}

export function hitOf(r: SearchRow, words: string[]): HistorySearchHit {
  let senderId: string | undefined
  let senderName: string | undefined
  try {
    const m = JSON.parse(r.body) as ChatMessage
    senderId = m.senderId
    senderName = m.senderName
  } catch {
    /* the hit stays without a sender */
  }
  return {
    accountId: r.account,
    contactId: r.contact,
    messageId: r.id,
    time: r.time,
    self: r.self !== 0,
    senderId,
    senderName,
    kind: ((SEARCH_KINDS as readonly string[]).includes(r.kind) ? r.kind : 'other') as SearchKindFilter,
    snippet: snippetOf(r.text, words)
  }
}

/**
 * The same query answered in memory, for stores without an index (the in-memory history, messages held
 * while the disk refuses writes): every word a case-insensitive substring of the text, the same filters.
 */
export function searchMessages(q: HistorySearchQuery, messages: Iterable<{ accountId: string; message: ChatMessage }>): HistorySearchHit[] {
  const words = searchWords(typeof q.text === 'string' ? q.text : '')
  if (words.length === 0) return []
  const lower = words.map((w) => w.toLowerCase())
  const kinds = new Set(q.kinds ?? [])
  const sender = q.sender?.trim().toLowerCase()
  const hits: SearchRow[] = []
  for (const { accountId, message: m } of messages) {
    if (q.accountIds?.length && !q.accountIds.includes(accountId)) continue
    if (q.contactId && m.contactId !== q.contactId) continue
    if (typeof q.self === 'boolean' && m.self !== q.self) continue
    if (Number.isFinite(q.from) && m.time < (q.from as number)) continue
    if (Number.isFinite(q.to) && m.time > (q.to as number)) continue
    if (Number.isFinite(q.before) && m.time >= (q.before as number)) continue
    const c = searchColumns(m)
    if (kinds.size && !kinds.has(c.kind as SearchKindFilter)) continue
    if (sender && !c.sender.toLowerCase().includes(sender)) continue
    const text = c.text.toLowerCase()
    if (!lower.every((w) => text.includes(w))) continue
    hits.push({ account: accountId, contact: m.contactId, id: m.id, time: m.time, self: m.self ? 1 : 0, kind: c.kind, text: c.text, body: JSON.stringify(m) })
  }
  const limit = searchLimit(q)
  return hits
    .sort((a, b) => b.time - a.time)
    .slice(0, limit)
    .map((r) => hitOf(r, words))
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const finite = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
const shortText = (v: unknown, max: number): string | undefined => (typeof v === 'string' && v.length <= max ? v : undefined)

/**
 * A search query from the renderer (untrusted): only the known fields, each of its type and size; what
 * does not fit is dropped, and a query without text is refused.
 */
export function searchQueryOf(v: unknown): HistorySearchQuery {
  if (!isRecord(v) || typeof v.text !== 'string') throw new Error(coreText('searchNeedsText'))
  if (v.text.length > 1000) throw new Error(coreText('searchTooLong', { max: '1000' }))
  const ids = (x: unknown): string[] | undefined =>
    Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string' && s.length > 0 && s.length <= 200).slice(0, 100) : undefined
  const kinds = Array.isArray(v.kinds) ? v.kinds.filter((k): k is SearchKindFilter => typeof k === 'string' && (SEARCH_KINDS as readonly string[]).includes(k)) : undefined
  return {
    text: v.text,
    accountIds: ids(v.accountIds),
    contactId: shortText(v.contactId, 200) || undefined,
    sender: shortText(v.sender, 200) || undefined,
    self: typeof v.self === 'boolean' ? v.self : undefined,
    from: finite(v.from),
    to: finite(v.to),
    before: finite(v.before),
    kinds: kinds?.length ? kinds : undefined,
    limit: finite(v.limit)
  }
}
