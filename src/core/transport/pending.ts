import { TransportError } from './errors'
import { coreText } from '../../shared/core-text'
import type { Logger } from '../log'

/** Request ids as sent: a string and a number with the same digits are different ids. */
export type RequestKey = string | number

interface Entry {
  resolve: (value: unknown) => void
  reject: (err: Error) => void
  timer: ReturnType<typeof setTimeout>
  label: string
}

/**
 * The id → resolver map of in-flight requests (Signal-Desktop style): each request has its own
 * timeout; `failAll` rejects every pending one at once when the link goes down.
 */
export class PendingRequests {
  private readonly map = new Map<RequestKey, Entry>()
  constructor(private readonly log?: Logger) {}

  get size(): number {
    return this.map.size
  }

  has(id: RequestKey): boolean {
    return this.map.has(id)
  }

  /** Registers `id` and returns the promise its reply settles. */
  add<T>(id: RequestKey, timeoutMs: number, label = 'request'): Promise<T> {
    if (this.map.has(id)) return Promise.reject(new TransportError('protocol', `Duplicate request id ${String(id)}`))
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.map.delete(id)
        reject(new TransportError('timeout', coreText('noAnswerWithin', { what: String(label), s: String(Math.round(timeoutMs / 100) / 10) })))
      }, timeoutMs)
      this.map.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, label })
    })
  }

  /** Settles the request `id`; returns false (and logs) for unknown or late replies. */
  resolve(id: RequestKey, value: unknown): boolean {
    const e = this.map.get(id)
    if (!e) {
      this.log?.debug(`ignored a reply to unknown or expired request ${JSON.stringify(id)}`)
      return false
    }
    clearTimeout(e.timer)
    this.map.delete(id)
    e.resolve(value)
    return true
  }

  reject(id: RequestKey, err: Error): boolean {
    const e = this.map.get(id)
    if (!e) return false
    clearTimeout(e.timer)
    this.map.delete(id)
    e.reject(err)
    return true
  }

  /** Rejects every pending request with `err` (used when the socket closes). */
  failAll(err: Error): void {
    const entries = [...this.map.values()]
    this.map.clear()
    for (const e of entries) {
      clearTimeout(e.timer)
      e.reject(err)
    }
  }
}
