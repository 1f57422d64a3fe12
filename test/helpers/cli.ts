/**
 * Runs the CLI as a user does, in a real child process: by default `tsx src/cli/index.ts …` from the
 * project root (`npm run cli`); `command` runs another entry (the bin, a copy of it in a temp tree).
 * The MIODESK_* connection variables of the environment are cleared so only the arguments count.
 */
import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { expect } from 'vitest'

export const ROOT = resolve(__dirname, '../..')
export const TSX = resolve(ROOT, 'node_modules/tsx/dist/cli.mjs')

export interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** From spawn to exit. */
  ms: number
  /** From the signal (when one was sent) to exit. */
  afterSignalMs?: number
}

export interface CliOptions {
  /** The node arguments before the CLI's own: default `[TSX, 'src/cli/index.ts']`. */
  command?: string[]
  /** Default the project root. */
  cwd?: string
  /** Added to the environment. */
  env?: Record<string, string>
  /** Sent once `ready(stdout, stderr)` holds (default: at once). */
  signal?: NodeJS.Signals
  ready?: (stdout: string, stderr: string) => boolean
  killAfterMs?: number
}

/**
 * Runs the CLI with `args`. `signal` is sent once `ready(stdout, stderr)` holds (default: at once), so
 * the signal reaches a CLI that is really at work, not one still starting up.
 */
export function cli(args: string[], o: CliOptions = {}): Promise<Run> {
  const env = { ...process.env, MIODESK_SERVER: '', MIODESK_ID: '', MIODESK_TOKEN: '', ...o.env }
  const t0 = Date.now()
  const child = spawn(process.execPath, [...(o.command ?? [TSX, 'src/cli/index.ts']), ...args], { cwd: o.cwd ?? ROOT, env })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  let signalAt: number | undefined
  const killer = setTimeout(() => child.kill('SIGKILL'), o.killAfterMs ?? 18_000)
  if (o.signal) {
    const sig = o.signal
    const poll = async (): Promise<void> => {
      while (child.exitCode === null && child.signalCode === null) {
        if (!o.ready || o.ready(stdout, stderr)) {
          signalAt = Date.now()
          child.kill(sig)
          return
        }
        await new Promise((r) => setTimeout(r, 20))
      }
    }
    void poll()
  }
  return new Promise((res) => {
    child.on('exit', (code, signal) => {
      clearTimeout(killer)
      const now = Date.now()
      res({ code, signal, stdout, stderr, ms: now - t0, afterSignalMs: signalAt === undefined ? undefined : now - signalAt })
    })
  })
}

/** A failed run: a non-zero exit of its own, one readable `miodesk: …` line on stderr, no stack trace. */
export function expectReadableFailure(r: Run, words: RegExp, withinMs: number): void {
  const what = JSON.stringify(r)
  expect(r.signal, what).toBeNull()
  expect(r.code, what).not.toBe(0)
  expect(r.code, what).not.toBeNull()
  expect(r.stderr, what).toMatch(/^miodesk: /m)
  expect(r.stderr, what).toMatch(words)
  expect(r.stderr, what).not.toMatch(/\n\s+at /)
  expect(r.ms, what).toBeLessThan(withinMs)
}
