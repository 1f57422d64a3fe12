export interface BackoffOptions {
  /** First delay, ms. */
  baseMs: number
  /** Upper bound, ms. */
  maxMs: number
  /** Multiplier per attempt. */
  factor: number
  /** 0..1: the share of the delay that is randomised ("equal jitter"). */
  jitter: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 }

/** Capped exponential backoff with jitter. `attempt` starts at 0. */
export function backoffDelay(attempt: number, o: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exp = Math.min(o.maxMs, o.baseMs * Math.pow(o.factor, Math.max(0, attempt)))
  const fixed = exp * (1 - o.jitter)
  return Math.round(fixed + random() * exp * o.jitter)
}
