/**
 * The `miodesk-media://` protocol: the renderer's way to show an account's platform media (Yunhu's
 * hosts answer 403 without a Referer a page cannot send). `miodesk-media://media/<account>/<url>`
 * (src/shared/media.ts) is answered by the core's MediaService (fetch with the platform's headers,
 * host allowlist, size caps, disk cache); this file only turns its answer into a Response.
 *
 * The scheme is registered privileged (in app-protocol.ts, one call for every scheme) as standard and
 * secure, with streaming (video/audio ranges); it does not bypass CSP — the CSP names it in img-src and
 * media-src only (not connect-src: a page cannot fetch it; the reason of a failure comes through the
 * `media:status` channel).
 */
import { protocol } from 'electron'
import { MEDIA_SCHEME, MEDIA_SCHEME_HOST } from '../shared/media'
import { answerMedia, mediaErrorAnswer, type MediaAnswer } from '../core/media/respond'
import type { MediaService } from '../core/media/service'

export const MEDIA_SCHEME_PRIVILEGES = { standard: true, secure: true, stream: true } as const

function toResponse(a: MediaAnswer): Response {
  return new Response(a.body as BodyInit | null, { status: a.status, headers: a.headers })
}

const notOurs = (): Response => toResponse({ ...mediaErrorAnswer('not-allowed', 'That is not a media address of this app'), status: 404 })

/** The request handler, separate from registration so tests can call it directly. */
export function createMediaProtocolHandler(media: () => MediaService): (request: Request) => Promise<Response> {
  return async (request) => {
    let u: URL
    try {
      u = new URL(request.url)
    } catch {
      return notOurs()
    }
    if (u.protocol !== `${MEDIA_SCHEME}:` || u.host !== MEDIA_SCHEME_HOST || u.username || u.password) return notOurs()
    return toResponse(await answerMedia(media(), u.pathname, { method: request.method, range: request.headers.get('range') }))
  }
}

/** Serves `miodesk-media://` from the core's MediaService. Call after the app is ready. */
export function registerMediaProtocol(media: () => MediaService): void {
  protocol.handle(MEDIA_SCHEME, createMediaProtocolHandler(media))
}
