/**
 * Wire shapes of the Mio-Chat "spec" dialect as served by the reference server, plus validators.
 * Every reply to a request echoes its `request_id` with the same JSON type.
 */
import type { RequestId, Segment } from '../../src/shared/mio'

export type { RequestId, Segment }

/** Frames larger than this get a "frame too large" failure. */
export const MAX_FRAME_BYTES = 1024 * 1024

export interface ClientFrame {
  request_id?: unknown
  protocol?: unknown
  type?: unknown
  data?: unknown
}

export interface ReplyFrame {
  request_id: RequestId
  code: 0 | 1
  message: string
  data?: unknown
}

export type JsonObject = Record<string, unknown>

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function isRequestId(v: unknown): v is RequestId {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))
}

/** A message or contact id: a non-empty string, or a finite number. */
export function isId(v: unknown): v is string | number {
  return (typeof v === 'string' && v.length > 0 && v.length <= 256) || (typeof v === 'number' && Number.isFinite(v))
}

export function success(request_id: RequestId, data?: unknown): ReplyFrame {
  return data === undefined ? { request_id, code: 0, message: 'success' } : { request_id, code: 0, message: 'success', data }
}

export function failure(request_id: RequestId, reason: string): ReplyFrame {
  return { request_id, code: 1, message: 'failed', data: { reason } }
}

const REQUEST_ID_RE = /"request_id"\s*:\s*("(?:[^"\\\n]|\\.){0,256}"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/

/** Best effort: finds a top-level-looking `"request_id": value` in text that is not valid JSON. */
export function sniffRequestId(text: string): RequestId | undefined {
  const m = REQUEST_ID_RE.exec(text)
  if (!m) return undefined
  try {
    const v: unknown = JSON.parse(m[1])
    return isRequestId(v) ? v : undefined
  } catch {
    return undefined
  }
}

/** Validates a segment list: each item `{type: string, data: object}`. Unknown types pass untouched. */
export function validateSegments(v: unknown, what = 'message'): string | undefined {
  if (!Array.isArray(v)) return `${what} must be an array of segments`
  if (v.length === 0) return `${what} must not be empty`
  for (let i = 0; i < v.length; i++) {
    const seg: unknown = v[i]
    if (!isObject(seg)) return `${what}[${i}] must be an object`
    if (typeof seg.type !== 'string' || seg.type.length === 0) return `${what}[${i}].type must be a non-empty string`
    if (!isObject(seg.data)) return `${what}[${i}].data must be an object`
  }
  return undefined
}

export function cloneJson<T>(v: T): T {
  return structuredClone(v)
}

export function textSegment(text: string): Segment {
  return { type: 'text', data: { text } }
}

/** The plain text of a segment list (text segments only). */
export function plainText(segments: Segment[]): string {
  return segments
    .filter((s) => s.type === 'text' && typeof s.data.text === 'string')
    .map((s) => s.data.text as string)
    .join('')
}
