/**
 * A fake `window.api` for renderer unit tests (node environment): records every call, answers from
 * `replies`, and lets a test emit main's events. Install with installFakeApi() before the renderer's
 * modules first call getApi().
 */
import type { MainEventName, MainEvents, MioDeskApi } from '@shared/api'
import { afterAll, beforeAll, beforeEach } from 'vitest'

export type Call = { channel: string; args: unknown[] }
export const calls: Call[] = []
export const listeners = new Map<string, Set<(p: unknown) => void>>()
export const replies = new Map<string, (...args: unknown[]) => unknown>()

export const fakeApi: MioDeskApi = {
  call: ((channel: string, ...args: unknown[]) => {
    calls.push({ channel, args })
    const r = replies.get(channel)
    return Promise.resolve(r ? r(...args) : undefined)
  }) as MioDeskApi['call'],
  on: ((event: string, cb: (p: unknown) => void) => {
    if (!listeners.has(event)) listeners.set(event, new Set())
    listeners.get(event)!.add(cb)
    return () => listeners.get(event)!.delete(cb)
  }) as MioDeskApi['on']
}

export function emit<E extends MainEventName>(event: E, payload: MainEvents[E]): void {
  for (const l of listeners.get(event) ?? []) l(payload)
}

export function resetFakeApi(): void {
  calls.length = 0
  listeners.clear()
  replies.clear()
}

const g = globalThis as unknown as { window?: unknown; document?: unknown }

/** Puts the fake behind `window.api` (and a minimal `document`); returns a function that removes them. */
export function installFakeApi(): () => void {
  const hadWindow = 'window' in g
  const hadDocument = 'document' in g
  g.window = { api: fakeApi }
  g.document = { hidden: false, visibilityState: 'visible', documentElement: { dataset: {}, style: {}, lang: '' } }
  return () => {
    if (!hadWindow) delete g.window
    if (!hadDocument) delete g.document
  }
}

/** For a test file: the fake installed before its tests, removed after them, and reset before each. */
export function useFakeApi(): void {
  let uninstall: () => void = () => {}
  beforeAll(() => {
    uninstall = installFakeApi()
  })
  afterAll(() => uninstall())
  beforeEach(resetFakeApi)
}
