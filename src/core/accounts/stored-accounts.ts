/**
 * The stored accounts of one provider: a list under one key of the key-value store (secrets inside are
 * already encrypted by the provider), and the start-up loop every provider runs over it.
 */
import { friendlyError } from '../errors'
import type { Logger } from '../log'
import type { StoreKey } from '../storage/keys'
import type { KeyValueStore } from '../storage/storage'

export class StoredAccounts<T extends { id: string; label: string }> {
  constructor(
    private readonly store: KeyValueStore,
    private readonly key: StoreKey<T[]>
  ) {}

  all(): T[] {
    return this.store.get(this.key) ?? []
  }

  get(id: string): T | undefined {
    return this.all().find((a) => a.id === id)
  }

  has(id: string): boolean {
    return this.all().some((a) => a.id === id)
  }

  add(account: T): void {
    this.store.set(this.key, [...this.all(), account])
  }

  replace(account: T): void {
    this.store.set(this.key, this.all().map((a) => (a.id === account.id ? account : a)))
  }

  remove(id: string): void {
    this.store.set(this.key, this.all().filter((a) => a.id !== id))
  }

  /** Starts every stored account that is not live yet; one that cannot start is logged, the others go on. */
  startAll(isLive: (id: string) => boolean, start: (account: T) => void, log: Logger): void {
    for (const acc of this.all()) {
      if (isLive(acc.id)) continue
      try {
        start(acc)
      } catch (e) {
        log.error(`could not start account ${acc.label}: ${friendlyError(e)}`)
      }
    }
  }
}
