/** Sharing a bot contact over HTTP: the same request in every generation, only the path and answer differ. */
import { coreText } from '../../../shared/core-text'
import type { ShareResult } from '../../../shared/mio'
import { TransportError } from '../../transport/errors'
import { isObject } from './frames'

/**
 * POSTs `{contactor}` to `url` and reads `{code, data:{shareUrl, previewImg|previewImage?}}`. A relative
 * share link is resolved against `base`. Every failure is a TransportError in words.
 */
export async function postShare(url: URL, base: URL, contactor: Record<string, unknown>, doFetch: typeof fetch, timeoutMs: number): Promise<ShareResult> {
  let res: Response
  try {
    res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contactor }),
      signal: AbortSignal.timeout(timeoutMs)
    })
  } catch (e) {
    const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')
    throw new TransportError(timedOut ? 'timeout' : 'unreachable', timedOut ? 'The server did not answer the share request in time' : coreText('shareUnreachable'))
  }
  let body: unknown
  try {
    body = await res.json()
  } catch {
    throw new TransportError('protocol', `The server answered the share request with HTTP ${res.status} and no JSON`)
  }
  if (!res.ok || !isObject(body) || (body.code !== 0 && body.code !== undefined)) {
    const msg = isObject(body) && typeof body.message === 'string' ? body.message : `HTTP ${res.status}`
    throw new TransportError('server', `Sharing failed: ${msg}`)
  }
  const d = isObject(body.data) ? body.data : {}
  const shareUrl = typeof d.shareUrl === 'string' ? new URL(d.shareUrl, base).toString() : ''
  const previewImage = typeof d.previewImg === 'string' ? d.previewImg : typeof d.previewImage === 'string' ? d.previewImage : ''
  if (!shareUrl) throw new TransportError('protocol', coreText('shareNoLink'))
  return { shareUrl, previewImage }
}
