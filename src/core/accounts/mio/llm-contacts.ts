/**
 * The AI (model) contacts of a Mio-Chat account: kept by the client (the server has no contact list),
 * one list per account under the key `llm:<accountId>`.
 */
import { coreText } from '../../../shared/core-text'
import { randomUUID } from 'node:crypto'
import { toolBaseName, type LlmContact, type LoginInfo } from '../../../shared/mio'
import { KEYS } from '../../storage/keys'
import type { KeyValueStore } from '../../storage/storage'

export const LLM_PREFIX = 'llm:'
const key = KEYS.llmContacts

export class LlmContacts {
  constructor(private readonly store: KeyValueStore) {}

  list(accountId: string): LlmContact[] {
    return this.store.get(key(accountId)) ?? []
  }

  /** The contact of a conversation id (`llm:<id>`), or an error in words. */
  of(accountId: string, contactId: string): LlmContact {
    const id = contactId.startsWith(LLM_PREFIX) ? contactId.slice(LLM_PREFIX.length) : undefined
    const c = id ? this.list(accountId).find((x) => x.id === id) : undefined
    if (!c) throw new Error(coreText('notLlmContact'))
    return c
  }

  /** Whether a conversation id (`llm:<id>`) is one of the account's AI contacts. */
  has(accountId: string, contactId: string): boolean {
    return contactId.startsWith(LLM_PREFIX) && this.list(accountId).some((x) => x.id === contactId.slice(LLM_PREFIX.length))
  }

  save(accountId: string, contact: LlmContact): LlmContact {
    const c = validateLlm(contact)
    const list = this.list(accountId)
    const i = list.findIndex((x) => x.id === c.id)
    if (i >= 0) list[i] = c
    else list.push(c)
    this.store.set(key(accountId), list)
    return c
  }

  delete(accountId: string, contactId: string): void {
    const id = contactId.startsWith(LLM_PREFIX) ? contactId.slice(LLM_PREFIX.length) : contactId
    this.store.set(key(accountId), this.list(accountId).filter((x) => x.id !== id))
  }

  clear(accountId: string): void {
    this.store.delete(key(accountId))
  }

  /** Gives a new account one AI contact on the server's default model (once; never over the user's own list). */
  ensureDefault(accountId: string, login: LoginInfo | undefined): void {
    if (this.store.get(key(accountId)) !== undefined) return
    const model = login?.defaultModel ?? login?.models?.[0]?.models[0]
    if (!model && login?.dialect === 'field') return
    this.store.set(key(accountId), [
      { id: randomUUID(), name: 'AI', model: model ?? 'mio-demo', systemPrompt: '', temperature: 1, top_p: 1, presence_penalty: 0, frequency_penalty: 0 }
    ])
  }
}

function num(v: unknown, lo: number, hi: number, name: string, dflt: number): number {
  if (v === undefined || v === null || v === '') return dflt
  const n = Number(v)
  if (!Number.isFinite(n) || n < lo || n > hi) throw new Error(`${name} must be between ${lo} and ${hi}`)
  return n
}

/** Tool names from outside: strings of sane length, each once, at most 200. */
function names(list: unknown[]): string[] {
  return [...new Set(list.filter((t): t is string => typeof t === 'string' && t.length > 0 && t.length <= 128))].slice(0, 200)
}

export function validateLlm(c: LlmContact): LlmContact {
  if (!c || typeof c !== 'object') throw new Error(coreText('invalidContact'))
  const name = String(c.name ?? '').trim()
  if (!name) throw new Error(coreText('nameContact'))
  const model = String(c.model ?? '').trim()
  if (!model) throw new Error(coreText('pickModel'))
  return {
    id: typeof c.id === 'string' && c.id ? c.id.replace(/^llm:/, '') : randomUUID(),
    name: name.slice(0, 80),
    model,
    systemPrompt: String(c.systemPrompt ?? '').slice(0, 20_000),
    temperature: num(c.temperature, 0, 2, 'Temperature', 1),
    top_p: num(c.top_p, 0, 1, 'top_p', 1),
    presence_penalty: num(c.presence_penalty, -2, 2, 'Presence penalty', 0),
    frequency_penalty: num(c.frequency_penalty, -2, 2, 'Frequency penalty', 0),
    tools: Array.isArray(c.tools) ? names(c.tools) : undefined,
    ...(typeof c.provider === 'string' && c.provider.trim() ? { provider: c.provider.trim().slice(0, 200) } : {}),
    ...(c.autoApprove === true ? { autoApprove: true } : {}),
    ...(Array.isArray(c.alwaysAllow) ? { alwaysAllow: names(c.alwaysAllow).map(toolBaseName) } : {}),
    ...(typeof c.opening === 'string' && c.opening.trim() ? { opening: c.opening.trim().slice(0, 2000) } : {})
  }
}
