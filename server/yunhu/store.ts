/**
 * The Yunhu data file `<dataDir>/yunhu.json`: created with demo data on first start, loaded on later
 * starts, and written after every change (write to a temp file, then rename; writes are serialized
 * and coalesced). Passwords are stored as scrypt hashes.
 */
import { randomBytes, randomUUID, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DEMO_USER_ID, seedData } from './seed'
import { DATA_VERSION, type BotRec, type ConvRec, type GroupRec, type SentRec, type UserRec, type YunhuData } from './types'

export const DATA_FILE = 'yunhu.json'
export const DEFAULT_EMAIL = 'demo@miodesk.local'
const MAX_TOKENS_PER_USER = 20
/** How many sent msg_ids are remembered per user for deduplication (oldest forgotten first). */
export const MAX_SENT_PER_USER = 2000
const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 }

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))))
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scrypt(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p })
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$')
}

export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const parts = (stored ?? '').split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [N, r, p] = parts.slice(1, 4).map(Number)
  if (![N, r, p].every((x) => Number.isInteger(x) && x > 0) || N > 1 << 20 || r > 32 || p > 16) return false
  const salt = Buffer.from(parts[4], 'base64')
  const expected = Buffer.from(parts[5], 'base64')
  if (expected.length === 0 || expected.length > 128) return false
  try {
    const key = await scrypt(password, salt, expected.length, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 })
    return timingSafeEqual(key, expected)
  } catch {
    return false
  }
}

export function newToken(): string {
  return randomUUID()
}

export interface OpenResult {
  store: YunhuStore
  /** The demo account's email. */
  email: string
  /** Set only when the password was generated now (first start without a given password). */
  generatedPassword?: string
  created: boolean
}

export class YunhuStore {
  private saving: Promise<void> = Promise.resolve()
  private dirty = false
  private writing = false
  private readonly tokens = new Map<string, UserRec>()
  /** sentKey(user, chat, msgId) of every record in data.sent. */
  private readonly sentIndex = new Set<string>()

  private constructor(
    readonly data: YunhuData,
    readonly file: string,
    private readonly dir: string,
    private readonly log: (line: string) => void
  ) {
    this.reindex()
  }

  /**
   * Opens (or creates) `<dataDir>/yunhu.json`. `email`/`password`, when given, set the demo
   * account's credentials (also on an existing file). A file that does not parse is an error: it
   * is never overwritten.
   */
  static async open(opts: { dataDir: string; email?: string; password?: string; log?: (line: string) => void }): Promise<OpenResult> {
    const log = opts.log ?? (() => {})
    const file = join(opts.dataDir, DATA_FILE)
    let text: string | undefined
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    if (text === undefined) {
      const password = opts.password || randomBytes(9).toString('base64url')
      const email = opts.email || DEFAULT_EMAIL
      const data = seedData({ email, passwordHash: await hashPassword(password) })
      const store = new YunhuStore(data, file, opts.dataDir, log)
      store.changed()
      await store.flush()
      return { store, email, generatedPassword: opts.password ? undefined : password, created: true }
    }
    let data: YunhuData
    try {
      data = JSON.parse(text) as YunhuData
    } catch (err) {
      throw new Error(`Yunhu data file ${file} is not valid JSON (${(err as Error).message}); fix or delete it`)
    }
    checkShape(data, file)
    data.sent ??= {} // a file written before sent msg_ids were kept
    const store = new YunhuStore(data, file, opts.dataDir, log)
    const demo = data.users.find((u) => u.id === DEMO_USER_ID) ?? data.users.find((u) => u.email)
    if (!demo) throw new Error(`Yunhu data file ${file} has no account that can log in`)
    let changed = false
    if (opts.email && opts.email !== demo.email) {
      demo.email = opts.email
      changed = true
    }
    if (opts.password && !(await verifyPassword(opts.password, demo.passwordHash))) {
      demo.passwordHash = await hashPassword(opts.password)
      demo.tokens = []
      store.reindex()
      changed = true
    }
    if (changed) store.changed()
    return { store, email: demo.email ?? '', created: false }
  }

  private reindex(): void {
    this.tokens.clear()
    for (const u of this.data.users) for (const t of u.tokens) this.tokens.set(t, u)
    this.sentIndex.clear()
    for (const [userId, list] of Object.entries(this.data.sent)) for (const r of list) this.sentIndex.add(sentKey(userId, r.chat, r.msgId))
  }

  // ------------------------------------------------------------------------------ persistence

  /** Marks the data changed: a write is scheduled (coalesced with writes in flight). */
  changed(): void {
    this.dirty = true
    if (this.writing) return
    this.writing = true
    this.saving = this.saving.then(() => this.writeLoop())
  }

  private async writeLoop(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false
        const text = JSON.stringify(this.data, null, 1)
        const tmp = `${this.file}.${process.pid}.tmp`
        try {
          await mkdir(this.dir, { recursive: true })
          await writeFile(tmp, text, { mode: 0o600 })
          await rename(tmp, this.file)
        } catch (err) {
          this.log(`yunhu: could not write ${this.file}: ${err instanceof Error ? err.message : String(err)}`)
        }
      }
    } finally {
      this.writing = false
    }
  }

  /** Resolves when every change so far is on disk. */
  async flush(): Promise<void> {
    while (this.writing || this.dirty) {
      if (!this.writing) this.changed()
      await this.saving
    }
  }

  // ------------------------------------------------------------------------------ accounts

  userByToken(token: string | undefined): UserRec | undefined {
    return token ? this.tokens.get(token) : undefined
  }

  userByEmail(email: string): UserRec | undefined {
    const e = email.trim().toLowerCase()
    return this.data.users.find((u) => u.email !== undefined && u.email.toLowerCase() === e)
  }

  user(id: string): UserRec | undefined {
    return this.data.users.find((u) => u.id === id)
  }

  issueToken(user: UserRec): string {
    const token = newToken()
    user.tokens.push(token)
    while (user.tokens.length > MAX_TOKENS_PER_USER) this.tokens.delete(user.tokens.shift() as string)
    this.tokens.set(token, user)
    this.changed()
    return token
  }

  // ------------------------------------------------------------------------------ lookups

  bot(id: string): BotRec | undefined {
    return this.data.bots.find((b) => b.botId === id)
  }

  botByToken(token: string): BotRec | undefined {
    return token ? this.data.bots.find((b) => b.token === token) : undefined
  }

  group(id: string): GroupRec | undefined {
    return this.data.groups.find((g) => g.groupId === id)
  }

  groupsWithBot(botId: string): GroupRec[] {
    return this.data.groups.filter((g) => g.bots.includes(botId))
  }

  headcount(b: BotRec): number {
    return b.followers.length + b.headcountBonus
  }

  // ------------------------------------------------------------------------------ sent msg_ids

  /** Whether `userId` has sent a message with the client msg_id `msgId` in the chat `chatKey`. */
  wasSent(userId: string, chatKey: string, msgId: string): boolean {
    return this.sentIndex.has(sentKey(userId, chatKey, msgId))
  }

  /** Remembers a sent client msg_id (persisted with the rest; the oldest beyond the cap are forgotten). */
  recordSent(userId: string, chatKey: string, msgId: string): void {
    const key = sentKey(userId, chatKey, msgId)
    if (this.sentIndex.has(key)) return
    const list = (this.data.sent[userId] ??= [])
    const rec: SentRec = { chat: chatKey, msgId, atMs: Date.now() }
    list.push(rec)
    this.sentIndex.add(key)
    while (list.length > MAX_SENT_PER_USER) {
      const old = list.shift() as SentRec
      this.sentIndex.delete(sentKey(userId, old.chat, old.msgId))
    }
    this.changed()
  }

  nextId(): string {
    return String(this.data.nextId++)
  }

  conversations(userId: string): ConvRec[] {
    return (this.data.conversations[userId] ??= [])
  }

  conversation(userId: string, chatId: string, chatType: number): ConvRec | undefined {
    return this.data.conversations[userId]?.find((c) => c.chatId === chatId && c.chatType === chatType)
  }

  /** Adds the conversation to the user's list when missing. */
  ensureConversation(userId: string, chatId: string, chatType: 1 | 2 | 3): ConvRec {
    const list = this.conversations(userId)
    let c = list.find((x) => x.chatId === chatId && x.chatType === chatType)
    if (!c) {
      c = { chatId, chatType, readSeq: 0 }
      list.push(c)
      this.changed()
    }
    return c
  }

  removeConversation(userId: string, chatId: string, chatType: number): void {
    const list = this.data.conversations[userId]
    if (!list) return
    const i = list.findIndex((c) => c.chatId === chatId && c.chatType === chatType)
    if (i >= 0) list.splice(i, 1)
  }
}

function sentKey(userId: string, chatKey: string, msgId: string): string {
  return `${userId}\n${chatKey}\n${msgId}`
}

function isSentMap(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  return Object.values(v).every((l) => Array.isArray(l) && l.every((r) => typeof r === 'object' && r !== null && typeof r.chat === 'string' && typeof r.msgId === 'string'))
}

/** `sent` may be missing (a file from before it existed): the caller fills it in. */
function checkShape(data: unknown, file: string): asserts data is YunhuData {
  const d = data as Record<string, unknown>
  const ok =
    typeof d === 'object' &&
    d !== null &&
    d.version === DATA_VERSION &&
    typeof d.nextId === 'number' &&
    ['users', 'bots', 'groups', 'boards', 'banners', 'llmModels'].every((k) => Array.isArray(d[k])) &&
    ['groupSettings', 'conversations', 'messages'].every((k) => typeof d[k] === 'object' && d[k] !== null && !Array.isArray(d[k])) &&
    (d.sent === undefined || isSentMap(d.sent))
  if (!ok) throw new Error(`Yunhu data file ${file} does not have the expected shape (version ${DATA_VERSION}); fix or delete it`)
}
