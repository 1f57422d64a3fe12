/**
 * Opens a connection of a Mio-Chat server's generation: the Socket.IO client for today's servers, the
 * raw-WebSocket client for the March 2025 server and the seed's spec (it tells those two apart at login).
 * The account provider and the CLI both open connections here.
 */
import { MioClient, type MioClientOptions } from './client'
import type { MioConnection } from './connection'
import { detectMioGeneration } from './detect'
import { MioV2Client, type MioV2ClientOptions } from './v2/client'

export type MioConnectionGeneration = 'v1' | 'v2'

export interface OpenMioOptions {
  server: string
  id: string
  token: string
  heartbeatIntervalMs?: number
  logger?: MioClientOptions['logger']
  backoff?: MioClientOptions['backoff']
  /** Overrides for one generation's client (tests). */
  v1?: Partial<MioClientOptions>
  v2?: Partial<MioV2ClientOptions>
}

export function openMioConnection(generation: MioConnectionGeneration, o: OpenMioOptions): MioConnection {
  // Only what is given: an undefined option must not override a client's default (e.g. the heartbeat interval).
  const common = {
    server: o.server,
    id: o.id,
    token: o.token,
    ...(o.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: o.heartbeatIntervalMs } : {}),
    ...(o.logger ? { logger: o.logger } : {}),
    ...(o.backoff ? { backoff: o.backoff } : {})
  }
  return generation === 'v2' ? new MioV2Client({ ...common, ...o.v2 }) : new MioClient({ ...common, ...o.v1 })
}

/** Finds the server's generation (the credential-free probe) and opens a connection of it. */
export async function detectAndOpenMio(o: OpenMioOptions, detect = (server: string) => detectMioGeneration(server)): Promise<{ generation: MioConnectionGeneration; connection: MioConnection }> {
  const found = await detect(o.server).catch(() => 'none' as const)
  const generation: MioConnectionGeneration = found === 'v2' ? 'v2' : 'v1'
  return { generation, connection: openMioConnection(generation, o) }
}
