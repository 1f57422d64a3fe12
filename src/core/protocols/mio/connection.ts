/**
 * What the Mio-Chat account provider needs from a connection to a Mio-Chat server, whatever its
 * generation: the raw-WebSocket servers (spec and field dialects, `MioClient`) and the Socket.IO server
 * (`v2`). One implementation per transport; the provider never looks at which one it holds beyond
 * `dialect` (for the outbox's resend rule) and the declared `features`.
 */
import type { EventEmitter } from 'node:events'
import type { ConnectionStatus } from '../../../shared/connection'
import type { AiReply, CompletionRequest, Dialect, LoginInfo, MioPreset, ModelGroup, RequestId, Segment, ShareResult } from '../../../shared/mio'
import type { ApplyResult } from './stream'

export interface IncomingMessage {
  contactId: string
  messageId: string
  segments: Segment[]
}

/**
 * v2: a reply the server kept for a conversation (`enter_chat` → `sync`) that this connection has no
 * open stream for — started on another device, or before a restart of the app. `handle.reply` is the
 * snapshot; while it is still streaming the rest arrives on this connection: `listen` to it, `answer`
 * its question, `abort` it; `handle.done` resolves at its end (at once when it had already ended).
 */
export interface ResumedReply {
  contactorId: string
  messageId: string
  /** The reply as the snapshot has it (the same object as `handle.reply`: it keeps growing while streaming). */
  reply: AiReply
  handle: StreamHandle
  /** Gets every later change of this reply (replaces the previous listener). */
  listen(listener: StreamListener): void
}

export interface MioConnectionEvents {
  status: [ConnectionStatus]
  login: [LoginInfo]
  delay: [number]
  message: [IncomingMessage]
  deleted: [string]
  /** A frame was dropped as bad input (already logged). */
  dropped: [string]
  /** v2: a cached reply came back from the server (see ResumedReply). */
  resumed: [ResumedReply]
  /** v2: the server's presets or tools changed (an admin reloaded them, or they were listed): ask again. */
  catalog: ['presets' | 'tools']
  /** v2: the server named a conversation (after its first reply, when the completion asked for it). */
  title: [{ contactorId: string; title: string }]
}

export interface StreamHandle {
  requestId: RequestId
  reply: AiReply
  /** Resolves with the final reply (completed, failed, interrupted or aborted). Never rejects. */
  done: Promise<AiReply>
  abort(): void
  /** Answers the reply's open question (`reply.approval`), where the generation has them (v2). */
  answer?(interactionId: string, approved: boolean, reason?: string): Promise<void>
}

export type StreamListener = (reply: AiReply, change: ApplyResult) => void

export interface MioConnection extends EventEmitter<MioConnectionEvents> {
  /** The protocol generation/dialect found at login (undefined before the first login). */
  readonly dialect: Dialect | undefined
  readonly login: LoginInfo | undefined
  readonly status: ConnectionStatus
  /** The last measured heartbeat round trip, ms. */
  readonly delayMs: number | undefined
  readonly isOnline: boolean
  start(): void
  stop(): void
  /** Starts and resolves on the first successful login, or rejects with the reason in words. */
  connect(opts?: { failFast?: boolean }): Promise<LoginInfo>
  ping(): Promise<number>
  /** The tools the server offers (its full names), where it lists them (v2). */
  readonly tools?: string[]
  /** The onebot contact id messages to the bot are addressed to. */
  onebotTarget(): string
  /** Sends onebot segments; resolves with the server's message id. `messageId` = a client id to carry where the dialect has one. */
  sendMessage(contactId: string, segments: Segment[], messageId?: string | number): Promise<string>
  recall(contactId: string, messageId: string | number): Promise<void>
  forward(contactId: string, nodes: { message_id: string | number; message: Segment[] }[]): Promise<string | undefined>
  models(): Promise<ModelGroup[]>
  share(contactor: Record<string, unknown>): Promise<ShareResult>
  complete(req: CompletionRequest, listener?: StreamListener): StreamHandle
  /**
   * v2: asks the server for the replies it keeps for `contactorId`; each arrives as a `resumed` event
   * (or is merged into the open stream it belongs to). Generations without resume do not have it.
   */
  resume?(contactorId: string): void
  /** v2: the server's presets ("agents") to start a model chat with. */
  presets?(): Promise<MioPreset[]>
  /** v2: the reply is stored locally, the server may forget it. Queued while offline. */
  ack?(contactorId: string, messageId: string): void
}
