/**
 * What a model reports while it answers (CompletionSink, ToolExecutor: dialect-free), and the spec
 * dialect's sink: `update` frames carry a running `index` (0, 1, 2, … over every update of the request).
 */
import type { RequestId } from './protocol'
import type { ToolResult } from './tools'

export type ToolAction = 'started' | 'pending' | 'running' | 'finished'

export interface ToolCallFrame {
  name: string
  id: string
  action: ToolAction
  /** started: ""; pending: only this fragment of the arguments; running/finished: the full arguments. */
  params: string
  /** finished only: the result as the dialect shows it (spec: `{error: string|null, result}`). */
  result?: unknown
  /** A short label of a running call (v2: the command of a terminal call). */
  displayName?: string
}

export interface CompletionSink {
  readonly signal: AbortSignal
  reasoning(text: string): void
  text(chunk: string): void
  tool(call: ToolCallFrame): void
  /** Sends buffered text (non-streamed requests); called before completed/failed. */
  flush(): void
  /** A model round starts answering (first, and again after each round of tool calls). */
  round?(): void
}

/** A tool call whose arguments the model has finished: the executor runs it. */
export interface ToolCallRequest {
  id: string
  /** The name as the model called it (v2: the full `<base>_mid_<hash>` name). */
  name: string
  /** The full JSON argument text. */
  params: string
}

/**
 * Runs one tool call and reports it from `running` to `finished` on the sink (the dialect decides what
 * that looks like: checks, questions to the user, result shape). Resolves with what the model is told.
 */
export type ToolExecutor = (call: ToolCallRequest, sink: CompletionSink) => Promise<ToolResult>

export function createSink(
  requestId: RequestId,
  send: (frame: unknown) => void,
  signal: AbortSignal,
  stream: boolean
): CompletionSink {
  let index = 0
  let bufText = ''
  let bufReasoning = ''
  const update = (data: Record<string, unknown>): void => {
    if (signal.aborted) return
    send({ request_id: requestId, code: 0, message: 'update', data: { index: index++, ...data } })
  }
  const flush = (): void => {
    if (bufReasoning) update({ chunk: '', tool_call: null, reasoning_content: bufReasoning })
    if (bufText) update({ chunk: bufText, tool_call: null })
    bufReasoning = ''
    bufText = ''
  }
  return {
    signal,
    reasoning(text) {
      if (!text) return
      if (stream) update({ chunk: '', tool_call: null, reasoning_content: text })
      else bufReasoning += text
    },
    text(chunk) {
      if (!chunk) return
      if (stream) update({ chunk, tool_call: null })
      else bufText += chunk
    },
    tool(call) {
      flush()
      const tool_call: Record<string, unknown> = { name: call.name, id: call.id, action: call.action, params: call.params }
      if (call.action === 'finished') tool_call.result = call.result ?? null
      update({ chunk: '', tool_call })
    },
    flush
  }
}

/** Splits text into chunks of a few words; the chunks concatenate back to the exact input. */
export function wordChunks(text: string, wordsPerChunk = 3): string[] {
  const lead = /^\s*/.exec(text)?.[0] ?? ''
  const words = text.slice(lead.length).match(/\S+\s*/g) ?? []
  const out: string[] = []
  for (let i = 0; i < words.length; i += wordsPerChunk) out.push(words.slice(i, i + wordsPerChunk).join(''))
  if (lead) {
    if (out.length) out[0] = lead + out[0]
    else out.push(lead)
  }
  return out
}

/** Splits a string into `parts` non-empty pieces (fewer when it is shorter than `parts`). */
export function fragments(s: string, parts = 3): string[] {
  const n = Math.max(1, Math.min(parts, s.length))
  const size = Math.ceil(s.length / n)
  const out: string[] = []
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size))
  return out.length ? out : ['']
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done(): void {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}
