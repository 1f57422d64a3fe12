/** Loading the recordings of the real Mio-Chat server (`test/fixtures/mio-transcripts/*.jsonl`). */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isObject, type Json } from '../../src/core/protocols/mio/frames'

export const TRANSCRIPT_DIR = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/mio-transcripts')

export interface Entry {
  t_ms: number
  dir: string
  conn?: string
  frame?: unknown
  raw?: string
  binary?: boolean
  event?: string
  url?: string
  code?: number | string
  text?: string
  [k: string]: unknown
}

export interface Transcript {
  name: string
  meta: Record<string, unknown>
  entries: Entry[]
}

export function listTranscripts(): string[] {
  return readdirSync(TRANSCRIPT_DIR)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => f.replace(/\.jsonl$/, ''))
    .sort()
}

export function loadTranscript(name: string): Transcript {
  const lines = readFileSync(join(TRANSCRIPT_DIR, `${name}.jsonl`), 'utf8').split('\n').filter((l) => l.trim())
  const first = JSON.parse(lines[0]!) as { meta: Record<string, unknown> }
  return { name, meta: first.meta, entries: lines.slice(1).map((l) => JSON.parse(l) as Entry) }
}

/** The WebSocket connections the recording client opened, in order of their `connect` event. */
export function wsConns(t: Transcript): string[] {
  const out: string[] = []
  for (const e of t.entries) {
    if (e.dir === 'event' && e.event === 'connect' && typeof e.url === 'string' && e.url.startsWith('ws') && e.conn && !out.includes(e.conn)) out.push(e.conn)
  }
  return out
}

export function connEntries(t: Transcript, conn: string): Entry[] {
  return t.entries.filter((e) => e.conn === conn)
}

export function connUrl(t: Transcript, conn: string): URL {
  const e = t.entries.find((x) => x.conn === conn && x.event === 'connect' && typeof x.url === 'string')
  if (!e) throw new Error(`${t.name}: no connect event for ${conn}`)
  return new URL(e.url as string)
}

/** How the real server answered the upgrade of `conn`. */
export function upgradeOutcome(t: Transcript, conn: string): 'accepted' | 'hung' | 'refused' {
  const es = connEntries(t, conn)
  if (es.some((e) => e.event === 'http-101' || e.event === 'open')) return 'accepted'
  if (es.some((e) => e.event === 'error' && (e.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(String(e.message))))) return 'refused'
  return 'hung'
}

/** The credentials in a gateway URL; a missing parameter counts as empty. */
export function credentials(u: URL): { id: string; token: string } {
  return { id: u.searchParams.get('mio-chat-id') ?? '', token: u.searchParams.get('mio-chat-token') ?? '' }
}

/** Every frame the server sent to a client, over all transcripts (for fuzzing). */
export function allRecvFrames(): Json[] {
  const out: Json[] = []
  for (const name of listTranscripts()) {
    for (const e of loadTranscript(name).entries) if (e.dir === 'recv' && isObject(e.frame)) out.push(e.frame)
  }
  return out
}
