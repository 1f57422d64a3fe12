import { coreText } from '../../shared/core-text'
/** Error kinds every protocol shares. `message` is always a sentence a user can read. */
export type TransportErrorKind =
  | 'timeout' // a request got no reply in time
  | 'closed' // the link dropped while the request was in flight
  | 'offline' // the request was made while not connected
  | 'unreachable' // the server could not be reached at all
  | 'auth' // credentials refused
  | 'unsupported' // the server's dialect has no such operation
  | 'protocol' // the server answered with something we cannot use
  | 'server' // the server answered with an error
  | 'aborted' // the caller cancelled

export class TransportError extends Error {
  readonly kind: TransportErrorKind
  readonly detail?: string
  constructor(kind: TransportErrorKind, message: string, detail?: string) {
    super(message)
    this.name = 'TransportError'
    this.kind = kind
    this.detail = detail
  }
}

export function isTransportError(e: unknown): e is TransportError {
  return e instanceof TransportError
}

const MAX_ERROR_LENGTH = 1000

/**
 * Turns anything thrown into a message fit for a user: an Error's or error-like object's message, or
 * a thrown string; trimmed, capped at 1000 characters, never empty and never a stack trace.
 */
export function errorMessage(e: unknown): string {
  let msg: string
  if (e instanceof Error) msg = e.message
  else if (typeof e === 'string') msg = e
  else if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') msg = (e as { message: string }).message
  else msg = ''
  msg = msg.trim()
  if (!msg) msg = coreText('somethingWrong')
  return msg.length > MAX_ERROR_LENGTH ? `${msg.slice(0, MAX_ERROR_LENGTH)}…` : msg
}
