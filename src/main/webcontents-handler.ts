/**
 * Security hardening of every webContents and of the session (Electron's security checklist):
 * no navigation away from the app, no new windows, no <webview>, permissions denied by default,
 * a strict CSP response header, and `openExternal` only for parsed http/https URLs.
 */
import { shell } from 'electron'
import type { Session, WebContents } from 'electron'
import type { DownloadProgress } from '../shared/api'
import { CONTENT_SECURITY_POLICY } from '../shared/csp'
import { isAppProtocolUrl } from './app-protocol'

export { CONTENT_SECURITY_POLICY }

/** Decides whether a URL belongs to the app (app:// origin, or the dev server origin in development). */
export type AppUrlCheck = (url: string) => boolean

/** Builds the check for our origin: `app://miodesk`, plus the dev server origin when one is given. */
export function createAppUrlCheck(devServerUrl?: string): AppUrlCheck {
  let devOrigin: string | null = null
  if (devServerUrl) {
    try {
      const u = new URL(devServerUrl)
      if (u.protocol === 'http:' || u.protocol === 'https:') devOrigin = u.origin
    } catch {
      devOrigin = null
    }
  }
  return (url: string) => {
    if (isAppProtocolUrl(url)) return true
    if (!devOrigin) return false
    try {
      const u = new URL(url)
      return u.origin === devOrigin && u.username === '' && u.password === ''
    } catch {
      return false
    }
  }
}

/** Parses `url` and returns it normalised when it is a plain http/https URL without credentials, else null. */
export function parseExternalUrl(url: unknown): string | null {
  if (typeof url !== 'string' || url.length === 0 || url.length > 8192) return null
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return null
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null
  if (u.username !== '' || u.password !== '') return null
  if (u.hostname === '') return null
  return u.href
}

/** Opens a link in the system browser, only after re-parsing it as an http/https URL without credentials. */
export async function safeOpenURL(url: string): Promise<void> {
  const href = parseExternalUrl(url)
  if (!href) throw new Error('Only http and https links without credentials can be opened.')
  await shell.openExternal(href)
}

/** Permissions granted to the app's own pages; everything else (camera, mic, geolocation, …) is denied. */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write', 'fullscreen'])

export function isPermissionAllowed(permission: string, requestingUrl: string, isAppUrl: AppUrlCheck): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && isAppUrl(requestingUrl)
}

/**
 * Header edit for `webRequest.onHeadersReceived`: drops any CSP the response carries and sets ours,
 * for the app's own documents. Other responses (remote images, media) are left untouched.
 */
export function withCspHeader(
  responseHeaders: Record<string, string | string[]> | undefined,
  csp: string = CONTENT_SECURITY_POLICY
): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [k, v] of Object.entries(responseHeaders ?? {})) {
    if (k.toLowerCase() === 'content-security-policy') continue
    out[k] = Array.isArray(v) ? v : [v]
  }
  out['Content-Security-Policy'] = [csp]
  return out
}

/**
 * What a download may be: a file the app asked for (http/https through app:save-url), made (data:,
 * blob:) or loaded through the media protocol (an image saved from the lightbox).
 */
export function isAllowedDownload(url: string): boolean {
  return /^(https?:|data:|blob:|miodesk-media:)/i.test(url)
}

/**
 * Session-wide policy: permission request/check handlers (deny by default), the CSP header, and downloads:
 * only from an app page and only http(s)/data:/blob:, always through the system save dialog (no save path
 * is set, so Electron asks), with progress reported to `onDownload`.
 */
export function hardenSession(ses: Session, isAppUrl: AppUrlCheck, onDownload?: (p: DownloadProgress) => void): void {
  ses.setPermissionRequestHandler((wc, permission, callback, details) => {
    const url = details?.requestingUrl || wc?.getURL() || ''
    callback(isPermissionAllowed(permission, url, isAppUrl))
  })
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin) => isPermissionAllowed(permission, requestingOrigin, isAppUrl))
  ses.webRequest.onHeadersReceived((details, callback) => {
    if (isAppUrl(details.url)) callback({ responseHeaders: withCspHeader(details.responseHeaders) })
    else callback({})
  })
  let n = 0
  ses.on('will-download', (event, item, wc) => {
    const from = wc?.getURL?.() ?? ''
    if (!isAppUrl(from) || !isAllowedDownload(item.getURL())) {
      event.preventDefault()
      return
    }
    const id = `dl-${++n}`
    const report = (state: DownloadProgress['state']): void =>
      onDownload?.({ id, name: item.getFilename(), received: item.getReceivedBytes(), total: item.getTotalBytes(), state })
    item.on('updated', (_e, state) => report(state === 'interrupted' ? 'interrupted' : 'progressing'))
    item.once('done', (_e, state) => report(state === 'completed' ? 'completed' : state === 'cancelled' ? 'cancelled' : 'interrupted'))
  })
}

/** Per-webContents policy: navigation, redirects, new windows and <webview> attachment. */
export function hardenWebContents(contents: WebContents, isAppUrl: AppUrlCheck, openExternal: (url: string) => Promise<void> = safeOpenURL): void {
  const openIfWeb = (url: string): void => {
    if (parseExternalUrl(url)) openExternal(url).catch(() => undefined)
  }
  contents.on('will-navigate', (event, url) => {
    if (isAppUrl(url)) return
    event.preventDefault()
    // A plain link clicked in the page: show it in the system browser instead.
    openIfWeb(url)
  })
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault()
  })
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => {
    event.preventDefault()
  })
  contents.setWindowOpenHandler(({ url }) => {
    openIfWeb(url)
    return { action: 'deny' }
  })
}
