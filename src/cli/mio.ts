/** `miodesk login|models|chat|send|ping|watch` — the Mio-Chat protocol core from a terminal. */
import type { MioConnection } from '../core/protocols/mio/connection'
import { detectAndOpenMio } from '../core/protocols/mio/open'
import { TransportError } from '../core/transport/errors'
import { createConsoleLogger, silentLogger } from '../core/log'
import type { ToolCall } from '../shared/mio'
import { str, type ParsedArgs } from './args'

export interface Io {
  out: (s: string) => void
  err: (s: string) => void
  /** Resolves when the user interrupts (Ctrl-C: SIGINT, or SIGTERM), with the signal when known. */
  interrupted: Promise<void | NodeJS.Signals>
}

export class UsageError extends Error {}

/** The user interrupted a command (Ctrl-C or SIGTERM): it ends with exit code 128 + the signal number. */
export class Interrupted extends Error {
  readonly exitCode: number
  constructor(signal: void | NodeJS.Signals = 'SIGINT') {
    super('interrupted')
    this.exitCode = signal === 'SIGTERM' ? 143 : 130
  }
}

/** Rejects with Interrupted once the user interrupts; for racing against work that may take long. */
function interruption(io: Io): Promise<never> {
  return io.interrupted.then((sig) => {
    throw new Interrupted(sig)
  })
}

/** `work`, unless the user interrupts first. */
async function unlessInterrupted<T>(io: Io, work: Promise<T>): Promise<T> {
  work.catch(() => {}) // when the interruption wins, a later failure of the work is not news
  return Promise.race([work, interruption(io)])
}

/** A connection of the server's generation (found by the credential-free probe). */
async function clientFrom(args: ParsedArgs): Promise<MioConnection> {
  const server = str(args, 'server', 'MIODESK_SERVER')
  const id = str(args, 'id', 'MIODESK_ID') ?? 'miodesk-cli'
  const token = str(args, 'token', 'MIODESK_TOKEN')
  if (!server) throw new UsageError('Missing --server (or MIODESK_SERVER), e.g. --server ws://127.0.0.1:8787')
  if (!token) throw new UsageError('Missing --token (or MIODESK_TOKEN): the access code')
  const { connection } = await detectAndOpenMio({
    server,
    id,
    token,
    logger: args.verbose ? createConsoleLogger('miodesk', 'debug') : silentLogger,
    // Only `watch` reconnects; the other commands give up on the first failed attempt (see connected()).
    backoff: { baseMs: 500, maxMs: 2000, factor: 2, jitter: 0.3 }
  })
  return connection
}

/**
 * Logs in or fails with the reason of the first failed attempt (failFast: no retrying in silence
 * against a closed port, an HTTP server without the gateway, or another protocol), or on Ctrl-C.
 */
async function connected(args: ParsedArgs, io: Io): Promise<MioConnection> {
  const c = await unlessInterrupted(io, clientFrom(args))
  try {
    await unlessInterrupted(io, c.connect({ failFast: true }))
  } catch (e) {
    c.stop()
    throw e
  }
  return c
}

const STATE_LABEL: Record<ToolCall['state'], string> = {
  started: 'started',
  pending: 'building arguments',
  running: 'running',
  finished: 'finished',
  failed: 'failed'
}

export async function runMio(cmd: string, args: ParsedArgs, io: Io): Promise<number> {
  switch (cmd) {
    case 'login': {
      const c = await connected(args, io)
      try {
        const l = c.login!
        io.out(JSON.stringify({ dialect: l.dialect, is_admin: l.isAdmin, admin_qq: l.adminQq, bot_qq: l.botQq, default_model: l.defaultModel, models: l.models }, null, 2) + '\n')
        return 0
      } finally {
        c.stop()
      }
    }
    case 'models': {
      const c = await connected(args, io)
      try {
        for (const g of await unlessInterrupted(io, c.models())) io.out(`${g.owner}: ${g.models.join(', ')}\n`)
        return 0
      } finally {
        c.stop()
      }
    }
    case 'ping': {
      const c = await connected(args, io)
      try {
        io.out(`${await unlessInterrupted(io, c.ping())} ms\n`)
        return 0
      } finally {
        c.stop()
      }
    }
    case 'send': {
      const to = str(args, 'to')
      const text = args._.join(' ')
      if (!text) throw new UsageError('Nothing to send: miodesk send [--to ID] "text"')
      const c = await connected(args, io)
      try {
        const id = await unlessInterrupted(io, c.sendMessage(to ?? c.onebotTarget(), [{ type: 'text', data: { text } }]))
        io.out(`sent, message_id ${id}\n`)
        return 0
      } finally {
        c.stop()
      }
    }
    case 'chat': {
      const prompt = args._.join(' ')
      if (!prompt) throw new UsageError('Nothing to ask: miodesk chat --model M "prompt"')
      const c = await connected(args, io)
      try {
        const model = str(args, 'model') ?? c.login?.defaultModel ?? (await unlessInterrupted(io, c.models()))[0]?.models[0]
        if (!model) throw new UsageError('No model given and the server lists none: use --model')
        const tools = typeof args.tools === 'string' ? args.tools.split(',').map((t) => t.trim()).filter(Boolean) : undefined
        const system = str(args, 'system')
        const states = new Map<string, string>()
        // A server that asks before running a tool (v2): answered by the --approve / --deny policy (default: deny).
        const policy = args.approve === true ? 'approve' : 'deny'
        const answered = new Set<string>()
        let inReasoning = false
        let midLine = false
        const handle = c.complete(
          { model, tools, stream: true, messages: [...(system ? [{ role: 'system' as const, content: system }] : []), { role: 'user' as const, content: prompt }] },
          (reply, change) => {
            if (change.reasoningAppend) {
              if (!inReasoning) io.err('[thinking] ')
              inReasoning = true
              io.err(change.reasoningAppend)
            }
            for (const t of reply.toolCalls) {
              const label = `${STATE_LABEL[t.state]}`
              if (states.get(t.key) === label) continue
              states.set(t.key, label)
              if (midLine || inReasoning) io.out('\n')
              midLine = false
              inReasoning = false
              const detail = t.state === 'running' ? ` ${t.params}` : t.state === 'finished' ? ` → ${JSON.stringify(t.result)}` : t.state === 'failed' ? ` → ${t.error}` : ''
              io.out(`[tool ${t.name}: ${label}]${detail}\n`)
            }
            const q = reply.approval
            if (q && q.state === 'waiting' && !answered.has(q.interactionId)) {
              answered.add(q.interactionId)
              if (midLine || inReasoning) io.out('\n')
              midLine = false
              inReasoning = false
              const yes = policy === 'approve'
              io.out(`[asks: ${q.prompt}${q.command ? ` ${q.command}` : ''} → ${yes ? 'approved (--approve)' : 'denied (pass --approve to allow)'}]\n`)
              void handle.answer?.(q.interactionId, yes, yes ? undefined : 'denied by the command line policy').catch((e: unknown) => io.err(`could not answer: ${describeError(e)}\n`))
            }
            if (change.textAppend) {
              if (inReasoning) io.err('\n')
              inReasoning = false
              io.out(change.textAppend)
              midLine = !change.textAppend.endsWith('\n')
            }
          }
        )
        let interrupted: Interrupted | undefined
        void io.interrupted.then((sig) => {
          interrupted = new Interrupted(sig)
          handle.abort()
        })
        const reply = await handle.done
        if (midLine) io.out('\n')
        if (interrupted && reply.status === 'aborted') throw interrupted
        if (reply.status !== 'completed') {
          io.err(`reply ${reply.status}: ${reply.error ?? ''}\n`)
          return 1
        }
        return 0
      } finally {
        c.stop()
      }
    }
    case 'watch': {
      const c = await unlessInterrupted(io, clientFrom(args))
      const line = (o: unknown): void => io.out(JSON.stringify(o) + '\n')
      c.on('status', (s) => line({ event: 'status', ...s }))
      c.on('login', (l) => line({ event: 'login', ...l }))
      c.on('message', (m) => line({ event: 'message', ...m }))
      c.on('deleted', (id) => line({ event: 'deleted', messageId: id }))
      c.on('delay', (d) => line({ event: 'delay', ms: d }))
      c.on('dropped', (reason) => line({ event: 'dropped', reason }))
      c.start()
      await io.interrupted
      c.stop()
      return 0
    }
    default:
      throw new UsageError(`Unknown command "${cmd}"`)
  }
}

export function describeError(e: unknown): string {
  if (e instanceof TransportError || e instanceof UsageError || e instanceof Interrupted) return e.message
  return e instanceof Error ? e.message : String(e)
}
