/**
 * The local tools used by the demo model and by the upstream proxy: `clock` and `calculator` (both
 * dialects) and `bash`, a harmless demo terminal that only the v2 generation offers (it runs nothing:
 * it echoes the command). The calculator is a small recursive-descent parser: no eval, no Function.
 */
import { randomBytes } from 'node:crypto'

/** The tools of the spec dialect. */
export const TOOL_NAMES = ['clock', 'calculator'] as const
export type ToolName = (typeof TOOL_NAMES)[number]

/** The demo terminal (v2 only: admin-only and asks before every command, like the real server's `bash`). */
export const SHELL_TOOL = 'bash'
export type LocalToolName = ToolName | typeof SHELL_TOOL
export const LOCAL_TOOL_NAMES: readonly LocalToolName[] = [...TOOL_NAMES, SHELL_TOOL]

/** What a tool call finishes with (the spec dialect's `finished.result` field on the wire). */
export interface ToolResult {
  error: string | null
  result: unknown
  /** The text the model is given as the tool's answer; default: this object as JSON. */
  forModel?: string
}

export interface ToolDefinition {
  type: 'function'
  function: { name: string; description: string; parameters: Record<string, unknown> }
}

/** OpenAI function definitions, sent to the upstream when the tools are allowed. */
export const TOOL_DEFINITIONS: Record<LocalToolName, ToolDefinition> = {
  clock: {
    type: 'function',
    function: {
      name: 'clock',
      description: 'Returns the current date and time.',
      parameters: {
        type: 'object',
        properties: { timezone: { type: 'string', description: 'IANA time zone, e.g. "Asia/Shanghai". Default UTC.' } }
      }
    }
  },
  calculator: {
    type: 'function',
    function: {
      name: 'calculator',
      description: 'Evaluates an arithmetic expression with + - * / % ^ and parentheses.',
      parameters: {
        type: 'object',
        properties: { expression: { type: 'string', description: 'e.g. "12*(3+4)"' } },
        required: ['expression']
      }
    }
  },
  bash: {
    type: 'function',
    function: {
      name: 'bash',
      description:
        'Demo terminal of the MioDesk reference server: "runs" a shell command by echoing it (nothing is executed). ' +
        'Only administrators may use it, and the user is asked to approve every command.',
      parameters: {
        type: 'object',
        properties: { command: { type: 'string', description: 'Shell command to execute, e.g. "echo hello".' } },
        required: ['command']
      }
    }
  }
}

export function isLocalToolName(name: unknown): name is LocalToolName {
  return typeof name === 'string' && (LOCAL_TOOL_NAMES as readonly string[]).includes(name)
}

export function isToolName(name: unknown): name is ToolName {
  return typeof name === 'string' && (TOOL_NAMES as readonly string[]).includes(name)
}

/** Runs a tool from its JSON argument text. Never throws. */
export function runTool(name: string, argsJson: string): ToolResult {
  let args: Record<string, unknown> = {}
  if (argsJson.trim() !== '') {
    try {
      const parsed: unknown = JSON.parse(argsJson)
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        return { error: 'arguments must be a JSON object', result: null }
      }
      args = parsed as Record<string, unknown>
    } catch {
      return { error: 'arguments are not valid JSON', result: null }
    }
  }
  try {
    if (name === 'clock') return { error: null, result: clock(args.timezone) }
    if (name === 'calculator') {
      if (typeof args.expression !== 'string') return { error: 'expression must be a string', result: null }
      return { error: null, result: calculate(args.expression) }
    }
    if (name === SHELL_TOOL) {
      if (typeof args.command !== 'string' || args.command.trim() === '') return { error: 'command must be a non-empty string', result: null }
      return { error: null, result: demoShell(args.command) }
    }
    return { error: `unknown tool: ${name}`, result: null }
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err), result: null }
  }
}

export interface ClockResult {
  iso: string
  unix_ms: number
  timezone: string
  local: string
}

export function clock(timezone: unknown = 'UTC', now = new Date()): ClockResult {
  const tz = typeof timezone === 'string' && timezone.trim() !== '' ? timezone.trim() : 'UTC'
  let local: string
  try {
    local = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      // h23, not hour12:false: the latter prints midnight as "24:00" in some locales.
      hourCycle: 'h23'
    }).format(now)
  } catch {
    throw new Error(`unknown time zone: ${tz}`)
  }
  return { iso: now.toISOString(), unix_ms: now.getTime(), timezone: tz, local }
}

export interface ShellResult {
  exitCode: number
  sessionId: string
  status: 'finished'
  stdout: string
}

/**
 * The demo terminal: nothing is executed. `echo …` prints its arguments (quotes removed), anything else
 * prints a line saying it was not run. The shape is the real server's terminal result.
 */
export function demoShell(command: string, now = Date.now()): ShellResult {
  const cmd = command.trim()
  const echo = /^echo(?:\s+(.*))?$/s.exec(cmd)
  const output = echo ? (echo[1] ?? '').replace(/(["'])(.*?)\1/g, '$2') : `demo shell: "${cmd}" was not run (the MioDesk reference server only echoes commands)`
  return {
    exitCode: 0,
    sessionId: `term_${now}_${randomBytes(3).toString('hex')}`,
    status: 'finished',
    stdout: `$ ${cmd}\n${output}`
  }
}

/**
 * Finds a shell command the text asks to run: "run `ls -l`", a line "$ ls -l", or, when it asks for the
 * shell/terminal (or says "use the tool", as in the recordings of the real server), `echo mio-tool-ok`.
 */
export function findCommand(text: string): string | undefined {
  const quoted = /(?:\brun\b|\bexecute\b|\bshell\b|\bbash\b|\bcommand\b|执行|运行|命令)[^`\n]*`([^`\n]+)`/i.exec(text)
  if (quoted && quoted[1].trim()) return quoted[1].trim()
  const dollar = /^\s*\$\s+(\S.*)$/m.exec(text)
  if (dollar) return dollar[1].trim()
  if (/\b(?:shell|bash|terminal)\b|\buse the tool\b|终端/i.test(text)) return 'echo mio-tool-ok'
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Calculator

const MAX_EXPRESSION_LENGTH = 500
const MAX_DEPTH = 64

type Token = { kind: 'num'; value: number } | { kind: 'op'; value: string }

function tokenize(src: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i]
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++
      continue
    }
    if ((c >= '0' && c <= '9') || c === '.') {
      const m = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i))
      if (!m) throw new Error(`invalid number at position ${i + 1}`)
      tokens.push({ kind: 'num', value: Number(m[0]) })
      i += m[0].length
      continue
    }
    const op = c === '×' ? '*' : c === '÷' ? '/' : c === '（' ? '(' : c === '）' ? ')' : c
    if ('+-*/%^()'.includes(op)) {
      // "**" is an alias of "^".
      if (op === '*' && src[i + 1] === '*') {
        tokens.push({ kind: 'op', value: '^' })
        i += 2
        continue
      }
      tokens.push({ kind: 'op', value: op })
      i++
      continue
    }
    throw new Error(`unexpected character "${c}" at position ${i + 1}`)
  }
  return tokens
}

/**
 * Evaluates `+ - * / % ^` (right-associative, binds tighter than unary minus on its left: -2^2 = -4),
 * parentheses and decimal numbers. Throws on syntax errors, division by zero and non-finite results.
 */
export function calculate(expression: string): number {
  if (expression.length > MAX_EXPRESSION_LENGTH) throw new Error('expression too long')
  const tokens = tokenize(expression)
  if (tokens.length === 0) throw new Error('empty expression')
  let pos = 0
  let depth = 0

  const peek = (): Token | undefined => tokens[pos]
  const isOp = (v: string): boolean => {
    const t = tokens[pos]
    return t !== undefined && t.kind === 'op' && t.value === v
  }

  function expr(): number {
    if (++depth > MAX_DEPTH) throw new Error('expression nested too deeply')
    let left = term()
    while (isOp('+') || isOp('-')) {
      const op = (tokens[pos++] as { value: string }).value
      const right = term()
      left = op === '+' ? left + right : left - right
    }
    depth--
    return left
  }

  function term(): number {
    let left = unary()
    while (isOp('*') || isOp('/') || isOp('%')) {
      const op = (tokens[pos++] as { value: string }).value
      const right = unary()
      if ((op === '/' || op === '%') && right === 0) throw new Error('division by zero')
      left = op === '*' ? left * right : op === '/' ? left / right : left % right
    }
    return left
  }

  function unary(): number {
    if (isOp('-') || isOp('+')) {
      const op = (tokens[pos++] as { value: string }).value
      if (++depth > MAX_DEPTH) throw new Error('expression nested too deeply')
      const v = unary()
      depth--
      return op === '-' ? -v : v
    }
    return power()
  }

  function power(): number {
    const base = primary()
    if (isOp('^')) {
      pos++
      if (++depth > MAX_DEPTH) throw new Error('expression nested too deeply')
      const exp = unary()
      depth--
      return Math.pow(base, exp)
    }
    return base
  }

  function primary(): number {
    const t = peek()
    if (!t) throw new Error('unexpected end of expression')
    if (t.kind === 'num') {
      pos++
      return t.value
    }
    if (t.value === '(') {
      pos++
      const v = expr()
      if (!isOp(')')) throw new Error('missing ")"')
      pos++
      return v
    }
    throw new Error(`unexpected "${t.value}"`)
  }

  const value = expr()
  if (pos < tokens.length) throw new Error(`unexpected "${String(tokens[pos].value)}"`)
  if (!Number.isFinite(value)) throw new Error('result is not a finite number')
  // Trim binary floating point noise (0.1+0.2 → 0.3).
  return Number(value.toPrecision(12))
}

/**
 * Finds an arithmetic expression in free text, e.g. "what is 12*(3+4)?" → "12*(3+4)".
 * Falls back to summing the numbers when the text asks to "sum"/"calculate"/"计算" them.
 */
export function findExpression(text: string): string | undefined {
  const candidates = text.match(/[\d.()+\-*/×÷^%（）\s]+/g) ?? []
  let best: string | undefined
  for (const raw of candidates) {
    const c = raw.trim()
    if (!/\d/.test(c) || !/\d\s*[-+*/×÷^%]\s*[-+(（.\d]/.test(c)) continue
    try {
      calculate(c)
    } catch {
      continue
    }
    if (!best || c.length > best.length) best = c
  }
  if (best) return best
  if (/\b(sum|add|calculate|compute|total)\b|计算|求和|加起来/i.test(text)) {
    const nums = text.match(/-?\d+(?:\.\d+)?/g)
    if (nums && nums.length >= 1) return nums.join('+')
  }
  return undefined
}

/** True when the text asks for the current time. */
export function asksForTime(text: string): boolean {
  return /\btime\b|\bclock\b|几点|时间/i.test(text)
}
