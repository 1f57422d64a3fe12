/**
 * v2 completions (`protocol:"llm"`, any type but abort/enter_chat/ack_message): settings → provider and
 * model, the reply's frames (the v2 CompletionSink), the v2 tool runtime (admin-only tools, approval,
 * result shapes), and the ending (`complete` or `failed {message, code?, status?}`). The models are the
 * shared ones: the built-in "mio-demo" and the upstream proxy.
 */
import { contentText } from '../mio/completions'
import { DEMO_MODEL, runDemoModel, type ChatMessage } from '../mio/model'
import { sleep, type CompletionSink, type ToolCallFrame, type ToolExecutor } from '../mio/sink'
import { runTool, type ToolResult } from '../mio/tools'
import { UpstreamError, type Upstream } from '../mio/upstream'
import { whitelisted, type ToolCatalog } from './catalog'
import {
  ADMIN_ONLY,
  APPROVAL_PROMPT,
  deniedCommand,
  idText,
  isObject,
  toolNotFound,
  unknownModel,
  unknownProvider,
  USER_ABORT,
  type JsonObject,
  type RequestId
} from './protocol'
import { BUILTIN_PROVIDER, type Providers } from './providers'
import type { FailureData, Reply, ReplyStore, ToolCallContent, V2Conn } from './replies'

export interface CompletionDeps {
  providers: Providers
  catalog: ToolCatalog
  replies: ReplyStore
  upstream?: Upstream
  chunkDelayMs: number
  nextCallId(): string
  /** An unknown provider was named: every connection gets `models_updated`. */
  modelsChanged(): void
  log(line: string): void
}

const MAX_MESSAGES = 1000
/** chatParams keys that would replace what the server sets itself. */
const RESERVED_PARAMS = new Set(['model', 'messages', 'stream', 'tools', 'tool_choice', 'stream_options'])

interface Settings {
  provider: string
  model: unknown
  stream: boolean
  chatParams: JsonObject
  toolMode: string
  toolNames: unknown[]
  yolo: boolean
  shWhitelist: unknown
}

function readSettings(data: JsonObject, defaultProvider: string): Settings {
  const s = isObject(data.settings) ? data.settings : {}
  const base = isObject(s.base) ? s.base : {}
  const tools = isObject(s.toolCallSettings) ? s.toolCallSettings : {}
  const provider = idText(s.provider) ?? defaultProvider
  return {
    provider,
    model: base.model,
    stream: base.stream !== false,
    chatParams: isObject(s.chatParams) ? s.chatParams : {},
    toolMode: typeof tools.mode === 'string' ? tools.mode.toUpperCase() : 'AUTO',
    toolNames: Array.isArray(tools.tools) ? tools.tools : [],
    yolo: s.yolo === true,
    shWhitelist: s.shWhitelist
  }
}

/** `presetSettings.history` in front of `messages`; only `{role, …}` objects are kept. */
function readMessages(data: JsonObject): Array<Record<string, unknown>> {
  const s = isObject(data.settings) ? data.settings : {}
  const preset = isObject(s.presetSettings) && Array.isArray(s.presetSettings.history) ? s.presetSettings.history : []
  const messages = Array.isArray(data.messages) ? data.messages : []
  return [...preset, ...messages]
    .filter((m): m is Record<string, unknown> => isObject(m) && typeof m.role === 'string')
    .slice(-MAX_MESSAGES)
    .map((m) => structuredClone(m))
}

function textMessages(raw: Array<Record<string, unknown>>): ChatMessage[] {
  return raw.map((m) => ({ role: m.role as string, content: contentText(m.content) ?? '' }))
}

export function toolContent(call: ToolCallFrame): ToolCallContent {
  const c: ToolCallContent = { action: call.action, id: call.id, name: call.name, parameters: call.params, result: call.result ?? '' }
  if (call.displayName !== undefined) c.displayName = call.displayName
  if (call.action === 'finished') c.extraRender = []
  return c
}

/** The v2 sink: typed chunks; `pending` per answering round; stream:false → no pending, text in one update. */
export function createV2Sink(reply: Reply, stream: boolean): CompletionSink {
  let reasonStart: number | undefined
  let bufText = ''
  let bufReason = ''
  let bufReasonStart = 0
  const flush = (): void => {
    if (bufReason) reply.update({ type: 'reason', data: { text: bufReason, startTime: bufReasonStart, duration: 0 } })
    if (bufText) reply.update({ type: 'content', content: bufText })
    bufReason = ''
    bufText = ''
  }
  return {
    signal: reply.signal,
    round() {
      if (stream) reply.pending()
    },
    reasoning(text) {
      if (!text) return
      reasonStart ??= Date.now()
      if (stream) reply.update({ type: 'reason', data: { text, startTime: reasonStart, duration: 0 } })
      else {
        if (!bufReason) bufReasonStart = reasonStart
        bufReason += text
      }
    },
    text(chunk) {
      if (!chunk) return
      reasonStart = undefined
      if (stream) reply.update({ type: 'content', content: chunk })
      else bufText += chunk
    },
    tool(call) {
      flush()
      reasonStart = undefined
      reply.update({ type: 'toolCall', content: toolContent(call) })
    },
    flush
  }
}

interface ExecutorContext {
  reply: Reply
  conn: V2Conn
  catalog: ToolCatalog
  settings: Settings
  delayMs: number
}

function parseArgs(params: string): Record<string, unknown> | string {
  if (params.trim() === '') return {}
  try {
    const v: unknown = JSON.parse(params)
    return isObject(v) ? v : 'Invalid parameters: the arguments must be a JSON object'
  } catch {
    return 'Invalid parameters: the arguments are not valid JSON'
  }
}

/**
 * The v2 tool runtime: `running`, `running` + displayName, admin check, approval (unless yolo or
 * whitelisted), the tool, `finished` with the tool's own value or `{error}`. An abort while the tool waits
 * or runs is reported as `finished {error:"USER_ABORT"}` after the reply's `complete`.
 */
export function v2ToolExecutor(ctx: ExecutorContext): ToolExecutor {
  const { reply, catalog, settings } = ctx
  return async (call, sink) => {
    const frame: ToolCallFrame = { name: call.name, id: call.id, action: 'running', params: call.params }
    const finish = (result: unknown): ToolResult => {
      const error = isObject(result) && typeof result.error === 'string' ? result.error : null
      sink.tool({ ...frame, action: 'finished', result })
      return { error, result: error === null ? result : null, forModel: typeof result === 'string' ? result : JSON.stringify(result) }
    }
    const aborted = (): ToolResult => {
      reply.lateUpdate({ type: 'toolCall', content: toolContent({ ...frame, action: 'finished', result: { error: USER_ABORT } }) })
      return { error: USER_ABORT, result: null }
    }
    sink.tool(frame)
    const tool = catalog.get(call.name)
    if (!tool) {
      const text = toolNotFound(call.name)
      sink.tool({ ...frame, action: 'finished', result: text })
      return { error: text, result: null, forModel: text }
    }
    const args = parseArgs(call.params)
    if (typeof args === 'string') return finish({ error: args })
    const label = tool.displayName(args)
    if (label !== undefined) {
      frame.displayName = label
      await sleep(Math.min(ctx.delayMs, 20), sink.signal)
      if (sink.signal.aborted) return aborted()
      sink.tool(frame)
    }
    if (tool.adminOnly && !ctx.conn.isAdmin) return finish({ error: ADMIN_ONLY })
    const command = typeof args.command === 'string' ? args.command : ''
    if (tool.asksApproval && !settings.yolo && !whitelisted(command, settings.shWhitelist)) {
      const outcome = await reply.askApproval(toolContent(frame), APPROVAL_PROMPT, { command })
      if (outcome.kind === 'aborted') return aborted()
      if (outcome.kind === 'shutdown') return { error: 'shutdown', result: null }
      if (outcome.kind === 'denied') return finish({ error: deniedCommand(command, outcome.reason) })
    }
    await sleep(ctx.delayMs, sink.signal)
    if (sink.signal.aborted) return aborted()
    const r = runTool(tool.base, call.params)
    return finish(r.error !== null ? { error: r.error } : r.result)
  }
}

function failureOf(err: unknown): FailureData {
  if (err instanceof UpstreamError) {
    const { status, code, reason } = err.detail
    const words = reason ?? err.message
    const f: FailureData = { message: status !== undefined ? `${status} ${words}` : words }
    if (code !== undefined) f.code = code
    else if (status === 404) f.code = 'model_not_found'
    if (status !== undefined) f.status = status
    return f
  }
  return { message: err instanceof Error ? err.message : String(err) }
}

/** Handles one completion request on `conn`; the reply streams to it (and is cached when it has a contactorId). */
export async function handleCompletion(conn: V2Conn, requestId: RequestId, frame: JsonObject, deps: CompletionDeps): Promise<void> {
  const data = isObject(frame.data) ? frame.data : {}
  const clientMeta = isObject(frame.metaData) ? frame.metaData : {}
  const metaData: JsonObject = { ...structuredClone(clientMeta), triggerType: 'chat' }
  const contactorId = idText(clientMeta.contactorId)
  const messageId = idText(clientMeta.messageId) ?? String(requestId)
  const reply = deps.replies.create(requestId, conn.userId, metaData, contactorId, messageId)
  reply.attach(conn)

  const settings = readSettings(data, deps.providers.defaultProvider)
  if (!deps.providers.has(settings.provider)) {
    reply.fail({ message: unknownProvider(settings.provider) })
    deps.modelsChanged()
    return
  }
  const model = settings.model
  const offered = settings.toolMode === 'NONE' ? [] : deps.catalog.pick(settings.toolNames)
  const sink = createV2Sink(reply, settings.stream)
  const execute = v2ToolExecutor({ reply, conn, catalog: deps.catalog, settings, delayMs: deps.chunkDelayMs })
  const raw = readMessages(data)
  try {
    if (settings.provider === BUILTIN_PROVIDER) {
      if (model !== DEMO_MODEL) {
        reply.fail({ code: 'model_not_found', message: unknownModel(String(model)), status: 404 })
        return
      }
      await runDemoModel(
        {
          messages: textMessages(raw),
          allowedTools: new Set(offered.map((t) => t.base)),
          chunkDelayMs: deps.chunkDelayMs,
          nextCallId: deps.nextCallId,
          execute,
          wireName: (base) => deps.catalog.fullName(base)
        },
        sink
      )
    } else {
      if (typeof model !== 'string' || model === '' || !deps.upstream) {
        reply.fail({ code: 'model_not_found', message: unknownModel(String(model)), status: 404 })
        return
      }
      const params: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(settings.chatParams)) if (!RESERVED_PARAMS.has(k)) params[k] = v
      params.stream_options = { include_usage: true }
      if (settings.toolMode === 'ANY' && offered.length) params.tool_choice = 'required'
      await deps.upstream.complete({ model, messages: raw, params, tools: offered.map((t) => t.definition), execute, nextCallId: deps.nextCallId }, sink)
    }
    if (reply.done) return
    sink.flush()
    reply.complete()
  } catch (err) {
    if (reply.done) return
    const failure = failureOf(err)
    deps.log(`v2 completion ${String(requestId)} failed: ${failure.message}`)
    reply.fail(failure)
  }
}
