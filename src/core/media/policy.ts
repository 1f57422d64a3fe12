/**
 * What a platform's media hosts need: which hosts they are (nothing else is fetched), the headers a
 * request must carry, and how a bare key or relative path becomes a full URL. Each provider declares
 * one per account (`AccountProvider.mediaPolicy`); the MediaService (service.ts) enforces it.
 */
import type { MediaErrorCode } from '../../shared/media'

export interface MediaPolicy {
  /** For messages: "Yunhu". */
  platform: string
  /** The media/CDN host names (lowercase, exact). */
  hosts: ReadonlySet<string>
  /** Headers every request sends (e.g. Yunhu's Referer). */
  headers: Readonly<Record<string, string>>
  /** A scheme-less value (a key, a relative path) as a full URL on the platform's media host. */
  resolveRelative(value: string): string
  /**
   * Where a checked platform URL is actually fetched (default: itself). A local reference server
   * stands in for the CDN this way; the host check is made on the platform URL, before this.
   */
  upstream?(url: URL): URL
}

export class MediaError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string
  ) {
    super(message)
    this.name = 'MediaError'
  }
}

/**
 * A platform media URL (or key) as a checked absolute URL: http/https only, no credentials, only the
 * policy's hosts; scheme-less values are resolved by the policy first. Throws a MediaError in words.
 */
export function checkMediaUrl(policy: MediaPolicy, value: string): URL {
  const v = String(value ?? '').trim()
  if (!v) throw new MediaError('not-allowed', 'No media address was given')
  let u: URL
  try {
    const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(v)
    u = new URL(hasScheme ? v : v.startsWith('//') ? `https:${v}` : policy.resolveRelative(v))
  } catch {
    throw new MediaError('not-allowed', 'That media address is not a valid URL')
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new MediaError('not-allowed', `Only http and https media can be loaded, not ${u.protocol.replace(/:$/, '')}`)
  if (u.username || u.password) throw new MediaError('not-allowed', 'Media addresses with credentials are not loaded')
  const host = u.hostname.toLowerCase()
  if (!policy.hosts.has(host)) throw new MediaError('not-allowed', `${host} is not a ${policy.platform} media host, so it is not loaded`)
  u.hash = ''
  return u
}
