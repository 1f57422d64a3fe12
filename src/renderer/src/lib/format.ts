/** Locale-aware formatting and error wording. */
import { connectionReason, coreText, localizeCoreText, splitCoreText } from '@shared/core-text'
import { i18n, type AppLocale } from '../i18n'

/** A sentence from the core (a connection state, a reply's reason, an error) in the UI's language. */
export function coreWords(text: string): string {
  return localizeCoreText(text, i18n.global.locale.value as AppLocale)
}
/** A core sentence in the UI's language without the technical reason it may end in (that is `detail`, for "details"). */
export function coreWordsSplit(text: string): { text: string; detail?: string } {
  return splitCoreText(text, i18n.global.locale.value as AppLocale)
}
/** A connection error under a state that already says the link is down: only the reason (not "connection lost" twice). */
export function connectionWords(text: string): string {
  return coreWordsSplit(connectionReason(text)).text
}
export function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate()
}

/** Short time for lists: today → 14:05, this week → weekday, this year → 3/14, else 2024/3/14. */
export function formatListTime(ms: number, locale: string, now = Date.now()): string {
  if (!ms) return ''
  const d = new Date(ms)
  const n = new Date(now)
  if (sameDay(d, n)) return timeFormat(locale).format(ms)
  const yesterday = new Date(now - 86_400_000)
  if (sameDay(d, yesterday)) return locale.startsWith('zh') ? '昨天' : 'Yesterday'
  if (now - ms < 6 * 86_400_000) return d.toLocaleDateString(locale, { weekday: 'short' })
  if (d.getFullYear() === n.getFullYear()) return d.toLocaleDateString(locale, { month: 'numeric', day: 'numeric' })
  return d.toLocaleDateString(locale, { year: 'numeric', month: 'numeric', day: 'numeric' })
}

/** `toLocaleTimeString` with options builds a formatter on every call; rows format their time on every render. */
const timeFormats = new Map<string, Intl.DateTimeFormat>()
function timeFormat(locale: string): Intl.DateTimeFormat {
  let f = timeFormats.get(locale)
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    } catch {
      f = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    }
    timeFormats.set(locale, f)
  }
  return f
}

/**
 * Formatted times by locale and minute: a row re-renders on every frame of a streamed reply, and
 * Intl formatting costs more than the rest of its meta line. Bounded (cleared when full).
 */
const formattedTimes = new Map<string, string>()
export function formatMessageTime(ms: number, locale: string): string {
  // Time zones are whole minutes apart, so one minute of epoch time is one minute on the clock.
  const key = `${locale}\u0000${Math.floor(ms / 60_000)}`
  let s = formattedTimes.get(key)
  if (s === undefined) {
    if (formattedTimes.size >= 2000) formattedTimes.clear()
    s = timeFormat(locale).format(ms)
    formattedTimes.set(key, s)
  }
  return s
}

export function formatDayDivider(ms: number, locale: string, now = Date.now()): string {
  const d = new Date(ms)
  if (sameDay(d, new Date(now))) return locale.startsWith('zh') ? '今天' : 'Today'
  if (sameDay(d, new Date(now - 86_400_000))) return locale.startsWith('zh') ? '昨天' : 'Yesterday'
  return d.toLocaleDateString(locale, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' })
}

export type LoginErrorKind = 'auth' | 'silent' | 'notMio' | 'unreachable' | 'timeout' | 'other'

/** Strips IPC wrappers ("Error invoking remote method 'x': Error: …") and stack traces. */
/** An error's first line as the core wrote it (English): for telling kinds of error apart. */
export function rawError(e: unknown): string {
  let m = e instanceof Error ? e.message : typeof e === 'string' ? e : coreText('unknownError')
  m = m.replace(/^Error invoking remote method '[^']*':\s*/, '').replace(/^(?:[A-Za-z]*Error:\s*)+/, '')
  m = m.split('\n')[0]!.trim()
  return m || coreText('unknownError')
}

/** An error's first line, fit to show: in the UI's language where the core's sentence is known. */
export function cleanError(e: unknown): string {
  return coreWords(rawError(e))
}

export function classifyLoginError(message: string, errorKind?: string): LoginErrorKind {
  const m = message.toLowerCase()
  // What the core says when nothing (or nothing Mio-Chat) answered: the server stayed silent on the upgrade
  // (a real Mio-Chat server's answer to a wrong code), or it is no Mio-Chat gateway at all.
  if (/^no answer from the server within .*wrong access code/.test(m)) return 'silent'
  if (/probably not a mio-chat server|there is no gateway at this address/.test(m)) return 'notMio'
  if (errorKind === 'auth') return 'auth'
  if (errorKind === 'unreachable') return 'unreachable'
  if (errorKind === 'timeout') return 'timeout'
  if (/invalid credential|wrong (access )?code|access code|unauthori[sz]ed|forbidden|refused the (code|credentials)|token|\b40[13]\b|auth/.test(m)) return 'auth'
  if (/unreachable|econnrefused|enotfound|ehostunreach|could not (be )?reach|cannot reach|could not connect|failed to connect|network|dns|connection refused/.test(m)) return 'unreachable'
  if (/timed? ?out|timeout/.test(m)) return 'timeout'
  return 'other'
}

/** Seconds left until `retryAt` (never negative). */
export function secondsUntil(retryAt: number | undefined, now: number): number {
  if (!retryAt) return 0
  return Math.max(0, Math.ceil((retryAt - now) / 1000))
}
