/**
 * Wire words and small shapes of the Mio-Chat v2 generation (Socket.IO), as the recorded real server
 * (mio-chat-backend 46214d1f) sends them: see docs/protocol/mio-v2.md.
 */
import type { RequestId } from '../mio/protocol'

export type { RequestId }

export type JsonObject = Record<string, unknown>

/** CONNECT refused: wrong, empty or missing code. */
export const INVALID_TOKEN = '无效token'
/** CONNECT refused: `id` is the string "undefined". */
export const MISSING_ID = '缺少ID'
/** The update a reply gets when it ends before anything was sent. */
export const NO_RESPONSE = '模型无响应，请检查输入是否合法！'
/** tool:interact for a request that is unknown or finished. */
export const INTERACT_EXPIRED = '请求会话已过期或失效'
/** tool:interact for a live request whose interaction is unknown or answered. */
export const INTERACT_HANDLED = '交互失败：已超时或已被处理'
/** tool:interact without `payload` while the question is open (crashes the real server; not recorded words). */
export const INTERACT_NO_PAYLOAD = '交互失败：缺少 payload'
export const APPROVAL_PROMPT = '是否授权 LLM 执行命令：'
export const ADMIN_ONLY = 'Only administrators can execute this function.'
export const USER_ABORT = 'USER_ABORT'
export const SHUTDOWN_TOOL_ERROR = '服务器重启，工具执行被打断'
/** Not recorded (the real server promises it but the recording did not get it): the reply's words at shutdown. */
export const SHUTDOWN_REPLY_ERROR = '服务器正在关闭，本次回复已中断'

export const unknownProvider = (name: string): string => `您选择的模型或渠道 "${name}" 已失效，请重新选择模型。`
export const unknownModel = (model: string): string => `404 The model \`${model}\` does not exist or you do not have access to it.`
export const toolNotFound = (name: string): string => `[System Error] 未找到工具: ${name}`
export const deniedCommand = (command: string, reason: string): string => `[执行终止] 用户拒绝授权此 Shell 命令 "${command}" 的执行。 原因: ${reason}`

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * A request_id the server makes up: epoch milliseconds modulo 10¹⁰, as the real server does (two pushes in
 * one millisecond share one; clients must not use them as keys).
 */
export function serverRequestId(now = Date.now()): number {
  return now % 10_000_000_000
}

/** A non-empty string, or a finite number as a string; undefined otherwise. */
export function idText(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v
  if (typeof v === 'number' && Number.isFinite(v)) return String(v)
  return undefined
}
