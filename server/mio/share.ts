/**
 * Bot sharing over HTTP: `POST /api/share {contactor}` → `{shareUrl, previewImg}` and
 * `GET /api/share?id=ID` → `{contactor}`. Shares live in memory, and in `<dataDir>/mio-shares.json`
 * when a data directory is configured. `create` is the store itself, for the v2 generation's
 * `POST /api/share/set`.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { readJsonBody, requestUrl, sendJson } from '../http'
import { isObject } from './protocol'

const MAX_SHARES = 10_000

export interface ShareOptions {
  dataDir?: string
  /** The server's public base URL, e.g. http://127.0.0.1:8787 */
  publicUrl: () => string
  log: (line: string) => void
}

export async function createShareRoutes(opts: ShareOptions) {
  const shares = new Map<string, Record<string, unknown>>()
  const file = opts.dataDir ? join(opts.dataDir, 'mio-shares.json') : undefined
  if (file) {
    try {
      const saved: unknown = JSON.parse(await readFile(file, 'utf8'))
      if (isObject(saved)) for (const [id, c] of Object.entries(saved)) if (isObject(c)) shares.set(id, c)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') opts.log(`shares: could not read ${file}: ${String(err)}`)
    }
  }
  let saving: Promise<void> = Promise.resolve()
  const persist = (): void => {
    if (!file || !opts.dataDir) return
    const dir = opts.dataDir
    const snapshot = JSON.stringify(Object.fromEntries(shares))
    saving = saving
      .then(async () => {
        await mkdir(dir, { recursive: true })
        await writeFile(`${file}.tmp`, snapshot)
        await rename(`${file}.tmp`, file)
      })
      .catch((err) => opts.log(`shares: could not write ${file}: ${String(err)}`))
  }

  /** Stores a share and returns its id; `withId` also writes the id into the stored contactor (v2). */
  function create(contactor: Record<string, unknown>, withId = false): string {
    const id = randomBytes(8).toString('hex')
    shares.set(id, withId ? { ...contactor, id } : contactor)
    if (shares.size > MAX_SHARES) shares.delete(shares.keys().next().value as string)
    persist()
    return id
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = requestUrl(req)
    if (url.pathname !== '/api/share') return false
    if (req.method === 'POST') {
      const body = await readJsonBody(req)
      if (!isObject(body) || !isObject(body.contactor)) {
        sendJson(res, 400, { code: 1, message: 'contactor must be an object' })
        return true
      }
      const contactor = body.contactor
      const id = create(contactor)
      sendJson(res, 200, {
        code: 0,
        message: 'success',
        data: { shareUrl: `${opts.publicUrl()}/chat/0?shareId=${id}`, previewImg: previewCard(contactor) }
      })
      return true
    }
    if (req.method === 'GET') {
      const id = url.searchParams.get('id') ?? ''
      const contactor = shares.get(id)
      if (!contactor) sendJson(res, 400, { code: 1, message: 'not found' })
      else sendJson(res, 200, { code: 0, message: 'success', data: { contactor } })
      return true
    }
    sendJson(res, 405, { code: 1, message: 'method not allowed' })
    return true
  }

  return { handle, create, flush: () => saving }
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string)
}

function field(c: Record<string, unknown>, ...keys: string[]): string {
  for (const k of keys) {
    const v = c[k]
    if (typeof v === 'string' && v.trim()) return v.trim()
    if (typeof v === 'number') return String(v)
  }
  return ''
}

function clip(s: string, n: number): string {
  const chars = [...s]
  return chars.length > n ? `${chars.slice(0, n - 1).join('')}…` : s
}

/** A small SVG share card (600×240) as a data URL, showing the contactor's name and description. */
export function previewCard(contactor: Record<string, unknown>): string {
  const name = clip(field(contactor, 'name', 'title', 'nickname') || 'Unnamed contact', 28)
  const desc = clip(field(contactor, 'desc', 'description', 'signature', 'model') || 'Shared from MioDesk', 48)
  const initial = [...name][0]?.toUpperCase() ?? '?'
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="240" viewBox="0 0 600 240">` +
    `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#6d5dfc"/><stop offset="1" stop-color="#3fb6ff"/></linearGradient></defs>` +
    `<rect width="600" height="240" rx="24" fill="url(#g)"/>` +
    `<circle cx="110" cy="120" r="60" fill="#ffffff" fill-opacity="0.9"/>` +
    `<text x="110" y="142" font-family="sans-serif" font-size="60" font-weight="700" text-anchor="middle" fill="#4b3fd8">${escapeXml(initial)}</text>` +
    `<text x="200" y="112" font-family="sans-serif" font-size="34" font-weight="700" fill="#ffffff">${escapeXml(name)}</text>` +
    `<text x="200" y="152" font-family="sans-serif" font-size="20" fill="#eef">${escapeXml(desc)}</text>` +
    `<text x="200" y="200" font-family="sans-serif" font-size="16" fill="#dde">MioDesk · Mio-Chat</text>` +
    `</svg>`
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`
}
