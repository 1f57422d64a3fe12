/**
 * `openai/completions`: validation, then `pending` → `update`* → `completed` | `failed`.
 * Built-in model "mio-demo" runs locally; upstream models are proxied.
 */
import type { Session } from './gateway'
import { DEMO_MODEL, runDemoModel, type ChatMessage } from './model'
import { failure, isObject, type RequestId } from './protocol'
import { createSink, sleep, type ToolExecutor } from './sink'
import { isToolName, runTool, TOOL_DEFINITIONS, TOOL_NAMES, type ToolResult } from './tools'
import type { Upstream } from './upstream'

export interface CompletionContext {
  chunkDelayMs: number
  upstream?: Upstream
  nextCallId: () => string
  log: (line: string) => void
}

const NUMERIC_PARAMS = ['temperature', 'top_p', 'presence_penalty', 'frequency_penalty'] as const
const MAX_MESSAGES = 1000

interface ValidRequest {
  model: string
  /** Text view of the messages for the demo model. */
  messages: ChatMessage[]
  /** The messages as sent (for the upstream). */
  rawMessages: Array<Record<string, unknown>>
  params: Partial<Record<(typeof NUMERIC_PARAMS)[number], number>>
  stream: boolean
  allowedTools: Set<string>
}

/** The text of a message's content: a string, null, or OpenAI content parts (the text ones). */
export function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content
  if (content === null) return ''
  if (Array.isArray(content)) {
    // OpenAI content parts: keep the text ones.
    let out = ''
    for (const part of content) {
      if (!isObject(part)) return undefined
      if (part.type === 'text' && typeof part.text === 'string') out += part.text
    }
    return out
  }
  return undefined
}

function validate(data: unknown): ValidRequest | string {
  if (!isObject(data)) return 'data must be an object'
  if (typeof data.model !== 'string' || data.model.trim() === '') return 'data.model must be a non-empty string'
  const raw = data.messages
  if (!Array.isArray(raw) || raw.length === 0) return 'data.messages must be a non-empty array of {role, content}'
  if (raw.length > MAX_MESSAGES) return `data.messages has more than ${MAX_MESSAGES} items`
  const messages: ChatMessage[] = []
  for (let i = 0; i < raw.length; i++) {
    const m: unknown = raw[i]
    if (!isObject(m) || typeof m.role !== 'string' || m.role === '') return `data.messages[${i}] must be {role, content}`
    const text = contentText(m.content)
    if (text === undefined) return `data.messages[${i}].content must be a string`
    messages.push({ role: m.role, content: text })
  }
  const params: ValidRequest['params'] = {}
  for (const k of NUMERIC_PARAMS) {
    const v = data[k]
    if (v === undefined || v === null) continue
    if (typeof v !== 'number' || !Number.isFinite(v)) return `data.${k} must be a number`
    params[k] = v
  }
  if (data.stream !== undefined && data.stream !== null && typeof data.stream !== 'boolean') return 'data.stream must be a boolean'
  let allowedTools: Set<string>
  if (data.tools === undefined || data.tools === null) allowedTools = new Set(TOOL_NAMES)
  else if (Array.isArray(data.tools) && data.tools.every((t) => typeof t === 'string')) allowedTools = new Set(data.tools as string[])
  else return 'data.tools must be an array of tool names'
  return {
    model: data.model,
    messages,
    rawMessages: structuredClone(raw) as Array<Record<string, unknown>>,
    params,
    stream: data.stream !== false,
    allowedTools
  }
}

/**
 * The spec dialect's tool runtime: `running` (then `delayMs`), the local tool if the request allows it,
 * `finished` with `result:{error, result}`.
 */
export function localToolExecutor(allowed: ReadonlySet<string>, delayMs = 0): ToolExecutor {
  return async (call, sink) => {
    sink.tool({ name: call.name, id: call.id, action: 'running', params: call.params })
    if (delayMs > 0) await sleep(delayMs, sink.signal)
    const result: ToolResult =
      isToolName(call.name) && allowed.has(call.name) ? runTool(call.name, call.params) : { error: `tool not available: ${call.name}`, result: null }
    sink.tool({ name: call.name, id: call.id, action: 'finished', params: call.params, result })
    return result
  }
}

export async function handleCompletion(s: Session, rid: RequestId, data: unknown, ctx: CompletionContext): Promise<void> {
  const req = validate(data)
  if (typeof req === 'string') return s.send(failure(rid, req))
  const key = `${typeof rid}:${String(rid)}`
  if (s.completions.has(key)) return s.send(failure(rid, 'a completion with this request_id is already running'))
  const controller = new AbortController()
  s.completions.set(key, controller)
  const signal = controller.signal
  const sink = createSink(rid, (f) => s.send(f), signal, req.stream)
  const finish = (frame: Record<string, unknown>): void => {
    if (signal.aborted) return
    sink.flush()
    s.send({ request_id: rid, code: 0, ...frame })
  }
  s.send({ request_id: rid, code: 0, message: 'pending' })
  try {
    if (req.model === DEMO_MODEL) {
      const allowedTools = new Set(TOOL_NAMES.filter((n) => req.allowedTools.has(n)))
      await runDemoModel(
        {
          messages: req.messages,
          allowedTools,
          chunkDelayMs: ctx.chunkDelayMs,
          nextCallId: ctx.nextCallId,
          execute: localToolExecutor(allowedTools, ctx.chunkDelayMs)
        },
        sink
      )
    } else if (ctx.upstream && (await ctx.upstream.hasModel(req.model))) {
      await ctx.upstream.complete(
        {
          model: req.model,
          messages: req.rawMessages,
          params: req.params,
          tools: TOOL_NAMES.filter((n) => req.allowedTools.has(n)).map((n) => TOOL_DEFINITIONS[n]),
          execute: localToolExecutor(req.allowedTools),
          nextCallId: ctx.nextCallId
        },
        sink
      )
    } else {
      finish({ message: 'failed', data: { reason: `unknown model: ${req.model.slice(0, 200)}` } })
      return
    }
    finish({ message: 'completed' })
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    ctx.log(`completion ${String(rid)} failed: ${reason}`)
    finish({ message: 'failed', data: { reason } })
  } finally {
    if (s.completions.get(key) === controller) s.completions.delete(key)
  }
}
