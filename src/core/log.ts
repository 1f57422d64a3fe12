/**
 * A tiny logger interface for the core. Never log secrets: use `redact` on anything that may carry
 * a token, access code or password (URLs with `mio-chat-token`, headers, login frames).
 */
export interface Logger {
  debug(msg: string, meta?: unknown): void
  info(msg: string, meta?: unknown): void
  warn(msg: string, meta?: unknown): void
  error(msg: string, meta?: unknown): void
}

const SECRET_KEYS = /^(mio-chat-token|token|password|access[_-]?code|api[_-]?key|authorization|apiKey)$/i

/** Returns a copy of `value` with secret-looking fields and URL query values replaced by "***". */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '…'
  if (typeof value === 'string') return redactUrl(value)
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEYS.test(k) ? '***' : redact(v, depth + 1)
    }
    return out
  }
  return value
}

export function redactUrl(s: string): string {
  return s.replace(/([?&](?:mio-chat-token|token|password)=)[^&#\s"]*/gi, '$1***')
}

export function createConsoleLogger(prefix = 'miodesk', level: 'debug' | 'info' | 'warn' | 'error' = 'info'): Logger {
  const order = { debug: 0, info: 1, warn: 2, error: 3 }
  const at = order[level]
  const out = (lvl: keyof typeof order, msg: string, meta?: unknown): void => {
    if (order[lvl] < at) return
    const line = `[${prefix}] ${lvl}: ${redactUrl(msg)}`
    const args = meta === undefined ? [line] : [line, redact(meta)]
    if (lvl === 'error' || lvl === 'warn') console.error(...args)
    else console.error(...args)
  }
  return {
    debug: (m, x) => out('debug', m, x),
    info: (m, x) => out('info', m, x),
    warn: (m, x) => out('warn', m, x),
    error: (m, x) => out('error', m, x)
  }
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }

/** A logger that keeps entries in memory (tests assert on what was logged). */
export function createMemoryLogger(): Logger & { entries: { level: string; msg: string; meta?: unknown }[] } {
  const entries: { level: string; msg: string; meta?: unknown }[] = []
  const push = (level: string) => (msg: string, meta?: unknown) => {
    entries.push({ level, msg: redactUrl(msg), meta: meta === undefined ? undefined : redact(meta) })
  }
  return { entries, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') }
}
