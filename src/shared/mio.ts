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

/** Which flavour of the protocol a server speaks; decided by the first answer after connecting. */
export type Dialect = 'spec' | 'field'

export interface LoginInfo {
  isAdmin: boolean
  adminQq: string
  botQq: string
  dialect: Dialect
  /** Present when the server pushed them at login (field dialect). */
  models?: ModelGroup[]
  defaultModel?: string
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
  /** Tool names (field server), e.g. ["clock", "calculator"]. */
  tools?: string[]
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
}

export type ReplyStatus = 'pending' | 'streaming' | 'completed' | 'failed' | 'interrupted' | 'aborted'

/** A streamed AI reply assembled from `pending → update* → completed | failed`. */
export interface AiReply {
  requestId: RequestId
  status: ReplyStatus
  text: string
  reasoning: string
  toolCalls: ToolCall[]
  /** Short human-readable reason for failed/interrupted replies. */
  error?: string
  /** Long technical detail (e.g. a server stack trace), never shown raw by default. */
  errorDetail?: string
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
}
