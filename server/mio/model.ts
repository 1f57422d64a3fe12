/**
 * "mio-demo": a deterministic built-in model. It streams a little reasoning, calls `clock`,
 * `calculator` and/or `bash` when the last user message asks for them (and they are allowed), then
 * streams a Markdown answer a few words at a time. The calls are run by the dialect's ToolExecutor.
 */
import { fragments, sleep, wordChunks, type CompletionSink, type ToolExecutor } from './sink'
import { asksForTime, findCommand, findExpression, SHELL_TOOL, type LocalToolName, type ShellResult, type ToolResult } from './tools'

export const DEMO_MODEL = 'mio-demo'

export interface ChatMessage {
  role: string
  content: string
}

export interface DemoOptions {
  messages: ChatMessage[]
  /** Local tools (their base names) the request allows. */
  allowedTools: ReadonlySet<string>
  chunkDelayMs: number
  /** Produces unique tool call ids. */
  nextCallId: () => string
  /** Runs a call once its arguments are streamed (reports `running` … `finished`). */
  execute: ToolExecutor
  /** The name a call carries (v2: the full `<base>_mid_<hash>` name). Default: the base name. */
  wireName?: (tool: LocalToolName) => string
}

interface PlannedTool {
  name: LocalToolName
  args: Record<string, unknown>
}

export function lastUserText(messages: ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return messages[i].content
  return messages.length ? messages[messages.length - 1].content : ''
}

export async function runDemoModel(opts: DemoOptions, sink: CompletionSink): Promise<void> {
  const pause = (): Promise<void> => sleep(opts.chunkDelayMs, sink.signal)
  const prompt = lastUserText(opts.messages)
  const wantsTime = asksForTime(prompt)
  const expression = findExpression(prompt)
  const long = /long/i.test(prompt)

  const command = opts.allowedTools.has(SHELL_TOOL) ? findCommand(prompt) : undefined

  const plan: PlannedTool[] = []
  if (wantsTime) plan.push({ name: 'clock', args: { timezone: 'UTC' } })
  if (expression !== undefined) plan.push({ name: 'calculator', args: { expression } })
  if (command !== undefined) plan.push({ name: SHELL_TOOL, args: { command } })

  // A round opens (v2: `pending`); the first token follows a moment later.
  sink.round?.()
  await pause()
  if (sink.signal.aborted) return
  const quoted = prompt.length > 60 ? `${prompt.slice(0, 60)}…` : prompt
  const reasoning =
    `The user wrote "${quoted.replace(/\s+/g, ' ')}". ` +
    (plan.length ? `Tools that could help: ${plan.map((p) => p.name).join(', ')}. ` : 'No tool is needed. ') +
    (long ? 'A long, detailed answer was requested. ' : '') +
    'I will answer in Markdown.'
  for (const chunk of wordChunks(reasoning, 4)) {
    if (sink.signal.aborted) return
    sink.reasoning(chunk)
    await pause()
  }

  const results: Array<{ tool: PlannedTool; allowed: boolean; result?: ToolResult }> = []
  for (const tool of plan) {
    if (sink.signal.aborted) return
    if (!opts.allowedTools.has(tool.name)) {
      results.push({ tool, allowed: false })
      continue
    }
    const id = opts.nextCallId()
    const name = opts.wireName ? opts.wireName(tool.name) : tool.name
    const params = JSON.stringify(tool.args)
    sink.tool({ name, id, action: 'started', params: '' })
    await pause()
    for (const frag of fragments(params, 3)) {
      if (sink.signal.aborted) return
      sink.tool({ name, id, action: 'pending', params: frag })
      await pause()
    }
    if (sink.signal.aborted) return
    const result = await opts.execute({ id, name, params }, sink)
    if (sink.signal.aborted) return
    await pause()
    results.push({ tool, allowed: true, result })
  }
  if (results.some((r) => r.allowed)) sink.round?.()

  const parts: string[] = []
  for (const r of results) parts.push(describeToolResult(r.tool, r.allowed, r.result))
  if (long) parts.push(longAnswer(prompt))
  else if (!results.length) parts.push(defaultAnswer(prompt, opts.allowedTools.has(SHELL_TOOL)))
  const answer = parts.join('\n\n')
  for (const chunk of wordChunks(answer, 3)) {
    if (sink.signal.aborted) return
    sink.text(chunk)
    await pause()
  }
}

function describeToolResult(tool: PlannedTool, allowed: boolean, r: ToolResult | undefined): string {
  if (!allowed) return `_The \`${tool.name}\` tool is not enabled for this chat, so I cannot use it._`
  if (!r || r.error) return `The \`${tool.name}\` tool failed: **${r?.error ?? 'no result'}**.`
  if (tool.name === 'clock') {
    const c = r.result as { iso: string; local: string; timezone: string }
    return `The current time is **${c.local}** (${c.timezone}), i.e. \`${c.iso}\`.`
  }
  if (tool.name === SHELL_TOOL) {
    const sh = r.result as ShellResult
    return `\`${String(tool.args.command)}\` finished with exit code ${sh.exitCode}:\n\n\`\`\`\n${sh.stdout}\n\`\`\``
  }
  return `\`${String(tool.args.expression)}\` = **${String(r.result)}**`
}

function defaultAnswer(prompt: string, shell = false): string {
  const quote = prompt
    .split('\n')
    .map((l) => `> ${l}`)
    .join('\n')
  return (
    `Hello! I am **mio-demo**, the built-in test model of the MioDesk reference server. You said:\n\n${quote}\n\n` +
    'Things I can do:\n\n' +
    '- ask me for the **time** (tool `clock`)\n' +
    '- give me arithmetic such as `12*(3+4)` (tool `calculator`)\n' +
    (shell ? '- ask me to run a command such as `echo hello` (tool `bash`, a demo terminal that asks you first)\n' : '') +
    '- say **long** for a long answer with code, a table and math'
  )
}

/** A long Markdown answer (≥ 2 KB) with headings, a code block, a table and inline/display math. */
export function longAnswer(prompt: string): string {
  const sections: string[] = [
    '# A long answer',
    `You asked: *${prompt.replace(/[*_`]/g, '').slice(0, 80)}*. Here is a deliberately long reply so that clients can test scrolling, incremental Markdown rendering, syntax highlighting, tables and math while the text is still streaming.`,
    '## 1. Some code',
    [
      '```typescript',
      '/** Exponential backoff with full jitter. */',
      'export function backoff(attempt: number, baseMs = 500, maxMs = 30_000): number {',
      '  const cap = Math.min(maxMs, baseMs * 2 ** attempt)',
      '  return Math.floor(Math.random() * cap)',
      '}',
      '',
      'for (let i = 0; i < 5; i++) {',
      '  console.log(`attempt ${i}: wait up to ${Math.min(30_000, 500 * 2 ** i)} ms`)',
      '}',
      '```'
    ].join('\n'),
    '## 2. A table',
    [
      '| Attempt | Cap (ms) | Typical wait (ms) |',
      '|--------:|---------:|------------------:|',
      '| 0 | 500 | 250 |',
      '| 1 | 1000 | 500 |',
      '| 2 | 2000 | 1000 |',
      '| 3 | 4000 | 2000 |',
      '| 4 | 8000 | 4000 |'
    ].join('\n'),
    '## 3. Some math',
    "Euler's identity, inline: $e^{i\\pi}+1=0$. And the Gaussian integral as display math:",
    '$$\n\\int_{-\\infty}^{\\infty} e^{-x^2}\\,dx = \\sqrt{\\pi}\n$$',
    '## 4. Lists',
    [
      '1. **Connect** to `ws://127.0.0.1:8787/api/gateway` with the id and access code in the URL.',
      '2. **Log in** with a `system/login` request and wait for `code: 0`.',
      '3. **Chat**: send `onebot/message` frames, or `openai/completions` for the models.',
      '   - Updates arrive as `message: "update"` with an increasing `index`.',
      '   - Tool calls go `started → pending → running → finished`.',
      '4. **Heartbeat** every few seconds to measure the delay.'
    ].join('\n'),
    '## 5. A quote and some prose',
    '> Simplicity is prerequisite for reliability. — Edsger W. Dijkstra',
    'Streaming text arrives in small pieces, so a renderer has to cope with half-finished constructs: an open code fence, a table whose last row is still missing, or a math formula cut in the middle. A robust client re-renders the tail of the message as chunks arrive and keeps the already-finished blocks stable, which keeps scrolling smooth and avoids flicker. It should also keep the raw text so that copy and retry work exactly on what the model produced.',
    'When the stream ends with `completed`, the message is final. When it ends with `failed`, the reason is short and can be shown as is. If the connection drops mid-stream, no final frame will ever come, so the client marks the reply as interrupted itself.',
    '---',
    '*End of the long answer.*'
  ]
  return sections.join('\n\n')
}
