/**
 * An AppCore for integration tests against the reference Yunhu server: an in-memory store, the quick push
 * and HTTP tuning those tests share (`yunhuTuning`, with per-test overrides such as a slower heartbeat).
 */
import { AppCore } from '../../src/core/app-core'
import { createMemoryLogger, type Logger } from '../../src/core/log'
import { MemoryStore, type KeyValueStore, type SecretBox } from '../../src/core/storage/storage'

type Tuning = NonNullable<ConstructorParameters<typeof AppCore>[0]['yunhu']>

export function yunhuTuning(o: { heartbeatIntervalMs?: number; contactsPollMs?: number } = {}): Tuning {
  return {
    push: { loginSettleMs: 100, heartbeatIntervalMs: o.heartbeatIntervalMs ?? 1000, backoff: { baseMs: 50, maxMs: 200, factor: 2, jitter: 0 } },
    httpTimeoutMs: 5000,
    connectWaitMs: 5000,
    ...(o.contactsPollMs !== undefined ? { contactsPollMs: o.contactsPollMs } : {})
  }
}

export function yunhuTestCore(o: { secrets: SecretBox; store?: KeyValueStore; logger?: Logger; yunhu?: Tuning }): AppCore {
  return new AppCore({
    store: o.store ?? new MemoryStore(),
    secrets: o.secrets,
    host: 'browser',
    version: 'test',
    openExternal: async () => {},
    streamFlushMs: 16,
    logger: o.logger ?? createMemoryLogger(),
    yunhu: o.yunhu ?? yunhuTuning()
  })
}
