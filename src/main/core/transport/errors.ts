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

/** Turns anything thrown into a one-line message fit for a user. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message
  if (typeof e === 'string') return e
  return 'Unknown error'
}
