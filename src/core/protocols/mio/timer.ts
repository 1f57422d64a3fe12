type Timer = ReturnType<typeof setTimeout>

/**
 * Restarts a one-shot timer that is reset on every frame of a stream (the idle timeout): `fn` runs
 * `ms` after the last restart. Node's Timeout has refresh(): the same timer re-armed from now, with
 * no new timer and no clearTimeout per frame (a clearTimeout + setTimeout pair costs ~400 ns, a
 * refresh ~60 ns); it keeps the callback it was made with, so `fn` must do the same thing every
 * call. A timer that already fired or was cleared (Node marks it destroyed: refresh() would not
 * revive it) is replaced, as is anything without refresh().
 */
export function restartTimer(t: Timer | undefined, fn: () => void, ms: number): Timer {
  if (t !== undefined && typeof t === 'object' && typeof t.refresh === 'function' && (t as { _destroyed?: boolean })._destroyed === false) return t.refresh()
  clearTimeout(t)
  return setTimeout(fn, ms)
}
