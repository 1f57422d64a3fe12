/**
 * Proxy to an OpenAI-compatible upstream (`OPENAI_BASE_URL`): lists its models and streams
 * `chat/completions` (SSE) into a CompletionSink. Tool calls are run by the dialect's ToolExecutor and
 * followed up with another request. Every HTTP call has a timeout: for the response headers and for
 * each gap between stream chunks.
 */
import type { CompletionSink, ToolExecutor } from './sink'
import type { ToolResult } from './tools'

export const UPSTREAM_OWNER = 'Upstream'
const MAX_TOOL_ROUNDS = 5
const MODELS_TTL_MS = 60_000
const MODELS_FAILURE_TTL_MS = 10_000

export interface UpstreamOptions {
  baseUrl: string
  apiKey?: string
  timeoutMs: number
  log: (line: string) => void
}

export interface UpstreamRequest {
  model: string
  messages: Array<Record<string, unknown>>
  /** More body fields (sampling parameters, …); they never replace model, messages, stream or tools. */
  params?: Record<string, unknown>
  /** OpenAI function definitions offered to the model. */
  tools: readonly unknown[]
  /** Runs the calls the model makes. */
  execute: ToolExecutor
  nextCallId: () => string
}

const RESERVED_BODY_KEYS = new Set(['model', 'messages', 'stream', 'tools'])

export interface UpstreamErrorDetail {
  /** The upstream's HTTP status, when it answered with an error status. */
  status?: number
  /** The upstream's error code (`error.code` of its body), e.g. "model_not_found". */
  code?: string
  /** The upstream's own words (`error.message`), or the transport's (e.g. "terminated"). */
  reason?: string
}

export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly detail: UpstreamErrorDetail = {}
  ) {
    super(message)
  }
}

interface PendingToolCall {
  index: number
  id: string
  name: string
  args: string
  started: boolean
  /** Argument fragments received before the name was known. */
  early: string[]
}

export class Upstream {
  private readonly base: string
  private models: { list: string[]; until: number } | undefined
  private modelsInFlight: Promise<string[]> | undefined

  constructor(private readonly opts: UpstreamOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '')
  }

  private headers(json: boolean): Record<string, string> {
    const h: Record<string, string> = { accept: json ? 'application/json' : 'text/event-stream, application/json' }
    if (json) h['content-type'] = 'application/json'
    if (this.opts.apiKey) h.authorization = `Bearer ${this.opts.apiKey}`
    return h
  }

  /** Upstream model ids (cached; [] when the upstream is unreachable). */
  listModels(): Promise<string[]> {
    if (this.models && this.models.until > Date.now()) return Promise.resolve(this.models.list)
    this.modelsInFlight ??= this.fetchModels().finally(() => {
      this.modelsInFlight = undefined
    })
    return this.modelsInFlight
  }

  private async fetchModels(): Promise<string[]> {
    const ctl = new AbortController()
    const timer = setTimeout(() => ctl.abort(), Math.min(this.opts.timeoutMs, 10_000))
    try {
      const res = await fetch(`${this.base}/models`, { headers: this.headers(false), signal: ctl.signal })
      if (!res.ok) throw new UpstreamError(`HTTP ${res.status}`)
      const body = (await res.json()) as { data?: Array<{ id?: unknown }> }
      const list = Array.isArray(body?.data)
        ? body.data.map((m) => m?.id).filter((id): id is string => typeof id === 'string' && id.length > 0)
        : []
      this.models = { list, until: Date.now() + MODELS_TTL_MS }
      return list
    } catch (err) {
      this.opts.log(`upstream models failed: ${ctl.signal.aborted ? 'timeout' : errorText(err)}`)
      this.models = { list: [], until: Date.now() + MODELS_FAILURE_TTL_MS }
      return []
    } finally {
      clearTimeout(timer)
    }
  }

  async hasModel(name: string): Promise<boolean> {
    return (await this.listModels()).includes(name)
  }

  /** Streams one completion (with local tool rounds) into the sink. Throws UpstreamError on failure. */
  async complete(req: UpstreamRequest, sink: CompletionSink): Promise<void> {
    const messages = [...req.messages]
    for (let round = 0; round < MAX_TOOL_ROUNDS; round++) {
      const body: Record<string, unknown> = { model: req.model, messages, stream: true }
      for (const [k, v] of Object.entries(req.params ?? {})) if (v !== undefined && !RESERVED_BODY_KEYS.has(k)) body[k] = v
      if (req.tools.length) body.tools = req.tools
      const { text, calls } = await this.streamOnce(body, req, sink)
      if (sink.signal.aborted || calls.length === 0) return

      const results: ToolResult[] = []
      for (const call of calls) {
        if (!call.started) {
          sink.tool({ name: call.name, id: call.id, action: 'started', params: '' })
          for (const frag of call.early) sink.tool({ name: call.name, id: call.id, action: 'pending', params: frag })
        }
        results.push(await req.execute({ id: call.id, name: call.name, params: call.args }, sink))
        if (sink.signal.aborted) return
      }
      messages.push({
        role: 'assistant',
        content: text || null,
        tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.args } }))
      })
      calls.forEach((c, i) => messages.push({ role: 'tool', tool_call_id: c.id, content: results[i].forModel ?? JSON.stringify(results[i]) }))
    }
    throw new UpstreamError(`too many tool rounds (${MAX_TOOL_ROUNDS})`)
  }

  private async streamOnce(
    body: Record<string, unknown>,
    req: UpstreamRequest,
    sink: CompletionSink
  ): Promise<{ text: string; calls: PendingToolCall[] }> {
    const ctl = new AbortController()
    let timedOut = false
    let timer: NodeJS.Timeout | undefined
    const arm = (): void => {
      clearTimeout(timer)
      timer = setTimeout(() => {
        timedOut = true
        ctl.abort()
      }, this.opts.timeoutMs)
    }
    const onClientAbort = (): void => ctl.abort()
    sink.signal.addEventListener('abort', onClientAbort, { once: true })

    let text = ''
    const calls = new Map<number, PendingToolCall>()
    const onDelta = (delta: Record<string, unknown>): void => {
      const reasoning = delta.reasoning_content ?? delta.reasoning
      if (typeof reasoning === 'string' && reasoning) sink.reasoning(reasoning)
      if (typeof delta.content === 'string' && delta.content) {
        text += delta.content
        sink.text(delta.content)
      }
      if (Array.isArray(delta.tool_calls)) {
        for (const raw of delta.tool_calls as Array<Record<string, unknown>>) {
          if (!raw || typeof raw !== 'object') continue
          const index = typeof raw.index === 'number' ? raw.index : calls.size
          let call = calls.get(index)
          if (!call) {
            call = { index, id: '', name: '', args: '', started: false, early: [] }
            calls.set(index, call)
          }
          if (typeof raw.id === 'string' && raw.id && !call.id) call.id = raw.id
          const fn = (raw.function ?? {}) as Record<string, unknown>
          if (typeof fn.name === 'string' && fn.name && !call.name) call.name = fn.name
          if (!call.started && call.name) {
            call.id ||= req.nextCallId()
            call.started = true
            sink.tool({ name: call.name, id: call.id, action: 'started', params: '' })
            for (const frag of call.early) sink.tool({ name: call.name, id: call.id, action: 'pending', params: frag })
            call.early = []
          }
          if (typeof fn.arguments === 'string' && fn.arguments) {
            call.args += fn.arguments
            if (call.started) sink.tool({ name: call.name, id: call.id, action: 'pending', params: fn.arguments })
            else call.early.push(fn.arguments)
          }
        }
      }
    }
    const onPayload = (payload: unknown): void => {
      if (!payload || typeof payload !== 'object') return
      const p = payload as Record<string, unknown>
      if (p.error) {
        const code = typeof p.error === 'object' && typeof (p.error as { code?: unknown }).code === 'string' ? (p.error as { code: string }).code : undefined
        throw new UpstreamError(`upstream error: ${describeError(p.error)}`, { code, reason: describeError(p.error) })
      }
      const choice = Array.isArray(p.choices) ? (p.choices[0] as Record<string, unknown> | undefined) : undefined
      if (!choice) return
      if (choice.delta && typeof choice.delta === 'object') onDelta(choice.delta as Record<string, unknown>)
      else if (choice.message && typeof choice.message === 'object') {
        // Non-streamed answer: the whole message at once; tool_calls carry an index of their position.
        const m = { ...(choice.message as Record<string, unknown>) }
        if (Array.isArray(m.tool_calls)) m.tool_calls = m.tool_calls.map((t, i) => ({ index: i, ...(t as object) }))
        onDelta(m)
      }
    }

    try {
      arm()
      const res = await fetch(`${this.base}/chat/completions`, {
        method: 'POST',
        headers: this.headers(true),
        body: JSON.stringify(body),
        signal: ctl.signal
      })
      if (!res.ok) {
        arm()
        const raw = await res.text().catch(() => '')
        const detail = raw.replace(/\s+/g, ' ').slice(0, 200)
        throw new UpstreamError(`upstream HTTP ${res.status}${detail ? `: ${detail}` : ''}`, { status: res.status, ...errorBody(raw, detail) })
      }
      sink.round?.()
      const contentType = res.headers.get('content-type') ?? ''
      if (!res.body) throw new UpstreamError('upstream sent no body')
      if (!contentType.includes('text/event-stream')) {
        arm()
        const raw = await res.text()
        let parsed: unknown
        try {
          parsed = JSON.parse(raw)
        } catch {
          throw new UpstreamError('upstream sent an unreadable response')
        }
        onPayload(parsed)
      } else {
        const reader = res.body.getReader()
        const decoder = new TextDecoder()
        let buf = ''
        let data: string[] = []
        let done = false
        const dispatch = (): void => {
          if (!data.length) return
          const payload = data.join('\n')
          data = []
          if (payload.trim() === '[DONE]') {
            done = true
            return
          }
          let parsed: unknown
          try {
            parsed = JSON.parse(payload)
          } catch {
            this.opts.log('upstream: skipped an unreadable SSE event')
            return
          }
          onPayload(parsed)
        }
        while (!done) {
          arm()
          const { value, done: end } = await reader.read()
          if (end) break
          buf += decoder.decode(value, { stream: true })
          let nl: number
          while (!done && (nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).replace(/\r$/, '')
            buf = buf.slice(nl + 1)
            if (line === '') dispatch()
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
            // Comments (":"), "event:", "id:" and "retry:" lines are ignored.
          }
        }
        if (!done) {
          if (buf.startsWith('data:')) data.push(buf.slice(5).replace(/^ /, ''))
          dispatch()
        }
        await reader.cancel().catch(() => {})
      }
    } catch (err) {
      if (err instanceof UpstreamError) throw err
      if (timedOut) {
        const reason = `upstream timeout after ${this.opts.timeoutMs} ms`
        throw new UpstreamError(reason, { reason })
      }
      if (sink.signal.aborted) return { text, calls: [] }
      throw new UpstreamError(`upstream request failed: ${errorText(err)}`, { reason: err instanceof Error ? err.message : String(err) })
    } finally {
      clearTimeout(timer)
      sink.signal.removeEventListener('abort', onClientAbort)
      // Releases the upstream connection if the body was not read to the end.
      ctl.abort()
    }
    const list = [...calls.values()].sort((a, b) => a.index - b.index)
    for (const c of list) {
      c.id ||= req.nextCallId()
      c.name ||= 'unknown'
    }
    return { text, calls: list }
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message
  }
  return String(err)
}

/** `error.message` / `error.code` of an OpenAI-style error body; the raw text when it is not one. */
function errorBody(raw: string, fallback: string): { code?: string; reason: string } {
  try {
    const body: unknown = JSON.parse(raw)
    const e = body && typeof body === 'object' ? (body as { error?: unknown }).error : undefined
    if (typeof e === 'string' && e) return { reason: e }
    if (e && typeof e === 'object') {
      const { message, code } = e as { message?: unknown; code?: unknown }
      return { reason: typeof message === 'string' && message ? message : fallback || 'status code (no body)', code: typeof code === 'string' ? code : undefined }
    }
  } catch {
    // not JSON
  }
  return { reason: fallback || 'status code (no body)' }
}

function describeError(e: unknown): string {
  if (typeof e === 'string') return e
  if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') return (e as { message: string }).message
  return JSON.stringify(e).slice(0, 200)
}
