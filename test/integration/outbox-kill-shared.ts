/** What the outbox kill test's parent and child agree on. */
import type { AppCoreOptions } from '../../src/core/app-core'

export const KILL_TEST = { mioId: '7101', email: 'demo@miodesk.local', password: 'kill-pw-1', friend: '1000002' }

export function contactOf(platform: 'mio' | 'yunhu'): string {
  return platform === 'mio' ? 'bot' : KILL_TEST.friend
}

export function coreOptions(): Pick<AppCoreOptions, 'host' | 'version' | 'openExternal' | 'clientOptions' | 'yunhu'> {
  return {
    host: 'browser',
    version: 'test',
    openExternal: async () => {},
    clientOptions: { heartbeatIntervalMs: 500, backoff: { baseMs: 40, maxMs: 200, factor: 2, jitter: 0 } },
    yunhu: { push: { loginSettleMs: 50, heartbeatIntervalMs: 500, backoff: { baseMs: 40, maxMs: 200, factor: 2, jitter: 0 } }, httpTimeoutMs: 3000, connectWaitMs: 5000 }
  }
}
