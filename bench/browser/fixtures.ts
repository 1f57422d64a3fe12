/** Data for the browser benchmarks: a fast pre-filled history, mixed messages and a long Markdown answer. */
import type { ChatMessage, Segment } from '../../src/shared/mio'
import type { HistoryStore } from '../../src/core/storage/history'

/**
 * An array-backed history with an id index, so 100,000 messages can be pre-filled in O(n).
 * (The core's MemoryHistory does a linear findIndex per put.)
 */
export class FastHistory implements HistoryStore {
  private readonly convs = new Map<string, ChatMessage[]>()
  private readonly ids = new Map<string, Map<string, number>>()
  private readonly where = new Map<string, string>()

  private key(a: string, c: string): string {
    return `${a}\u0000${c}`
  }
  private list_(a: string, c: string): ChatMessage[] {
    const k = this.key(a, c)
    let l = this.convs.get(k)
    if (!l) {
      this.convs.set(k, (l = []))
      this.ids.set(k, new Map())
    }
    return l
  }

  /** Appends messages already in time order (bench pre-fill). */
  fill(accountId: string, contactId: string, msgs: ChatMessage[]): void {
    const l = this.list_(accountId, contactId)
    const ids = this.ids.get(this.key(accountId, contactId))!
    for (const m of msgs) {
      ids.set(m.id, l.length)
      l.push(m)
      this.where.set(`${accountId}\u0000${m.id}`, contactId)
    }
  }

  put(accountId: string, message: ChatMessage): void {
    const l = this.list_(accountId, message.contactId)
    const ids = this.ids.get(this.key(accountId, message.contactId))!
    const copy = structuredClone(message)
    const i = ids.get(message.id)
    if (i !== undefined) l[i] = copy
    else if (!l.length || l[l.length - 1]!.time <= copy.time) {
      ids.set(copy.id, l.length)
      l.push(copy)
    } else {
      let j = l.length
      while (j > 0 && l[j - 1]!.time > copy.time) j--
      l.splice(j, 0, copy)
      this.reindex(accountId, message.contactId)
    }
    this.where.set(`${accountId}\u0000${message.id}`, message.contactId)
  }

  private reindex(a: string, c: string): void {
    const ids = this.ids.get(this.key(a, c))!
    ids.clear()
    this.list_(a, c).forEach((m, i) => ids.set(m.id, i))
  }

  remove(accountId: string, contactId: string, messageId: string): void {
    const l = this.list_(accountId, contactId)
    const i = this.ids.get(this.key(accountId, contactId))!.get(messageId)
    if (i === undefined) return
    l.splice(i, 1)
    this.reindex(accountId, contactId)
    this.where.delete(`${accountId}\u0000${messageId}`)
  }

  get(accountId: string, contactId: string, messageId: string): ChatMessage | undefined {
    const i = this.ids.get(this.key(accountId, contactId))?.get(messageId)
    const m = i === undefined ? undefined : this.convs.get(this.key(accountId, contactId))![i]
    return m && structuredClone(m)
  }

  find(accountId: string, messageId: string): ChatMessage | undefined {
    const c = this.where.get(`${accountId}\u0000${messageId}`)
    return c === undefined ? undefined : this.get(accountId, c, messageId)
  }

  list(accountId: string, contactId: string, before?: number, limit = 50): ChatMessage[] {
    const l = this.list_(accountId, contactId)
    let end = l.length
    if (before !== undefined) {
      let lo = 0
      let hi = l.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (l[mid]!.time < before) lo = mid + 1
        else hi = mid
      }
      end = lo
    }
    return structuredClone(l.slice(Math.max(0, end - limit), end))
  }

  last(accountId: string, contactId: string): ChatMessage | undefined {
    const l = this.list_(accountId, contactId)
    const m = l[l.length - 1]
    return m && structuredClone(m)
  }

  clearAccount(accountId: string): void {
    for (const k of [...this.convs.keys()]) if (k.startsWith(`${accountId}\u0000`)) this.convs.delete(k)
  }
}

/** A small PNG as a data: URL (48×32, purple). */
export const PNG_DATA_URL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAADAAAAAgCAIAAADbtmxLAAAAN0lEQVR4nO3OMREAMAgEMIwiAf9Lh7rgGXIXAanpd0rFB0JCQkLpgZCQkFB6ICQkJJQeCAkJLfuesKSX3RghOgAAAABJRU5ErkJggg=='

const WORDS = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua'.split(' ')

function sentence(i: number, n: number): string {
  const out: string[] = []
  for (let k = 0; k < n; k++) out.push(WORDS[(i * 7 + k * 3) % WORDS.length]!)
  return out.join(' ')
}

/** `count` mixed messages (text, Markdown, image, file, face, reply, forward, long text), oldest first. */
export function mixedMessages(contactId: string, count: number, startTime = Date.UTC(2024, 0, 1)): ChatMessage[] {
  const out: ChatMessage[] = []
  for (let i = 0; i < count; i++) {
    const id = `m${i}`
    let segments: Segment[]
    switch (i % 10) {
      case 0:
      case 1:
      case 2:
        segments = [{ type: 'text', data: { text: `#${i} ${sentence(i, 6 + (i % 9))}` } }]
        break
      case 3:
        segments = [{ type: 'text', data: { text: `**Item ${i}** — ${sentence(i, 5)}\n\n- one\n- two \`code ${i}\`\n\n> a quote` } }]
        break
      case 4:
        segments = [{ type: 'image', data: { image: PNG_DATA_URL } }]
        break
      case 5:
        segments = [{ type: 'text', data: { text: `#${i} ${sentence(i, 40)}\n${sentence(i + 1, 30)}` } }]
        break
      case 6:
        segments = [{ type: 'reply', data: { id: `m${Math.max(0, i - 3)}` } }, { type: 'text', data: { text: `re: ${sentence(i, 4)}` } }]
        break
      case 7:
        segments = [{ type: 'file', data: { name: `report-${i}.pdf`, size: 10_000 + i, url: 'https://example.com/f.pdf' } }]
        break
      case 8:
        segments = [{ type: 'face', data: { id: String(i % 50) } }, { type: 'text', data: { text: ` ${sentence(i, 3)}` } }]
        break
      default:
        segments = [{ type: 'nodes', data: { messages: [[{ type: 'text', data: { text: `node ${i}` } }], [{ type: 'text', data: { text: sentence(i, 5) } }]] } }]
    }
    out.push({ id, contactId, self: i % 3 === 0, senderId: i % 3 === 0 ? undefined : '20000001', time: startTime + i * 1000, segments, status: 'sent', replyTo: segments[0]!.type === 'reply' ? String(segments[0]!.data.id) : undefined })
  }
  return out
}

/** About `bytes` of Markdown: headings, prose, lists, code, tables, quotes and math. */
export function longMarkdown(bytes = 20_000): string {
  const parts: string[] = []
  let i = 0
  let size = 0
  const push = (s: string): void => {
    parts.push(s)
    size += s.length + 2
  }
  while (size < bytes) {
    switch (i % 6) {
      case 0:
        push(`## Section ${i / 6 + 1}: ${sentence(i, 3)}`)
        push(`${sentence(i, 30)}. **${sentence(i + 1, 4)}** and *${sentence(i + 2, 3)}*, with \`inline code\` and a link https://example.com/${i}.`)
        break
      case 1:
        push(['```ts', `export function f${i}(x: number): number {`, `  const y = x * ${i} + 1 // ${sentence(i, 4)}`, '  return Math.max(0, y)', '}', '```'].join('\n'))
        break
      case 2:
        push([`- ${sentence(i, 6)}`, `- ${sentence(i + 1, 5)}`, `  - nested ${sentence(i + 2, 3)}`, `- ${sentence(i + 3, 7)}`].join('\n'))
        break
      case 3:
        push(['| a | b | c |', '|---|---:|:-:|', `| ${i} | ${i * 2} | ${sentence(i, 2)} |`, `| ${i + 1} | ${i * 3} | ${sentence(i + 1, 2)} |`].join('\n'))
        break
      case 4:
        push(`Inline math $x_${i % 10}^2 + y^2 = z^2$ and display:\n\n$$\n\\sum_{k=0}^{${i}} k = \\frac{${i}(${i}+1)}{2}\n$$`)
        break
      default:
        push(`> ${sentence(i, 20)}`)
    }
    i++
  }
  return parts.join('\n\n').slice(0, bytes)
}

/** Splits `text` into `n` chunks of near-equal size. */
export function chunksOf(text: string, n: number): string[] {
  const out: string[] = []
  const size = text.length / n
  for (let k = 0; k < n; k++) out.push(text.slice(Math.round(k * size), Math.round((k + 1) * size)))
  return out
}
