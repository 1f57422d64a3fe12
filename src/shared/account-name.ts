/**
 * The one rule for what an account is called on screen (the account rail, the account header, its
 * avatar's initials): the name the user gave it, else the platform's name for it (Mio-Chat: the server's
 * own title; Yunhu: the user's nickname), else a readable host — never `id@127.0.0.1:41677`.
 * Providers fill `AccountInfo.displayName` with it; the renderer reads it through `shownAccountName`.
 */

/** `ws://127.0.0.1:41677/api/gateway` → `localhost:41677`; `https://chat.example.com` → `chat.example.com`. */
export function readableHost(server: string): string {
  let s = (server ?? '').trim()
  if (!s) return ''
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) s = `ws://${s}`
  try {
    const u = new URL(s)
    const loopback = u.hostname === '127.0.0.1' || u.hostname === '[::1]' || u.hostname === 'localhost'
    const host = loopback ? 'localhost' : u.hostname
    return u.port ? `${host}:${u.port}` : host
  } catch {
    return (server ?? '').trim()
  }
}

/** Host and port as the old default labels wrote them (`new URL(…).host`). */
function rawHost(server: string): string {
  let s = (server ?? '').trim()
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) s = `ws://${s}`
  try {
    return new URL(s).host
  } catch {
    return ''
  }
}

/**
 * Whether a stored label is one the app made up rather than one the user typed: accounts added before
 * labels were optional were stored as `id@host` (both platforms) or `name (Yunhu)`.
 */
export function isMadeUpLabel(label: string, userId: string, server: string, nickname?: string): boolean {
  const l = (label ?? '').trim()
  if (!l) return true
  if (l === `${userId}@${rawHost(server)}`) return true
  return !!nickname && l === `${nickname} (Yunhu)`
}

/** The name shown for an account (see the file's comment). */
export function accountDisplayName(o: { label?: string; userId: string; server: string; platformName?: string; labelGiven?: boolean }): string {
  const label = (o.label ?? '').trim()
  const given = o.labelGiven ?? !isMadeUpLabel(label, o.userId, o.server, o.platformName)
  if (given && label) return label
  const platform = (o.platformName ?? '').trim()
  if (platform) return platform
  return readableHost(o.server) || label || o.userId
}

/** What the renderer shows for an account: its display name (older cores: the label). */
export function shownAccountName(a: { displayName?: string; label: string; userId: string }): string {
  return a.displayName?.trim() || a.label || a.userId
}
