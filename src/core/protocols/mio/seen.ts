/**
 * The pushes seen on one connection, to drop a push the server repeats (or the echo of our own send):
 * a bounded window of the last message ids. Cleared by every new connection — message ids are only unique
 * within one server session (a restarted server may hand them out again for new messages).
 */
export class SeenIds {
  private readonly set = new Set<string>()
  private readonly order: string[] = []

  constructor(private readonly max = 2000) {}

  /** True when `id` was seen on this connection; records it otherwise. */
  seen(id: string): boolean {
    if (this.set.has(id)) return true
    this.set.add(id)
    this.order.push(id)
    if (this.order.length > this.max) this.set.delete(this.order.shift()!)
    return false
  }

  clear(): void {
    this.set.clear()
    this.order.length = 0
  }
}
