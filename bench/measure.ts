/** Shared benchmark helpers: calibrate, warm up, interleave subject and baseline, report medians. */
export interface Rate {
  perSecond: number
  samples: number[]
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!

/** How many calls of `fn` take at least `minMs` (so timer resolution and noise matter less). */
function calibrate(fn: () => void, minMs: number): number {
  let k = 1
  for (;;) {
    const t0 = performance.now()
    for (let i = 0; i < k; i++) fn()
    if (performance.now() - t0 >= minMs || k >= 1 << 20) return k
    k *= 2
  }
}

function sample(items: number, fn: () => void, k: number): number {
  const t0 = performance.now()
  for (let i = 0; i < k; i++) fn()
  return (items * k) / ((performance.now() - t0) / 1000)
}

/** Rate of one function (units/s, median of `rounds` samples of ≥ 25 ms each). */
export function measureRate(items: number, fn: () => void, rounds = 9): Rate {
  const k = calibrate(fn, 25)
  const s: number[] = []
  for (let i = 0; i < rounds; i++) s.push(sample(items, fn, k))
  return { perSecond: Math.round(median(s)), samples: s.map(Math.round) }
}

/** Interleaves samples of two functions so both see the same machine state. */
export function compareRates(items: number, subject: () => void, baseline: () => void, rounds = 9): { subject: Rate; baseline: Rate } {
  const ks = calibrate(subject, 25)
  const kb = calibrate(baseline, 25)
  const s: number[] = []
  const b: number[] = []
  for (let i = 0; i < rounds; i++) {
    s.push(sample(items, subject, ks))
    b.push(sample(items, baseline, kb))
  }
  return { subject: { perSecond: Math.round(median(s)), samples: s.map(Math.round) }, baseline: { perSecond: Math.round(median(b)), samples: b.map(Math.round) } }
}
