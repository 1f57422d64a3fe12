/** Minimal argv parsing: `--key value`, `--key=value`, `--flag`, and positionals. */
export interface ParsedArgs {
  _: string[]
  [key: string]: string | boolean | string[]
}

export function parseArgs(argv: string[], booleans: string[] = []): ParsedArgs {
  const out: ParsedArgs = { _: [] }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') {
      out._.push(...argv.slice(i + 1))
      break
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=')
      if (eq > 0) {
        out[a.slice(2, eq)] = a.slice(eq + 1)
      } else {
        const key = a.slice(2)
        const next = argv[i + 1]
        if (booleans.includes(key) || next === undefined || next.startsWith('--')) out[key] = true
        else {
          out[key] = next
          i++
        }
      }
    } else out._.push(a)
  }
  return out
}

export function str(args: ParsedArgs, key: string, env?: string): string | undefined {
  const v = args[key]
  if (typeof v === 'string') return v
  return env ? process.env[env] : undefined
}
