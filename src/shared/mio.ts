/**
 * Mio-Chat wire and domain types shared by main, preload, renderer, server and CLI.
 * Wire shapes follow the seed ("spec" dialect) and the recorded real server ("field" dialect).
 */

/** A onebot message segment. Unknown types are kept intact (type + data passed through untouched). */
export interface Segment {
  type: string
  data: Record<string, unknown>
}

export type KnownSegmentType =
  | 'text'
  | 'image'
  | 'at'
  | 'reply'
  | 'file'
  | 'face'
  | 'record'
  | 'video'
  | 'forward'
  | 'nodes'

/** `request_id` is a string or a number; replies are matched with the exact value sent. */
export type RequestId = string | number

/**
 * Which generation of the protocol a server speaks: the seed's `spec`, the raw-WebSocket real server of
 * March 2025 (`field`), or today's Socket.IO server with the `llm` protocol (`v2`). Decided by detection.
 */
export type Dialect = 'spec' | 'field' | 'v2'

export interface LoginInfo {
  isAdmin: boolean
  adminQq: string
  botQq: string
  dialect: Dialect
  /** Present when the server pushed them at login (field dialect; v2: every provider's, flattened). */
  models?: ModelGroup[]
  defaultModel?: string
  /** v2: the models grouped by provider (a completion names its provider), with each model's metadata. */
  providers?: ModelProvider[]
  /** v2: whether the server has a OneBot side (a bot conversation). */
  onebotEnabled?: boolean
  /** v2: conversations (contactor ids) with replies cached on the server, to resume. */
  pendingTasks?: string[]
  /** v2: changes when the server restarts (every reply in flight on the old one is gone). */
  bootId?: string
  /** v2: the server's own name (`title` of /api/base_info), when it gives one. */
  serverName?: string
}

/** v2: a provider (its display name, as completions name it) and its models. */
export interface ModelProvider {
  name: string
  models: ModelGroup[]
  /** Per model: context size, vision, function calling, reasoning … as the server describes it. */
  meta?: Record<string, ModelMeta>
  defaultModel?: string
}

export interface ModelMeta {
  maxInput?: number
  vision?: boolean
  /** Function (tool) calling. */
  fc?: boolean
  reasoning?: boolean
}

export interface ModelGroup {
  owner: string
  models: string[]
}

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool'

export interface ChatTurn {
  role: ChatRole
  content: string
}

/** Completion request fields of the seed (plus `stream`/`tools` of the field server). */
export interface CompletionRequest {
  model: string
  messages: ChatTurn[]
  temperature?: number
  top_p?: number
  presence_penalty?: number
  frequency_penalty?: number
  stream?: boolean
  /** Tool names (field server), e.g. ["clock", "calculator"]; v2: full names as the server lists them. */
  tools?: string[]
  /** v2: the provider (display name) the model belongs to. */
  provider?: string
  /** v2: run terminal commands without asking (the server's `yolo`). Off unless the user turns it on. */
  autoApprove?: boolean
  /** v2: which conversation the reply belongs to (the server caches it for resume under this id). */
  contactorId?: string
  /** v2: the reply's message id (also its request id). */
  messageId?: string
}

export type ToolCallState = 'started' | 'pending' | 'running' | 'finished' | 'failed'

export interface ToolCall {
  /** Stable key: the tool call id, or its name when the server gives no id. */
  key: string
  id?: string
  name: string
  state: ToolCallState
  /** Accumulated argument text. */
  params: string
  result?: unknown
  error?: string
  /** A short label the server gives a running call (v2: e.g. the command). */
  displayName?: string
}

/** v2: the server stopped a tool call to ask the user (e.g. "run this command?"). */
export interface ToolApproval {
  interactionId: string
  /** The question, as the server words it. */
  prompt: string
  /** What is to be run, when the server says (a command). */
  command?: string
  /** waiting for the user; answered (the tool then finishes or reports the refusal). */
  state: 'waiting' | 'approved' | 'denied'
  /** The tool that asks, by its base name (see toolBaseName), when the reply shows which one it is. */
  tool?: string
}

/**
 * A tool's name without the v2 server's definition hash: the server names tools `<base>_mid_<6 hex>` and
 * the hash changes whenever the tool's definition does, so contacts keep (and people read) the base name.
 */
export function toolBaseName(name: string): string {
  return name.replace(/_mid_[0-9a-f]{6}$/, '')
}

/** v2: a preset (an "agent") the server offers to start a model chat with. */
export interface MioPreset {
  name: string
  avatar?: string
  /** The first words shown in a new chat with it. */
  opening?: string
  /** System turns put in front of every request (the server's presetSettings.history). */
  systemPrompt: string
  provider?: string
  model?: string
  /** Tools by base name. */
  tools: string[]
  recommended: boolean
}

export type ReplyStatus = 'pending' | 'streaming' | 'completed' | 'failed' | 'interrupted' | 'aborted'

/** A streamed AI reply assembled from `pending → update* → completed | failed`. */
export interface AiReply {
  requestId: RequestId
  status: ReplyStatus
  text: string
  reasoning: string
  toolCalls: ToolCall[]
  /** v2: when the reasoning began (server clock, ms) and how long it took. */
  reasoningStartedAt?: number
  reasoningMs?: number
  /** v2: a question to the user that holds the reply until answered. */
  approval?: ToolApproval
  /** Short human-readable reason for failed/interrupted replies. */
  error?: string
  /** The server's error code and HTTP status, when it gave them (v2: e.g. model_not_found, 404). */
  errorCode?: string
  errorStatus?: number
  /** Long technical detail (e.g. a server stack trace), never shown raw by default. */
  errorDetail?: string
  /**
   * Every answer generated for this reply (regenerate, or an edited prompt), oldest first; absent while there is
   * one. The fields above are always the shown one (`versions[shown]` is refreshed from them when another is
   * shown), so everything that reads a reply reads what is on screen. See src/shared/versions.ts.
   */
  versions?: AiVersion[]
  shown?: number
}

/** One kept answer of a reply. `prompt`: the version of the prompt before it that it answered (default 0). */
export interface AiVersion {
  text: string
  reasoning: string
  toolCalls: ToolCall[]
  status: ReplyStatus
  error?: string
  errorDetail?: string
  model?: string
  time: number
  prompt?: number
}

/** One text of an edited prompt (the user's own message in a model chat). */
export interface PromptVersion {
  text: string
  time: number
}

/** An onebot message as the client knows it. */
export interface ChatMessage {
  /** message_id as a string (server ids may be numbers). */
  id: string
  /** The contact / conversation the message belongs to. */
  contactId: string
  /** True when this client (or this account) sent it. */
  self: boolean
  senderId?: string
  /** Display name and avatar of the sender, when the protocol gives them (Yunhu groups). */
  senderName?: string
  senderAvatar?: string
  time: number
  segments: Segment[]
  status: 'sending' | 'sent' | 'failed' | 'recalled'
  error?: string
  /** When a sent message got its server id, the temporary id it had before (replace that copy). */
  localId?: string
  /** The id of the message this one quotes (from a `reply` segment), for jumping to it. */
  replyTo?: string
  /** Set on AI replies in LLM conversations. */
  ai?: AiReply
  /** When the message was last edited (epoch ms); absent when never edited (Yunhu edits). */
  editedAt?: number
  /** A model chat's prompt that was edited and resent: every text it had (`segments` is the shown one). */
  promptVersions?: PromptVersion[]
  promptShown?: number
}

/** One node of a forward: a message's segments, with a sender where the dialect has one. */
export interface ForwardNode {
  messageId?: string | number
  senderName?: string
  segments: Segment[]
}

export interface ShareResult {
  shareUrl: string
  previewImage: string
}

/** An LLM contact (the seed's completion parameters), stored by the client. */
export interface LlmContact {
  id: string
  name: string
  model: string
  systemPrompt: string
  temperature: number
  top_p: number
  presence_penalty: number
  frequency_penalty: number
  tools?: string[]
  /** v2: the provider of `model` (its display name). */
  provider?: string
  /** v2: run terminal commands without asking. */
  autoApprove?: boolean
  /** v2: tools (base names) the user allowed once and for all: their questions are answered yes at once. */
  alwaysAllow?: string[]
  /** v2: the first words shown in a new chat (from the preset the contact started from). */
  opening?: string
}
