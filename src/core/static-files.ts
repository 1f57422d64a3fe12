/**
 * Serving the built renderer from disk, shared by the Electron `app://` protocol
 * (src/main/app-protocol.ts) and the browser bridge (src/bridge/host.ts): content types and the
 * mapping of a request path to a file that never leaves the root. Plain Node (node:path only).
 */
import { realpath, stat } from 'node:fs/promises'
import { extname, isAbsolute, relative, resolve, sep } from 'node:path'

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.eot': 'application/vnd.ms-fontobject',
  '.wasm': 'application/wasm',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm'
}

/** The Content-Type for a file name (application/octet-stream when unknown). */
export function mimeType(file: string): string {
  return MIME[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * Maps a request path (still URL-encoded) to a file under `root`, or null when it is malformed or
 * escapes `root` (`..`, encoded `%2e%2e` or separators, backslashes, NUL bytes, absolute or drive
 * paths). A path ending in "/" (or empty) means its index.html.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let p: string
  try {
    p = decodeURIComponent(urlPath)
  } catch {
    return null
  }
  if (p.includes('\0') || p.includes('\\')) return null
  if (p === '' || p.endsWith('/')) p += 'index.html'
  const base = resolve(root)
  const file = resolve(base, `.${p.startsWith('/') ? p : `/${p}`}`)
  const rel = relative(base, file)
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null
  return file
}

/**
 * The file a request path names, as a real path (symlinks resolved) that is a regular file inside the real
 * `root`, or null: a symlink inside the root must not serve a file outside it.
 */
export async function resolveRealFile(root: string, urlPath: string): Promise<string | null> {
  const file = resolveStaticPath(root, urlPath)
  if (!file) return null
  try {
    const [real, realRoot] = await Promise.all([realpath(file), realpath(root)])
    if (real !== realRoot && !real.startsWith(realRoot + sep)) return null
    return (await stat(real)).isFile() ? real : null
  } catch {
    return null
  }
}
