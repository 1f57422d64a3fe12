/**
 * The one heartbeat loop of every connection: a beat every `intervalMs`; a beat still unanswered when
 * the next is due counts as missed, and `maxMissed` missed beats in a row mean the link is dead. Any
 * frame from the server (`alive()`) proves the link and clears the count. The protocol supplies the
 * beat (its own heartbeat frame and answer); the owner decides what "dead" does (terminate, reconnect).
 * Used by ManagedSocket (raw WebSocket: Mio-Chat March 2025, Yunhu push) and the Socket.IO client (v2).
 */
export interface HeartbeatOptions {
  intervalMs: number
  maxMissed: number
  /** Sends one heartbeat; resolves when it is answered (a rejection counts as missed on the next beat). */
  beat: () => Promise<unknown>
  /** An answer came back after `rttMs`. */
  onAnswer: (rttMs: number) => void
  /** `missed` beats in a row were not answered; the loop has stopped. */
  onDead: (missed: number) => void
}

export class HeartbeatLoop {
  private timer?: ReturnType<typeof setInterval>
  private inFlight = false
  private missed = 0
  /** Bumped by start/stop so an answer from an earlier run is ignored. */
  private run = 0

  constructor(private readonly o: HeartbeatOptions) {}

  get running(): boolean {
    return this.timer !== undefined
  }

  /** (Re)starts the loop with a first beat now. */
  start(): void {
    this.stop()
    const run = this.run
    this.timer = setInterval(() => this.tick(run), this.o.intervalMs)
    this.tick(run)
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    this.inFlight = false
    this.missed = 0
    this.run++
  }

  /** A frame arrived: the link is alive. */
  alive(): void {
    this.missed = 0
  }

  private tick(run: number): void {
    if (run !== this.run) return
    if (this.inFlight) {
      this.missed++
      if (this.missed >= this.o.maxMissed) {
        const missed = this.missed
        this.stop()
        this.o.onDead(missed)
        return
      }
    }
    const sentAt = performance.now()
    this.inFlight = true
    this.o.beat().then(
      () => {
        if (run !== this.run) return
        this.inFlight = false
        this.missed = 0
        this.o.onAnswer(Math.round((performance.now() - sentAt) * 10) / 10)
      },
      () => {
        /* a missing answer is counted on the next beat */
      }
    )
  }
}
