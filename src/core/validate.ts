/**
 * Validation of untrusted arguments shared by every account kind (the renderer and the bridge are not
 * trusted): ids, bounded text, http(s) URLs and history paging. Errors are sentences for the user.
 */
import { coreText } from '../shared/core-text'

/** A non-empty id without white space, at most 128 characters (numbers are accepted as their decimal text). */
export function requireId(v: unknown, what: string): string {
  const s = typeof v === 'string' || typeof v === 'number' ? String(v).trim() : ''
  if (!s) throw new Error(coreText('validMissing', { what }))
  if (s.length > 128 || /\s/.test(s)) throw new Error(coreText('validInvalid', { what }))
  return s
}

/** Optional text of at most `max` characters ('' when absent). */
export function optionalText(v: unknown, what: string, max: number): string {
  if (v === undefined || v === null) return ''
  if (typeof v !== 'string') throw new Error(coreText('validMustBeText', { what }))
  if (v.length > max) throw new Error(coreText('validTooLong', { what, n: String(max) }))
  return v
}

/** An http:// or https:// URL (returned trimmed), or '' when empty and `allowEmpty`. */
export function requireHttpUrl(v: unknown, what: string, allowEmpty = false): string {
  const s = typeof v === 'string' ? v.trim() : ''
  if (!s) {
    if (allowEmpty) return ''
    throw new Error(coreText('enterWhat', { what }))
  }
  if (s.length > 2000) throw new Error(coreText('validTooLongBare', { what }))
  let u: URL
  try {
    u = new URL(s)
  } catch {
    throw new Error(coreText('urlInvalid', { what }))
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(coreText('urlScheme', { what }))
  return s
}

export const DEFAULT_PAGE = 50
export const MAX_PAGE = 500

/**
 * History paging arguments from an untrusted caller: `before` a finite time in ms or undefined (JSON
 * carriers turn an omitted argument into null: that means "the newest page"); `limit` clamped to 1…500.
 */
export function pageArgs(before: unknown, limit: unknown): { before: number | undefined; limit: number } {
  const b = typeof before === 'number' && Number.isFinite(before) ? before : undefined
  const n = typeof limit === 'number' && Number.isFinite(limit) ? limit : DEFAULT_PAGE
  return { before: b, limit: Math.min(Math.max(1, Math.floor(n)), MAX_PAGE) }
}
