/**
 * Mio-Chat core benchmarks (numbers, not assertions):
 *  - envelope decode + dispatch (frames/s) beside bare JSON.parse of the same frames;
 *  - the same for today's Socket.IO generation (v2): the `message` events' app frames of its recordings;
 *  - streamed-reply assembly (chunks/s) beside plain string concatenation of the same chunks.
 * Goal: within 1.5× of each baseline.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeFrame, type Json } from '../src/core/protocols/mio/frames'
import { classifyV2, decodeV2Message } from '../src/core/protocols/mio/v2/frames'
import { ReplyAssembler } from '../src/core/protocols/mio/stream'
import { compareRates } from './measure'

const here = new URL('.', import.meta.url).pathname

/** Every server frame of the recordings, plus spec-style stream updates, as raw text. */
export function frameCorpus(): string[] {
  const dir = join(here, '..', 'test', 'fixtures', 'mio-transcripts')
  const frames: string[] = []
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line.trim()) continue
      const o = JSON.parse(line) as { dir?: string; raw?: string }
      if (o.dir === 'recv' && typeof o.raw === 'string') frames.push(o.raw)
    }
  }
  for (let i = 0; i < 200; i++) {
    frames.push(JSON.stringify({ request_id: 'r1', code: 0, message: 'update', data: { index: i, chunk: `word${i} `, tool_call: null } }))
  }
  return frames
}

/** The app frames (the JSON text inside `42["message","…"]`) the v2 server sent in its recordings. */
export function v2FrameCorpus(): string[] {
  const dir = join(here, '..', 'test', 'fixtures', 'mio-v2-transcripts')
  const frames: string[] = []
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line.trim()) continue
      const o = JSON.parse(line) as { dir?: string; raw?: string; packet?: string }
      if (o.dir !== 'recv' || typeof o.raw !== 'string' || !o.raw.startsWith('42[')) continue
      try {
        const ev = JSON.parse(o.raw.slice(2)) as unknown[]
        if (ev[0] === 'message' && typeof ev[1] === 'string') frames.push(ev[1])
      } catch {
        // truncated recordings of big frames
      }
    }
  }
  return frames
}

export async function benchMio(): Promise<object[]> {
  const corpus = frameCorpus()
  const reps = Math.ceil(20_000 / corpus.length)
  const n = corpus.length * reps
  let sink = 0
  const counts: Record<string, number> = {}
  const decode = compareRates(
    n,
    () => {
      for (let r = 0; r < reps; r++) {
        for (const t of corpus) {
          const f = decodeFrame(t)
          // dispatch by kind, as the client does
          switch (f.kind) {
            case 'response':
              sink += f.frame.message === undefined ? 1 : 2
              break
            case 'onebot-message':
              sink += f.segments.length
              break
            default:
              counts[f.kind] = (counts[f.kind] ?? 0) + 1
          }
        }
      }
    },
    () => {
      for (let r = 0; r < reps; r++) for (const t of corpus) sink += (JSON.parse(t) as Json) ? 1 : 0
    }
  )

  const v2 = v2FrameCorpus()
  const v2reps = Math.ceil(20_000 / Math.max(1, v2.length))
  const v2n = v2.length * v2reps
  const v2decode = compareRates(
    v2n,
    () => {
      for (let r = 0; r < v2reps; r++) {
        for (const t of v2) {
          const d = decodeV2Message(t)
          if (!d.ok) continue
          // dispatch by kind, as the client does
          const c = classifyV2(d.frame)
          counts[c.kind] = (counts[c.kind] ?? 0) + 1
        }
      }
    },
    () => {
      for (let r = 0; r < v2reps; r++) for (const t of v2) sink += (JSON.parse(t) as Json).request_id ? 1 : 0
    }
  )

  const CHUNKS = 20_000
  const frames: Json[] = []
  for (let i = 0; i < CHUNKS; i++) {
    frames.push(
      i % 50 === 7
        ? { request_id: 'x', protocol: 'openai', message: 'update', data: { chunk: '', tool_call: { name: 'calc', id: 'c1', action: 'pending', params: '{"a":', result: '' } } }
        : { request_id: 'x', code: 0, message: 'update', data: { index: i, chunk: `tok${i % 97} `, tool_call: null } }
    )
  }
  const assemble = compareRates(
    CHUNKS,
    () => {
      const a = new ReplyAssembler('x')
      for (const f of frames) a.apply(f)
      sink += a.reply.text.length
    },
    () => {
      let text = ''
      for (const f of frames) text += (f.data as Json).chunk as string
      sink += text.length
    }
  )
  if (sink < 0) console.log(sink)
  return [
    {
      name: 'mio-envelope-decode-dispatch',
      unit: 'frames/s',
      value: decode.subject.perSecond,
      baseline: 'bare JSON.parse of the same frames',
      baseline_value: decode.baseline.perSecond,
      ratio: round(decode.baseline.perSecond / decode.subject.perSecond),
      goal: 'ratio <= 1.5',
      met: decode.baseline.perSecond / decode.subject.perSecond <= 1.5,
      frames: n
    },
    {
      name: 'mio-v2-decode-dispatch',
      unit: 'frames/s',
      value: v2decode.subject.perSecond,
      baseline: 'bare JSON.parse of the same app frames (the v2 recordings)',
      baseline_value: v2decode.baseline.perSecond,
      ratio: round(v2decode.baseline.perSecond / v2decode.subject.perSecond),
      goal: 'ratio <= 1.5',
      met: v2decode.baseline.perSecond / v2decode.subject.perSecond <= 1.5,
      frames: v2n
    },
    {
      name: 'mio-stream-assembly',
      unit: 'chunks/s',
      value: assemble.subject.perSecond,
      baseline: 'plain string concatenation of the same frames\' data.chunk',
      baseline_value: assemble.baseline.perSecond,
      ratio: round(assemble.baseline.perSecond / assemble.subject.perSecond),
      goal: 'ratio <= 1.5',
      met: assemble.baseline.perSecond / assemble.subject.perSecond <= 1.5,
      chunks: CHUNKS
    }
  ]
}

function round(x: number): number {
  return Math.round(x * 100) / 100
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchMio().then((r) => console.log(JSON.stringify(r, null, 2)))
}
