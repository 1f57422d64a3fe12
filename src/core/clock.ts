/**
 * The one clock of the core: wall-clock milliseconds, strictly increasing, so messages created in the
 * same millisecond (or while the system clock steps back) keep their order in the history.
 */
export type Clock = () => number

export function monotonicClock(): Clock {
  let last = 0
  return () => {
    const t = Date.now()
    last = t > last ? t : last + 1
    return last
  }
}
