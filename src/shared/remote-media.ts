/**
 * Which images and media in messages load by themselves. A request to a stranger's server tells it the
 * user's address and that the message was read, so — as Element and Signal do — media from other sites
 * load only once the user allows them (per conversation, or always in settings). Trusted without asking:
 * what is already in the app (data:, blob:, the app's own media URL, relative paths), the account's own
 * server, and the platform's media hosts (Yunhu's CDN).
 */
import { YUNHU_MEDIA_HOSTS } from './yunhu-media-hosts'

export type RemoteMediaMode = 'ask' | 'always'

export interface RemoteMediaContext {
  /** Origins of the account's own server(s), as `http(s)://host[:port]`. */
  ownOrigins: readonly string[]
  /** The user's setting. */
  mode: RemoteMediaMode
  /** The user allowed remote media in this conversation. */
  allowedHere: boolean
}

/** An address that would be fetched from another server: http(s) or protocol-relative. */
export function isRemoteMediaUrl(url: string): boolean {
  const v = url.trim()
  return /^https?:/i.test(v) || v.startsWith('//')
}

/** The host a remote address names (lowercase), or '' when it is not a valid http(s) URL. */
function parsed(url: string): URL | null {
  const v = url.trim()
  try {
    const u = new URL(v.startsWith('//') ? `https:${v}` : v)
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : null
  } catch {
    return null
  }
}

/** True when a remote address belongs to the account's own server or the platform's media hosts. */
export function isTrustedMediaUrl(url: string, ownOrigins: readonly string[]): boolean {
  const u = parsed(url)
  if (!u || u.username || u.password) return false
  if (YUNHU_MEDIA_HOSTS.has(u.hostname.toLowerCase()) && u.protocol === 'https:') return true
  return ownOrigins.some((o) => {
    try {
      return new URL(o).origin === u.origin
    } catch {
      return false
    }
  })
}

/**
 * 'load' when the address may be fetched now, 'ask' when it must wait for the user (a stranger's server
 * and neither this conversation nor the setting allows it). Not-http(s) addresses are local: 'load'.
 */
export function remoteMediaVerdict(url: string, ctx: RemoteMediaContext): 'load' | 'ask' {
  if (!isRemoteMediaUrl(url)) return 'load'
  if (isTrustedMediaUrl(url, ctx.ownOrigins)) return 'load'
  return ctx.mode === 'always' || ctx.allowedHere ? 'load' : 'ask'
}

/** The host to name on a placeholder ("from example.com"), or the address itself when it has none. */
export function remoteMediaHost(url: string): string {
  return parsed(url)?.host ?? url.slice(0, 80)
}
