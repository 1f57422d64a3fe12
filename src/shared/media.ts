/**
 * The app's media URL: how the renderer loads an account's media through the core (which adds what the
 * platform's media hosts require, e.g. Yunhu's Referer, and keeps a disk cache) instead of directly.
 *
 * - Electron: `miodesk-media://media/<encoded account id>/<encoded platform URL>` (a privileged scheme,
 *   src/main/media-protocol.ts).
 * - Browser build: `/media/<encoded account id>/<encoded platform URL>?token=<bridge token>` on the
 *   bridge's own origin (src/bridge/host.ts), token-checked like the bridge's WebSocket.
 *
 * Both are served by the core's MediaService (src/core/media/). A failed request answers JSON
 * `MediaErrorBody` (a code the renderer words in the user's language, and a sentence in English).
 */

export const MEDIA_SCHEME = 'miodesk-media'
export const MEDIA_SCHEME_HOST = 'media'
/** The origin-relative path prefix the browser bridge serves media on. */
export const BRIDGE_MEDIA_PREFIX = '/media/'

/** Where the renderer runs: which media URL to build. */
export type MediaHost = { kind: 'electron' } | { kind: 'browser'; token: string }

/** Why a media request failed. */
export type MediaErrorCode =
  /** The account has no media of its own to load through the app (its media load directly). */
  | 'no-media'
  /** Not an http/https URL of one of the platform's media hosts. */
  | 'not-allowed'
  /** Bigger than the per-file limit. */
  | 'too-large'
  /** Not an image, audio, video or plain binary file. */
  | 'bad-type'
  /** The media host refused it (401/403). */
  | 'refused'
  /** The media host does not have it (404/410). */
  | 'not-found'
  /** Any other answer of the media host (5xx, too many redirects, …). */
  | 'upstream'
  /** The media host could not be reached, or stopped answering. */
  | 'network'

export const MEDIA_ERROR_CODES: readonly MediaErrorCode[] = ['no-media', 'not-allowed', 'too-large', 'bad-type', 'refused', 'not-found', 'upstream', 'network']

export interface MediaErrorBody {
  error: { code: MediaErrorCode; message: string }
}

/** The app's media URL for a platform media URL (or key) of an account, for the renderer's host. */
export function appMediaUrl(host: MediaHost, accountId: string, url: string): string {
  const path = `${encodeURIComponent(accountId)}/${encodeURIComponent(url)}`
  if (host.kind === 'electron') return `${MEDIA_SCHEME}://${MEDIA_SCHEME_HOST}/${path}`
  return `${BRIDGE_MEDIA_PREFIX}${path}?${new URLSearchParams({ token: host.token }).toString()}`
}

/**
 * Reads the account id and the platform URL from a media URL's path (`/<account>/<url>`, each
 * percent-encoded), or null when it is not one.
 */
export function parseMediaPath(pathname: string): { accountId: string; url: string } | null {
  const m = /^\/([^/]+)\/([^/]+)$/.exec(pathname)
  if (!m) return null
  try {
    const accountId = decodeURIComponent(m[1]!)
    const url = decodeURIComponent(m[2]!)
    if (!accountId || !url || url.length > 4096) return null
    return { accountId, url }
  } catch {
    return null
  }
}

/** Parses a media error answer; null when the body is not one. */
export function parseMediaError(body: unknown): MediaErrorBody['error'] | null {
  const e = (body as Partial<MediaErrorBody> | null)?.error
  if (!e || typeof e !== 'object' || typeof e.message !== 'string' || !MEDIA_ERROR_CODES.includes(e.code)) return null
  return { code: e.code, message: e.message }
}

/** A file to send, as the renderer hands it to the core (`media:stage`): its bytes in base64, never a path. */
export interface StageFileInput {
  name: string
  mime?: string
  base64: string
}

/** A file the core holds for a message to be sent: `ref` goes into the message part as `data.staged`. */
export interface StagedFile {
  ref: string
  name: string
  size: number
  mime?: string
}

/** An upload of a message being sent: `sent` of `total` bytes; `done` when it ended (sent, failed or cancelled). */
export interface UploadProgress {
  accountId: string
  contactId: string
  messageId: string
  /** The staged file being uploaded (`StagedFile.ref`): how the composer knows its attachment before the send answers. */
  ref?: string
  sent: number
  total: number
  done?: boolean
}

/** A saved sticker (expression) or a pack's sticker, as the picker shows it. */
export interface StickerItem {
  /** The relative path as the platform gives it (`expression/…`, `sticker/…`): what the message carries. */
  path: string
  /** The full URL to show it (through the app's media URL). */
  url: string
  name?: string
  expressionId?: string
  itemId?: string
  packId?: string
}

export interface StickerPack {
  id: string
  name: string
  items: StickerItem[]
}

/** The sticker picker's content: the user's saved stickers, then their packs. */
export interface StickerCatalog {
  saved: StickerItem[]
  packs: StickerPack[]
}
