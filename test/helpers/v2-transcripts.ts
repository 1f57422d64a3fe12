/** Loading the recordings of the Socket.IO Mio-Chat server (`test/fixtures/mio-v2-transcripts/*.jsonl`, format in mio-v2.md). */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isObject, type Json } from '../../src/core/protocols/mio/frames'
import type { Entry, Transcript } from './transcripts'

export const V2_TRANSCRIPT_DIR = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/mio-v2-transcripts')

export function listV2Transcripts(): string[] {
  return readdirSync(V2_TRANSCRIPT_DIR)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => f.replace(/\.jsonl$/, ''))
    .sort()
}

export function loadV2Transcript(name: string): Transcript {
  const lines = readFileSync(join(V2_TRANSCRIPT_DIR, `${name}.jsonl`), 'utf8').split('\n').filter((l) => l.trim())
  const first = JSON.parse(lines[0]!) as { meta: Record<string, unknown> }
  return { name, meta: first.meta, entries: lines.slice(1).map((l) => JSON.parse(l) as Entry) }
}

/** The app frames (`message` events) the server sent on `conn` (every conn when omitted), in order. */
export function recvFrames(t: Transcript, conn?: string): Json[] {
  return t.entries
    .filter((e) => e.dir === 'recv' && e.packet === 'sio-event' && e.event === 'message' && isObject(e.frame) && (conn === undefined || e.conn === conn))
    .map((e) => e.frame as Json)
}

/** The app frames (`message` events) the recording client sent on `conn`, in order. */
export function sentFrames(t: Transcript, conn?: string): Json[] {
  return t.entries
    .filter((e) => e.dir === 'send' && e.packet === 'sio-event' && e.event === 'message' && isObject(e.frame) && (conn === undefined || e.conn === conn))
    .map((e) => e.frame as Json)
}

/** Every event the recording client sent (name and arguments as recorded), on every conn. */
export function sentEvents(t: Transcript): { conn: string; event: string; args: unknown[]; entry: Entry }[] {
  return t.entries
    .filter((e) => e.dir === 'send' && e.packet === 'sio-event')
    .map((e) => ({
      conn: e.conn ?? '',
      event: typeof e.event === 'string' ? e.event : '',
      args: Array.isArray(e.args) ? (e.args as unknown[]) : 'frame' in e ? [JSON.stringify(e.frame)] : 'payload' in e ? [e.payload] : [],
      entry: e
    }))
}

/** The reply frames (`protocol:"llm"` with a reply word) for `requestId`, in the order received on `conn`. */
export function replyFrames(t: Transcript, requestId: string, conn?: string): Json[] {
  return recvFrames(t, conn).filter((f) => f.protocol === 'llm' && f.request_id === requestId && typeof f.message === 'string')
}

/** The completion requests the recording client sent, in order. */
export function completions(t: Transcript, conn?: string): Json[] {
  return sentFrames(t, conn).filter((f) => f.protocol === 'llm' && f.type === 'completions')
}
