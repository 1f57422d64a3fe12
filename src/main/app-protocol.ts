/**
 * The custom `app://` protocol the renderer is loaded from (never file://, never a remote URL).
 * `app://miodesk/<path>` serves files of the built renderer (out/renderer) with a path-traversal check
 * and the CSP header on every response.
 */
import { readFile } from 'node:fs/promises'
import { protocol } from 'electron'
import { CONTENT_SECURITY_POLICY } from '../shared/csp'
import { mimeType, resolveRealFile, resolveStaticPath } from '../core/static-files'
import { MEDIA_SCHEME } from '../shared/media'
import { MEDIA_SCHEME_PRIVILEGES } from './media-protocol'

export const APP_SCHEME = 'app'
export const APP_HOST = 'miodesk'
/** Note: Node's URL gives `origin === 'null'` for non-special schemes; compare protocol + host instead. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`

export { mimeType }

/**
 * Must run before `app.whenReady()`, once for every scheme (Electron takes one call): app:// and the
 * media scheme (media-protocol.ts). Both are standard + secure, and neither bypasses CSP.
 */
export function registerAppSchemePrivileged(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true }
    },
    { scheme: MEDIA_SCHEME, privileges: { ...MEDIA_SCHEME_PRIVILEGES } }
  ])
}

/** True when `url` belongs to the app's own origin (`app://miodesk`). */
export function isAppProtocolUrl(url: string): boolean {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === ''
}

/**
 * Maps an `app://miodesk/...` URL to a file under `root`, or null when the URL is foreign, malformed or
 * escapes `root` (see resolveStaticPath: `..`, encoded `%2e%2e`, encoded separators, NUL bytes,
 * absolute or drive paths).
 */
export function resolveAppPath(root: string, url: string): string | null {
  if (!isAppProtocolUrl(url)) return null
  return resolveStaticPath(root, new URL(url).pathname)
}

function securityHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer'
  }
}

/** The request handler, separate from registration so tests can call it directly. */
export function createAppProtocolHandler(root: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('Method not allowed', { status: 405, headers: securityHeaders('text/plain; charset=utf-8') })
    }
    if (!resolveAppPath(root, request.url)) return new Response('Forbidden', { status: 403, headers: securityHeaders('text/plain; charset=utf-8') })
    // Real paths: a symlink inside the renderer folder must not serve a file outside it.
    const file = await resolveRealFile(root, new URL(request.url).pathname)
    if (!file) return new Response('Not found', { status: 404, headers: securityHeaders('text/plain; charset=utf-8') })
    try {
      const body = await readFile(file)
      return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
        status: 200,
        headers: securityHeaders(mimeType(file))
      })
    } catch {
      return new Response('Not found', { status: 404, headers: securityHeaders('text/plain; charset=utf-8') })
    }
  }
}

/** Serves `root` (the built renderer) on `app://miodesk`. Call after the app is ready. */
export function registerAppProtocol(root: string): void {
  protocol.handle(APP_SCHEME, createAppProtocolHandler(root))
}
