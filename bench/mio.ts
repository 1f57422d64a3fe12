/**
 * Mio-Chat core benchmarks (numbers, not assertions):
 *  - envelope decode + dispatch (frames/s) beside bare JSON.parse of the same frames;
 *  - the same for today's Socket.IO generation (v2): the `message` events' app frames of its recordings;
 *  - streamed-reply assembly (chunks/s) beside plain string concatenation of the same chunks, for a
 *    spec-dialect stream and for the real (field) server's.
 * Goals: envelope within 1.3× of its baseline, the others within 1.5×.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { decodeFrame, type Json } from '../src/core/protocols/mio/frames'
import { SeenIds } from '../src/core/protocols/mio/seen'
import type { RequestId } from '../src/shared/mio'
import { classifyV2, decodeV2Message } from '../src/core/protocols/mio/v2/frames'
import { ReplyAssembler } from '../src/core/protocols/mio/stream'
import { compareRates, type Comparison } from './measure'

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

let sink = 0

/** One pass of decode + dispatch over `corpus`, as MioClient.onFrame routes frames (seen-id dedupe included). */
function decodePass(corpus: string[], seen: SeenIds, streams: Map<RequestId, number>): void {
  for (let i = 0; i < corpus.length; i++) {
    const f = decodeFrame(corpus[i]!)
    switch (f.kind) {
      case 'bad':
        sink += f.reason.length
        break
      case 'login-push':
        sink += f.login.isAdmin ? 1 : 2
        break
      case 'onebot-message':
        if (!seen.seen(f.messageId)) sink += f.segments.length
        break
      case 'onebot-delete':
        sink += f.messageId.length
        break
      case 'response':
        // a stream frame goes to its assembler, anything else to the request waiting for it
        sink += streams.get(f.requestId) ?? (f.frame.message === undefined ? 1 : 2)
        break
    }
  }
}

function parsePass(corpus: string[]): void {
  for (let i = 0; i < corpus.length; i++) sink += (JSON.parse(corpus[i]!) as Json) ? 1 : 0
}

/** One pass over the v2 app frames, as MioV2Client.onMessage routes them. */
function v2DecodePass(corpus: string[], seen: SeenIds): void {
  for (let i = 0; i < corpus.length; i++) {
    const d = decodeV2Message(corpus[i])
    if (!d.ok) {
      sink += d.reason.length
      continue
    }
    const c = classifyV2(d.frame)
    switch (c.kind) {
      case 'login-push':
        sink += c.login.isAdmin ? 1 : 2
        break
      case 'models-updated':
        sink += c.providers.length
        break
      case 'reply':
        sink += c.frame.message === 'update' ? 1 : 2
        break
      case 'interact-error':
        sink += c.error.length
        break
      case 'title':
        sink += c.title.length
        break
      case 'presets':
        sink += c.presets.length
        break
      case 'catalog':
        sink += c.what.length
        break
      case 'onebot-message':
        if (!seen.seen(c.messageId)) sink += c.segments.length
        break
      case 'onebot-delete':
        sink += c.messageId.length
        break
      case 'response':
        sink += c.frame.message === undefined ? 1 : 2
        break
      case 'bad':
        sink += c.reason.length
        break
    }
  }
}

function v2ParsePass(corpus: string[]): void {
  for (let i = 0; i < corpus.length; i++) sink += (JSON.parse(corpus[i]!) as Json).request_id ? 1 : 0
}

const TOOL_CALL = { name: 'calc', id: 'c1', action: 'pending', params: '{"a":', result: '' }

/**
 * A long streamed reply in one dialect: text chunks with a tool-call update every 50 frames.
 * spec: `{request_id, code:0, message, data:{index, chunk, tool_call}}`, every update counted by `index`;
 * field (the real server): `{request_id, protocol:"openai", message, data:{chunk, tool_call}}`, no code, no index.
 */
export function streamFrames(dialect: 'spec' | 'field', n: number): Json[] {
  const frames: Json[] = []
  for (let i = 0; i < n; i++) {
    const chunk = i % 50 === 7 ? '' : `tok${i % 97} `
    const toolCall = i % 50 === 7 ? { ...TOOL_CALL } : null
    frames.push(
      dialect === 'spec'
        ? { request_id: 'x', code: 0, message: 'update', data: { index: i, chunk, tool_call: toolCall } }
        : { request_id: 'x', protocol: 'openai', message: 'update', data: { chunk, tool_call: toolCall } }
    )
  }
  return frames
}

function assemble(frames: Json[]): void {
  const a = new ReplyAssembler('x')
  for (let i = 0; i < frames.length; i++) a.apply(frames[i]!)
  sink += a.reply.text.length + a.reply.toolCalls.length
}

/** The same job without the assembler: the chunks' text, and the one tool call's streamed params. */
function concatenate(frames: Json[]): void {
  let text = ''
  let params = ''
  for (let i = 0; i < frames.length; i++) {
    const d = frames[i]!.data as Json
    text += d.chunk as string
    const tc = d.tool_call as Json | null
    if (tc !== null) params += tc.params as string
  }
  sink += text.length + params.length
}

const STREAM_CHUNKS = 20_000

/** One dialect's stream: the assembler beside the bare concatenation. */
function streamAssembly(dialect: 'spec' | 'field'): Comparison {
  const frames = streamFrames(dialect, STREAM_CHUNKS)
  const short = frames.slice(0, 200)
  return compareRates(
    STREAM_CHUNKS,
    () => assemble(frames),
    () => concatenate(frames),
    { warmup: warm(2000, () => assemble(short), () => concatenate(short)) }
  )
}

/**
 * Each dialect's stream is measured in a process of its own. A server speaks one dialect, so the
 * assembler of the app sees frames of one shape; measured one after the other in one process, the
 * second figure would measure inline caches made polymorphic by the first (≈ 1.5 ns of ≈ 11 per chunk).
 */
async function streamInChild(dialect: 'spec' | 'field'): Promise<Comparison> {
  const { fork } = await import('node:child_process')
  const child = fork(fileURLToPath(import.meta.url), [STREAM_CHILD, dialect], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as Comparison))
    child.once('error', reject)
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`bench: the ${dialect} stream process exited with ${code}`))
    })
  })
}

const STREAM_CHILD = '--stream-assembly-child'

/** Many short calls of each pass, so that both sides run optimized code when measured (see CompareOptions.warmup). */
function warm(times: number, ...passes: (() => void)[]): () => void {
  return () => {
    for (let i = 0; i < times; i++) for (const p of passes) p()
  }
}

export async function benchMio(): Promise<object[]> {
  const corpus = frameCorpus()
  const reps = Math.ceil(20_000 / corpus.length)
  const n = corpus.length * reps
  const seen = new SeenIds()
  const streams = new Map<RequestId, number>([['r1', 3]])
  const decode = compareRates(
    n,
    () => {
      for (let r = 0; r < reps; r++) decodePass(corpus, seen, streams)
    },
    () => {
      for (let r = 0; r < reps; r++) parsePass(corpus)
    },
    { warmup: warm(300, () => decodePass(corpus, seen, streams), () => parsePass(corpus)) }
  )

  const v2 = v2FrameCorpus()
  const v2reps = Math.ceil(20_000 / Math.max(1, v2.length))
  const v2n = v2.length * v2reps
  const v2seen = new SeenIds()
  const v2decode = compareRates(
    v2n,
    () => {
      for (let r = 0; r < v2reps; r++) v2DecodePass(v2, v2seen)
    },
    () => {
      for (let r = 0; r < v2reps; r++) v2ParsePass(v2)
    },
    { warmup: warm(300, () => v2DecodePass(v2, v2seen), () => v2ParsePass(v2)) }
  )

  const CHUNKS = STREAM_CHUNKS
  const assembleSpec = await streamInChild('spec')
  const assembleField = await streamInChild('field')
  if (sink < 0) console.log(sink)
  const ratio = (r: Comparison): number => r.ratio
  return [
    {
      name: 'mio-envelope-decode-dispatch',
      unit: 'frames/s',
      value: decode.subject.perSecond,
      baseline: 'bare JSON.parse of the same frames',
      baseline_value: decode.baseline.perSecond,
      ratio: ratio(decode),
      goal: 'ratio <= 1.3',
      met: ratio(decode) <= 1.3,
      frames: n
    },
    {
      name: 'mio-v2-decode-dispatch',
      unit: 'frames/s',
      value: v2decode.subject.perSecond,
      baseline: 'bare JSON.parse of the same app frames (the v2 recordings)',
      baseline_value: v2decode.baseline.perSecond,
      ratio: ratio(v2decode),
      goal: 'ratio <= 1.5',
      met: ratio(v2decode) <= 1.5,
      frames: v2n
    },
    {
      name: 'mio-stream-assembly',
      unit: 'chunks/s',
      value: assembleSpec.subject.perSecond,
      baseline: "plain string concatenation of the same frames' data.chunk (and the tool call's params)",
      baseline_value: assembleSpec.baseline.perSecond,
      ratio: ratio(assembleSpec),
      goal: 'ratio <= 1.5',
      met: ratio(assembleSpec) <= 1.5,
      dialect: 'spec (code and index on every update)',
      chunks: CHUNKS
    },
    {
      name: 'mio-stream-assembly-field',
      unit: 'chunks/s',
      value: assembleField.subject.perSecond,
      baseline: "plain string concatenation of the same frames' data.chunk (and the tool call's params)",
      baseline_value: assembleField.baseline.perSecond,
      ratio: ratio(assembleField),
      goal: 'ratio <= 1.5',
      met: ratio(assembleField) <= 1.5,
      dialect: 'field (the real server: no code, no index)',
      chunks: CHUNKS
    }
  ]
}

if (process.argv[2] === STREAM_CHILD) {
  const r = streamAssembly(process.argv[3] === 'field' ? 'field' : 'spec')
  if (sink < 0) console.log(sink)
  process.send!(r, () => process.exit(0))
} else if (import.meta.url === `file://${process.argv[1]}`) {
  benchMio().then((r) => console.log(JSON.stringify(r, null, 2)))
}
