/** Shared benchmark helpers: warm up, calibrate, interleave subject and baseline, report medians. */
export interface Rate {
  perSecond: number
  samples: number[]
}

export interface Comparison {
  subject: Rate
  baseline: Rate
  /**
   * baseline / subject: the median, over the rounds, of the ratio of the two samples taken one right
   * after the other. Other work on the machine comes in bursts longer than a round; a burst slows both
   * samples of a round alike, where it can shift the median of one side's samples and not the other's.
   */
  ratio: number
}

export interface CompareOptions {
  /** Samples of each side (default 15). */
  rounds?: number
  /**
   * Runs before calibration: should call the functions that do the work (subject and baseline alike)
   * many times on small inputs. A function called only a few times, each with a long loop inside,
   * may be left in V8's baseline tier or in on-stack-replaced code for the whole run (it then runs
   * 2–3× slower), and whether that happens differs from process to process: the ratio of one run then
   * says more about the JIT's luck than about the code. Many short calls get both sides optimized.
   */
  warmup?: () => void
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

/**
 * Interleaves samples of two functions so both see the same machine state (the order alternates
 * round by round, so neither side always runs right after the other's garbage).
 */
export function compareRates(items: number, subject: () => void, baseline: () => void, options: number | CompareOptions = {}): Comparison {
  const { rounds = 15, warmup } = typeof options === 'number' ? { rounds: options } : options
  warmup?.()
  const ks = calibrate(subject, 25)
  const kb = calibrate(baseline, 25)
  const s: number[] = []
  const b: number[] = []
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      s.push(sample(items, subject, ks))
      b.push(sample(items, baseline, kb))
    } else {
      b.push(sample(items, baseline, kb))
      s.push(sample(items, subject, ks))
    }
  }
  return {
    subject: { perSecond: Math.round(median(s)), samples: s.map(Math.round) },
    baseline: { perSecond: Math.round(median(b)), samples: b.map(Math.round) },
    ratio: Math.round(median(b.map((x, i) => x / s[i]!)) * 100) / 100
  }
}
