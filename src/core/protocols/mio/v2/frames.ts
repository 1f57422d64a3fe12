/**
 * Mio-Chat v2 (the Socket.IO server, docs/protocol/mio-v2.md): the frames the client sends and the
 * ones it reads, and the last gate before anything is emitted (`v2UnsafeReason`). Pure functions only —
 * no sockets here, so everything can be fuzzed and replayed.
 *
 * On the wire every app frame is the one argument of a Socket.IO event named `message`, itself JSON
 * text; two other client events exist, `interruptGeneration` and `tool:interact`, whose argument is an
 * object.
 */
import { coreText } from '../../../../shared/core-text'
import { toolBaseName, type CompletionRequest, type LoginInfo, type MioPreset, type ModelGroup, type ModelMeta, type ModelProvider, type RequestId, type Segment } from '../../../../shared/mio'
import { TransportError } from '../../../transport/errors'
import { adaptSegmentsForDialect, classify, firstLine, isObject, parseModels, scalarText, type Incoming, type Json } from '../frames'

/** The server closes a connection that sends a frame above this (engine.io maxPayload, 5 MB). */
export const V2_MAX_PAYLOAD = 5_242_880
/** Incoming app frames above this many characters are dropped before JSON.parse. */
export const V2_MAX_FRAME_CHARS = 8 * 1024 * 1024

/** The client events the server knows. Nothing else is ever emitted. */
export type V2Event = 'message' | 'interruptGeneration' | 'tool:interact'

// ---------------------------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------------------------

/**
 * What the user typed (`host:port`, `http(s)://…`, `ws(s)://…`, any path) → the server's HTTP origin.
 * ws → http, wss → https; host and port kept; path, query and hash dropped.
 */
export function v2HttpBase(server: string): URL {
  let s = server.trim()
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) s = `http://${s}`
  let u: URL
  try {
    u = new URL(s)
  } catch {
    throw new TransportError('unreachable', coreText('v2AddressInvalidEg'))
  }
  if (u.protocol === 'ws:') u.protocol = 'http:'
  else if (u.protocol === 'wss:') u.protocol = 'https:'
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TransportError('unreachable', `Unsupported server address scheme "${u.protocol}"`)
  u.pathname = '/'
  u.search = ''
  u.hash = ''
  u.username = ''
  u.password = ''
  return u
}

/** The Socket.IO endpoint: the origin socket.io-client dials and its path (only `/socket.io/` is served). */
export function v2SocketTarget(server: string): { origin: string; path: string } {
  const base = v2HttpBase(server)
  return { origin: base.origin, path: '/socket.io/' }
}

// ---------------------------------------------------------------------------------------------
// Client → server
// ---------------------------------------------------------------------------------------------

/** The Socket.IO CONNECT payload: exactly the three keys the web client sends. */
export function v2Auth(id: string, token: string): { id: string; token: string; firstLogin: false } {
  return { id, token, firstLogin: false }
}

export function v2HeartbeatFrame(requestId: RequestId, now = Date.now()): Json {
  return { request_id: requestId, protocol: 'system', type: 'heartbeat', data: { timestamp: now } }
}

/**
 * Segments for the server: every element an object `{type, data:{…}}` (a missing or non-object data
 * becomes `{}`; anything that is not a segment is left out), images with `data.file` filled in.
 */
export function v2Segments(segments: unknown): Segment[] {
  if (!Array.isArray(segments)) return []
  const out: Segment[] = []
  for (const s of segments) {
    if (!isObject(s) || typeof s.type !== 'string' || !s.type) continue
    out.push({ type: s.type, data: isObject(s.data) ? { ...s.data } : {} })
  }
  return adaptSegmentsForDialect(out, 'field')
}

/** A message to the bot: `data` is always an array of segments (a non-array crashes the server). */
export function v2SendMessageFrame(requestId: RequestId, contactId: string, segments: unknown, ownId: string): Json {
  return { request_id: requestId, protocol: 'onebot', type: 'message', id: contactId, data: v2Segments(segments), metaData: { contactorId: ownId } }
}

export interface V2CompletionContext {
  /** The provider (display name) to use when the request names none: the one that lists the model. */
  providers?: ModelProvider[]
  /** Used when the request has no messageId. */
  fallbackMessageId: string
}

/** The provider a model belongs to: the request's own, else the first provider listing the model, else the first. */
export function providerFor(model: string, providers: ModelProvider[] | undefined, named?: string): string | undefined {
  if (named) return named
  if (!providers?.length) return undefined
  const p = providers.find((x) => x.models.some((g) => g.models.includes(model)))
  return (p ?? providers[0])!.name
}

/**
 * A completion as the web client sends it: `request_id` = the message id; settings with the provider,
 * `base:{model, stream}`, the sampling parameters, the offered tools by full name, no preset history,
 * `yolo` only when the user turned auto-approval on; `metaData:{contactorId, messageId}` (the server
 * caches the reply for resume under the contactor).
 */
export function v2CompletionFrame(req: CompletionRequest, ctx: V2CompletionContext): Json {
  if (!isObject(req) || !Array.isArray(req.messages)) throw new TransportError('protocol', 'A completion needs a list of messages')
  const messages = req.messages
    .filter((m) => isObject(m) && typeof m.content === 'string' && typeof m.role === 'string')
    .map((m) => ({ role: m.role, content: m.content }))
  if (messages.length === 0) throw new TransportError('protocol', 'A completion needs at least one message')
  if (typeof req.model !== 'string' || !req.model) throw new TransportError('protocol', coreText('completionNeedsModel'))
  const messageId = typeof req.messageId === 'string' && req.messageId ? req.messageId : ctx.fallbackMessageId
  const settings: Json = {}
  const provider = providerFor(req.model, ctx.providers, typeof req.provider === 'string' ? req.provider : undefined)
  if (provider) settings.provider = provider
  settings.base = { model: req.model, stream: req.stream !== false }
  settings.chatParams = {
    temperature: num(req.temperature, 1),
    top_p: num(req.top_p, 1),
    frequency_penalty: num(req.frequency_penalty, 0),
    presence_penalty: num(req.presence_penalty, 0)
  }
  settings.toolCallSettings = { mode: 'AUTO', tools: Array.isArray(req.tools) ? req.tools.filter((t): t is string => typeof t === 'string' && t.length > 0) : [] }
  settings.presetSettings = { history: [] }
  settings.extraSettings = {}
  if (req.autoApprove === true) settings.yolo = true
  const metaData: Json = typeof req.contactorId === 'string' && req.contactorId ? { contactorId: req.contactorId, messageId } : { messageId }
  return { request_id: messageId, protocol: 'llm', type: 'completions', data: { settings, messages }, metaData }
}

function num(v: unknown, dflt: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : dflt
}

/** Stops a reply by its request id (`data:{}` is required: a frame without data is dropped). */
export function v2AbortFrame(requestId: RequestId): Json {
  return { request_id: requestId, protocol: 'llm', type: 'abort', data: {} }
}

/** Asks for the cached replies of a conversation: one `sync` frame per reply, or nothing. */
export function v2EnterChatFrame(requestId: RequestId, contactorId: string): Json {
  return { request_id: requestId, protocol: 'llm', type: 'enter_chat', data: { contactorId } }
}

/** Lets the server forget a reply (the client has stored it). No answer. */
export function v2AckFrame(requestId: RequestId, contactorId: string, messageId: string): Json {
  return { request_id: requestId, protocol: 'llm', type: 'ack_message', data: { contactorId, messageId } }
}

/** The argument of the `interruptGeneration` event (always an object with a non-empty messageId). */
export function v2InterruptArg(messageId: string, contactorId?: string): Json {
  return contactorId ? { messageId, contactorId } : { messageId }
}

/** The argument of the `tool:interact` event (always with a payload object). */
export function v2InteractArg(interactionId: string, requestId: RequestId, approved: boolean, reason?: string): Json {
  const payload: Json = { approved }
  if (reason !== undefined && reason !== '') payload.reason = reason
  return { interactionId, requestId, payload }
}

// ---------------------------------------------------------------------------------------------
// The gate
// ---------------------------------------------------------------------------------------------

function isBinary(v: unknown): boolean {
  return (
    (typeof Buffer !== 'undefined' && Buffer.isBuffer(v)) ||
    v instanceof ArrayBuffer ||
    ArrayBuffer.isView(v) ||
    (typeof Blob !== 'undefined' && v instanceof Blob)
  )
}

function containsBinaryOrFunction(v: unknown, depth = 0): boolean {
  if (typeof v === 'function') return true
  if (v === null || typeof v !== 'object') return false
  if (isBinary(v)) return true
  if (depth > 64) return true
  if (Array.isArray(v)) return v.some((x) => containsBinaryOrFunction(x, depth + 1))
  for (const k of Object.keys(v)) if (containsBinaryOrFunction((v as Json)[k], depth + 1)) return true
  return false
}

/**
 * What the server receives for an event argument: its JSON round trip (socket.io-client encodes with
 * JSON.stringify — `undefined` keys vanish, `toJSON` runs, a function would be taken for an ack
 * callback and leave the event without an argument). `undefined` when it has no JSON form.
 */
export function v2WireValue(arg: unknown): unknown {
  if (containsBinaryOrFunction(arg)) return undefined
  try {
    const text = JSON.stringify(arg)
    return text === undefined ? undefined : (JSON.parse(text) as unknown)
  } catch {
    return undefined
  }
}

function onebotUnsafe(data: unknown): string | undefined {
  if (!Array.isArray(data)) return 'an onebot frame whose data is not an array'
  for (const s of data) {
    if (!isObject(s)) return 'an onebot frame with a segment that is not an object'
    if (typeof s.type !== 'string') return 'an onebot frame with a segment without a type'
    if (!isObject(s.data)) return 'an onebot frame with a segment without a data object'
  }
  return undefined
}

/**
 * The last gate before an event leaves the client. The v2 server throws — and shuts down for every
 * user — on five client inputs (mio-v2.md "Crashes"): an onebot frame whose `data` is not an array; an
 * onebot segment without data (or null); `interruptGeneration` without an object argument;
 * `tool:interact` without one; `tool:interact` without a `payload` object. Returns why `arg` (for the
 * event `eventName`) must not be sent, or undefined. The check is made on what would be on the wire
 * (`v2WireValue`). Also refused, though harmless to the server: unknown event names, `message`
 * arguments that are not JSON-object text, and an `interruptGeneration` without a messageId (an empty
 * one aborts some other reply of the user). Never throws.
 */
export function v2UnsafeReason(eventName: unknown, arg: unknown): string | undefined {
  if (eventName !== 'message' && eventName !== 'interruptGeneration' && eventName !== 'tool:interact') {
    return typeof eventName === 'string' ? `an event the server does not know (${JSON.stringify(eventName.slice(0, 40))})` : 'an event without a name'
  }
  const w = v2WireValue(arg)
  if (eventName === 'message') {
    if (typeof w !== 'string') return 'a message event whose argument is not JSON text'
    let f: unknown
    try {
      f = JSON.parse(w)
    } catch {
      return 'a message event whose argument is not JSON'
    }
    if (!isObject(f)) return 'a message event whose argument is not a JSON object'
    if (f.protocol === 'onebot') return onebotUnsafe(f.data)
    return undefined
  }
  if (!isObject(w)) return `a ${eventName} event without an object argument`
  if (eventName === 'interruptGeneration') {
    if (typeof w.messageId !== 'string' || !w.messageId) return 'an interruptGeneration event without a messageId'
    return undefined
  }
  if (!isObject(w.payload)) return 'a tool:interact event without a payload object'
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Server → client
// ---------------------------------------------------------------------------------------------

export type V2Incoming =
  | { kind: 'login-push'; login: Omit<LoginInfo, 'dialect' | 'adminQq' | 'botQq'> }
  | { kind: 'models-updated'; providers: ModelProvider[]; models: ModelGroup[] }
  | { kind: 'reply'; requestId: RequestId; frame: Json }
  | { kind: 'interact-error'; interactionId?: string; error: string }
  | { kind: 'title'; contactorId: string; title: string }
  | { kind: 'presets'; requestId?: RequestId; presets: MioPreset[] }
  /** The server's presets or tools changed (an admin reloaded them): ask again. */
  | { kind: 'catalog'; what: 'presets' | 'tools' }
  | Exclude<Incoming, { kind: 'login-push' }>

/** `get_presets` (answered with `recommended_presets`, the same as the push at a first login). */
export function v2PresetsFrame(requestId: RequestId): Json {
  return { data: {}, protocol: 'system', request_id: requestId, type: 'get_presets' }
}

const str = (v: unknown, max: number): string | undefined => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : undefined)

/**
 * `{presets:[{name, avatar, history, model, opening, recommended, tools, provider?}]}` → presets; an entry
 * without a name is left out; history's system turns become the system prompt; tools by base name.
 */
export function parsePresets(data: unknown): MioPreset[] {
  const list = isObject(data) && Array.isArray(data.presets) ? data.presets : []
  const out: MioPreset[] = []
  for (const p of list.slice(0, 500)) {
    if (!isObject(p)) continue
    const name = str(p.name, 80)
    if (!name) continue
    const history = Array.isArray(p.history) ? p.history : []
    const system = history
      .filter((t): t is Json => isObject(t) && t.role === 'system' && typeof t.content === 'string')
      .map((t) => t.content as string)
      .join('\n\n')
    const tools = Array.isArray(p.tools) ? [...new Set(p.tools.filter((t): t is string => typeof t === 'string' && t.length > 0 && t.length <= 128).map(toolBaseName))] : []
    const preset: MioPreset = { name, systemPrompt: system.slice(0, 20_000), tools, recommended: p.recommended === true }
    const avatar = str(p.avatar, 2000)
    if (avatar) preset.avatar = avatar
    const opening = str(p.opening, 2000)
    if (opening) preset.opening = opening
    const model = str(p.model, 200)
    if (model) preset.model = model
    const provider = str(p.provider, 200)
    if (provider) preset.provider = provider
    out.push(preset)
  }
  return out
}

/** The reply words of the v2 server (`message` of an `llm` frame). */
const REPLY_WORDS = new Set(['pending', 'update', 'complete', 'failed', 'sync'])

function parseMeta(v: unknown): Record<string, ModelMeta> | undefined {
  if (!isObject(v)) return undefined
  const out: Record<string, ModelMeta> = {}
  for (const [model, m] of Object.entries(v)) {
    if (!isObject(m)) continue
    const meta: ModelMeta = {}
    if (typeof m.maxInput === 'number' && Number.isFinite(m.maxInput)) meta.maxInput = m.maxInput
    if (typeof m.vision === 'boolean') meta.vision = m.vision
    if (typeof m.fc === 'boolean') meta.fc = m.fc
    if (typeof m.reasoning === 'boolean') meta.reasoning = m.reasoning
    out[model] = meta
  }
  return out
}

/** `models:{<provider>:[{owner, models}]}` (+ `models_meta`, `default_model:{<provider>:model}`) → providers. */
export function parseProviders(models: unknown, meta?: unknown, defaults?: unknown): ModelProvider[] {
  if (!isObject(models)) return []
  const metas = isObject(meta) ? meta : {}
  const dflt = isObject(defaults) ? defaults : {}
  const out: ModelProvider[] = []
  for (const [name, groups] of Object.entries(models)) {
    const g = parseModels(groups)
    if (!g) continue
    const p: ModelProvider = { name, models: g }
    const m = parseMeta(metas[name])
    if (m) p.meta = m
    if (typeof dflt[name] === 'string' && dflt[name]) p.defaultModel = dflt[name] as string
    out.push(p)
  }
  return out
}

/** Every provider's model groups in one list (owners prefixed with the provider when there are several). */
export function flattenProviders(providers: ModelProvider[]): ModelGroup[] {
  if (providers.length <= 1) return providers.flatMap((p) => p.models.map((g) => ({ owner: g.owner, models: [...g.models] })))
  return providers.flatMap((p) => p.models.map((g) => ({ owner: `${p.name} · ${g.owner}`, models: [...g.models] })))
}

/** The model a new conversation starts with: a provider's default, else the first model offered. */
export function defaultModelOf(providers: ModelProvider[]): string | undefined {
  for (const p of providers) if (p.defaultModel) return p.defaultModel
  for (const p of providers) for (const g of p.models) if (g.models[0]) return g.models[0]
  return undefined
}

export function parseV2Login(d: Json): Omit<LoginInfo, 'dialect' | 'adminQq' | 'botQq'> {
  const providers = parseProviders(d.models, d.models_meta, d.default_model)
  const out: Omit<LoginInfo, 'dialect' | 'adminQq' | 'botQq'> = {
    isAdmin: d.is_admin === true || d.is_admin === 1 || d.is_admin === 'true',
    providers,
    models: flattenProviders(providers),
    onebotEnabled: d.onebot_enabled === true,
    pendingTasks: Array.isArray(d.pendingTasks) ? d.pendingTasks.map(scalarText).filter((x) => x.length > 0) : []
  }
  const dm = defaultModelOf(providers)
  if (dm) out.defaultModel = dm
  if (typeof d.bootId === 'string' && d.bootId) out.bootId = d.bootId
  return out
}

/** `GET /api/openai/tools` → the tools' full names: `{code:0, data:{tools:{<plugin>:{<full name>:{…}}}}}`. */
export function parseToolNames(body: unknown): string[] {
  const tools = isObject(body) && isObject(body.data) ? body.data.tools : undefined
  if (!isObject(tools)) return []
  const out: string[] = []
  for (const plugin of Object.values(tools)) if (isObject(plugin)) for (const name of Object.keys(plugin)) if (/^[\w.-]{1,128}$/.test(name)) out.push(name)
  return out.slice(0, 500)
}

/** `GET /api/base_info` → the QQs, the providers' default models and the server's title. */
export function parseBaseInfo(body: unknown): { adminQq: string; botQq: string; defaults: Record<string, string>; title: string } | undefined {
  if (!isObject(body) || !isObject(body.data)) return undefined
  const d = body.data
  const defaults: Record<string, string> = {}
  if (Array.isArray(d.llm_providers)) {
    for (const p of d.llm_providers) {
      if (isObject(p) && typeof p.displayName === 'string' && typeof p.default_model === 'string' && p.default_model) defaults[p.displayName] = p.default_model
    }
  }
  const title = typeof d.title === 'string' ? d.title.replace(/\s+/g, ' ').trim().slice(0, 60) : ''
  return { adminQq: scalarText(d.admin_qq), botQq: scalarText(d.bot_qq), defaults, title }
}

/** The app frame inside a `message` event (JSON text; an object is taken as it is). Never throws. */
export function decodeV2Message(arg: unknown): { ok: true; frame: Json } | { ok: false; reason: string } {
  let f: unknown = arg
  if (typeof arg === 'string') {
    if (arg.length > V2_MAX_FRAME_CHARS) return { ok: false, reason: `frame of ${arg.length} characters is over the limit` }
    try {
      f = JSON.parse(arg)
    } catch {
      return { ok: false, reason: 'frame is not JSON' }
    }
  }
  if (!isObject(f)) return { ok: false, reason: 'frame is not a JSON object' }
  return { ok: true, frame: f }
}

/** Classifies one v2 app frame. Never throws. */
export function classifyV2(f: Json): V2Incoming {
  const data = f.data
  if (f.protocol === 'system') {
    switch (f.type) {
      case 'login':
        if (isObject(data) && f.code === undefined) return { kind: 'login-push', login: parseV2Login(data) }
        break
      case 'models_updated':
        if (isObject(data)) {
          const providers = parseProviders(data.models, data.models_meta, data.default_model)
          return { kind: 'models-updated', providers, models: flattenProviders(providers) }
        }
        break
      case 'tool:interact:error': {
        const d = isObject(data) ? data : {}
        return {
          kind: 'interact-error',
          interactionId: typeof d.interactionId === 'string' ? d.interactionId : undefined,
          error: typeof d.error === 'string' && d.error ? firstLine(d.error) : coreText('answerUnusable')
        }
      }
      case 'chat_title_updated':
        if (isObject(data) && typeof data.contactorId === 'string' && typeof data.title === 'string') return { kind: 'title', contactorId: data.contactorId, title: data.title }
        break
      case 'recommended_presets':
        return { kind: 'presets', requestId: f.request_id as RequestId | undefined, presets: parsePresets(data) }
      case 'plugins_updated':
        return { kind: 'catalog', what: 'tools' }
      case 'presets_updated':
        return { kind: 'catalog', what: 'presets' }
    }
  }
  if (f.protocol === 'llm' && typeof f.message === 'string' && REPLY_WORDS.has(f.message)) {
    const rid = f.request_id
    if ((typeof rid === 'string' && rid.length > 0 && rid.length < 200) || (typeof rid === 'number' && Number.isFinite(rid))) return { kind: 'reply', requestId: rid, frame: f }
    return { kind: 'bad', reason: 'reply frame without a request_id' }
  }
  const c = classify(f)
  if (c.kind === 'login-push') return { kind: 'bad', reason: 'login push in another dialect' }
  return c
}
