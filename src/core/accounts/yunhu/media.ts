/**
 * Yunhu's media hosts (facts: docs/protocol/yunhu-media.md): which hosts serve media, the Referer they
 * require (without it they answer 403), and where a bare key or relative path lives.
 */
import type { MediaPolicy } from '../../media/policy'

/** The Referer the media hosts require (docs, VUE and NY send the http form). */
export const YUNHU_MEDIA_REFERER = 'http://myapp.jwznb.com'

/** The CDN base of each kind of media (GET /v1/misc/configure-distribution, api/README.md). */
export const YUNHU_CDN = {
  image: 'https://chat-img.jwznb.com/',
  file: 'https://chat-file.jwznb.com/',
  audio: 'https://chat-audio1.jwznb.com/',
  video: 'https://chat-video1.jwznb.com/'
} as const

export type YunhuMediaKind = keyof typeof YUNHU_CDN

/** Every host MioDesk fetches Yunhu media from (shared: the renderer trusts them for images in messages). */
import { YUNHU_MEDIA_HOSTS } from '../../../shared/yunhu-media-hosts'
export { YUNHU_MEDIA_HOSTS }

/**
 * A media field's value as a full URL: a value without a scheme is a key or relative path on the
 * kind's CDN host (image, image_url, sticker → chat-img; video → chat-video1; audio → chat-audio1;
 * file → chat-file), and a doubled `https://host/https://host/…` is repaired. Full URLs stay as they are.
 */
export function yunhuMediaUrl(value: string | undefined, kind: YunhuMediaKind = 'image'): string {
  const v = String(value ?? '').trim()
  if (!v) return ''
  const doubled = /^https?:\/\/[^/]+\/(https?:\/\/.+)$/i.exec(v)
  if (doubled) return doubled[1]!
  if (/^[a-z][a-z0-9+.-]*:/i.test(v) || v.startsWith('//')) return v
  return YUNHU_CDN[kind] + v.replace(/^\/+/, '')
}

/**
 * The media policy of a Yunhu account with this API base. A plain-http base is a local reference
 * server (as for the push socket, see yunhuWsUrl): it stands in for the CDN at
 * `<base>/cdn/<host>/<path>`, with the same Referer rule.
 */
export function yunhuMediaPolicy(api: string): MediaPolicy {
  let local: URL | undefined
  try {
    const u = new URL(api)
    if (u.protocol === 'http:') local = u
  } catch {
    local = undefined
  }
  return {
    platform: 'Yunhu',
    hosts: YUNHU_MEDIA_HOSTS,
    headers: { Referer: YUNHU_MEDIA_REFERER },
    resolveRelative: (v) => yunhuMediaUrl(v, 'image'),
    ...(local ? { upstream: (url: URL) => new URL(`/cdn/${url.hostname}${url.pathname}${url.search}`, local) } : {})
  }
}
