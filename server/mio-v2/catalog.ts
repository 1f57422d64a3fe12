/**
 * The v2 tool catalog: the local tools of server/mio/tools.ts under their full names
 * `<base>_mid_<6 hex>` (the hash of the definition, so a changed tool gets a new name), grouped by plugin
 * for `GET /api/openai/tools`, with what the v2 runtime needs to know about each: admin-only, asks first,
 * its display label.
 */
import { createHash } from 'node:crypto'
import { LOCAL_TOOL_NAMES, SHELL_TOOL, TOOL_DEFINITIONS, type LocalToolName, type ToolDefinition } from '../mio/tools'

export interface CatalogTool {
  base: LocalToolName
  /** `<base>_mid_<6 hex>`. */
  fullName: string
  plugin: string
  /** The definition under its full name, as it is offered upstream. */
  definition: ToolDefinition
  /** Plain users get `{error: "Only administrators can execute this function."}`. */
  adminOnly: boolean
  /** Asks the user (REQUEST_APPROVAL) before running, unless `yolo` or the command is whitelisted. */
  asksApproval: boolean
  /** The short label of a running call (the command), when the tool has one. */
  displayName(args: Record<string, unknown>): string | undefined
}

const PLUGIN: Record<LocalToolName, string> = { clock: 'miodesk-plugin', calculator: 'miodesk-plugin', bash: 'terminal-demo' }

function hash6(definition: ToolDefinition): string {
  return createHash('sha256').update(JSON.stringify(definition.function)).digest('hex').slice(0, 6)
}

export class ToolCatalog {
  readonly tools: readonly CatalogTool[]
  private readonly byFull = new Map<string, CatalogTool>()
  private readonly byBase = new Map<LocalToolName, CatalogTool>()

  constructor() {
    this.tools = LOCAL_TOOL_NAMES.map((base) => {
      const def = TOOL_DEFINITIONS[base]
      const fullName = `${base}_mid_${hash6(def)}`
      const shell = base === SHELL_TOOL
      return {
        base,
        fullName,
        plugin: PLUGIN[base],
        definition: { type: 'function', function: { ...def.function, name: fullName } },
        adminOnly: shell,
        asksApproval: shell,
        displayName: (args) => (shell && typeof args.command === 'string' ? args.command : undefined)
      } satisfies CatalogTool
    })
    for (const t of this.tools) {
      this.byFull.set(t.fullName, t)
      this.byBase.set(t.base, t)
    }
  }

  get(fullName: string): CatalogTool | undefined {
    return this.byFull.get(fullName)
  }

  fullName(base: LocalToolName): string {
    return this.byBase.get(base)?.fullName ?? base
  }

  /** The tools among `names` (full names; unknown ones are left out), in catalog order. */
  pick(names: readonly unknown[]): CatalogTool[] {
    const wanted = new Set(names.filter((n): n is string => typeof n === 'string'))
    return this.tools.filter((t) => wanted.has(t.fullName))
  }

  /** `GET /api/openai/tools`: `{<plugin>: {<full name>: {name, description, parameters}}}`. */
  listing(): Record<string, Record<string, { name: string; description: string; parameters: Record<string, unknown> }>> {
    const out: Record<string, Record<string, { name: string; description: string; parameters: Record<string, unknown> }>> = {}
    for (const t of this.tools) {
      const { name, description, parameters } = t.definition.function
      ;(out[t.plugin] ??= {})[t.fullName] = { name, description, parameters }
    }
    return out
  }
}

/**
 * `settings.shWhitelist`: rules separated by commas or newlines; a rule matches a command equal to it or
 * starting with it; `/…/` (optionally with flags) is a regular expression.
 */
export function whitelisted(command: string, whitelist: unknown): boolean {
  if (typeof whitelist !== 'string') return false
  const cmd = command.trim()
  for (const raw of whitelist.split(/[,\n]/)) {
    const rule = raw.trim()
    if (!rule) continue
    const re = /^\/(.+)\/([a-z]*)$/.exec(rule)
    if (re) {
      try {
        if (new RegExp(re[1], re[2]).test(cmd)) return true
      } catch {
        // an invalid expression matches nothing
      }
      continue
    }
    if (cmd === rule || cmd.startsWith(rule)) return true
  }
  return false
}
