/** Connection state of one account, as main pushes it to the renderer. */
export type ConnectionState = 'idle' | 'connecting' | 'authenticating' | 'online' | 'reconnecting' | 'offline' | 'failed'

export interface ConnectionStatus {
  state: ConnectionState
  /** Reconnect attempt number (1-based) while reconnecting. */
  attempt?: number
  /** Milliseconds until the next attempt, when reconnecting. */
  retryInMs?: number
  /** Epoch ms of the next attempt, when reconnecting. */
  retryAt?: number
  /** Last error, in words. */
  error?: string
  errorKind?: string
  /** Last measured heartbeat round trip, ms. */
  delayMs?: number
}
