/** `miodesk login|models|chat|send|ping|watch` — the Mio-Chat protocol core from a terminal. */
import { MioClient } from '../core/protocols/mio/client'
import { TransportError } from '../core/transport/errors'
import { createConsoleLogger, silentLogger } from '../core/log'
import type { ToolCall } from '../shared/mio'
import { str, type ParsedArgs } from './args'

export interface Io {
  out: (s: string) => void
  err: (s: string) => void
  /** Resolves when the user interrupts (Ctrl-C) — for `watch`. */
  interrupted: Promise<void>
}

export class UsageError extends Error {}

function clientFrom(args: ParsedArgs): MioClient {
  const server = str(args, 'server', 'MIODESK_SERVER')
  const id = str(args, 'id', 'MIODESK_ID') ?? 'miodesk-cli'
  const token = str(args, 'token', 'MIODESK_TOKEN')
  if (!server) throw new UsageError('Missing --server (or MIODESK_SERVER), e.g. --server ws://127.0.0.1:8787')
  if (!token) throw new UsageError('Missing --token (or MIODESK_TOKEN): the access code')
  return new MioClient({
    server,
    id,
    token,
    logger: args.verbose ? createConsoleLogger('miodesk', 'debug') : silentLogger,
    // A CLI gives up instead of retrying forever.
    backoff: { baseMs: 500, maxMs: 2000, factor: 2, jitter: 0.3 }
  })
}

async function connected(args: ParsedArgs): Promise<MioClient> {
  const c = clientFrom(args)
  await c.connect()
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
      const c = await connected(args)
      try {
        const l = c.login!
        io.out(JSON.stringify({ dialect: l.dialect, is_admin: l.isAdmin, admin_qq: l.adminQq, bot_qq: l.botQq, default_model: l.defaultModel, models: l.models }, null, 2) + '\n')
        return 0
      } finally {
        c.stop()
      }
    }
    case 'models': {
      const c = await connected(args)
      try {
        for (const g of await c.models()) io.out(`${g.owner}: ${g.models.join(', ')}\n`)
        return 0
      } finally {
        c.stop()
      }
    }
    case 'ping': {
      const c = await connected(args)
      try {
        io.out(`${await c.ping()} ms\n`)
        return 0
      } finally {
        c.stop()
      }
    }
    case 'send': {
      const to = str(args, 'to')
      const text = args._.join(' ')
      if (!text) throw new UsageError('Nothing to send: miodesk send [--to ID] "text"')
      const c = await connected(args)
      try {
        const id = await c.sendMessage(to ?? c.onebotTarget(), [{ type: 'text', data: { text } }])
        io.out(`sent, message_id ${id}\n`)
        return 0
      } finally {
        c.stop()
      }
    }
    case 'chat': {
      const prompt = args._.join(' ')
      if (!prompt) throw new UsageError('Nothing to ask: miodesk chat --model M "prompt"')
      const c = await connected(args)
      try {
        const model = str(args, 'model') ?? c.login?.defaultModel ?? (await c.models())[0]?.models[0]
        if (!model) throw new UsageError('No model given and the server lists none: use --model')
        const tools = typeof args.tools === 'string' ? args.tools.split(',').map((t) => t.trim()).filter(Boolean) : undefined
        const system = str(args, 'system')
        const states = new Map<string, string>()
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
            if (change.textAppend) {
              if (inReasoning) io.err('\n')
              inReasoning = false
              io.out(change.textAppend)
              midLine = !change.textAppend.endsWith('\n')
            }
          }
        )
        const stop = (): void => handle.abort()
        void io.interrupted.then(stop)
        const reply = await handle.done
        if (midLine) io.out('\n')
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
      const c = clientFrom(args)
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
  if (e instanceof TransportError || e instanceof UsageError) return e.message
  return e instanceof Error ? e.message : String(e)
}
