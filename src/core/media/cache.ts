/**
 * The media disk cache: one file per URL, named by the SHA-256 of the URL, with a small JSON sidecar
 * (content type, size). The total size is capped; the least recently used files go first. The index
 * lives in memory, rebuilt from the folder at first use (a file's mtime is its last use, touched on a hit).
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from '../log'

export interface CachedMedia {
  path: string
  size: number
  contentType: string
}

interface Entry {
  size: number
  contentType: string
}

const KEY = /^[0-9a-f]{64}$/

export class MediaCache {
  /** Insertion order = least recently used first. */
  private readonly entries = new Map<string, Entry>()
  private total = 0
  private loading: Promise<void> | undefined

  constructor(
    readonly dir: string,
    readonly maxTotalBytes: number,
    private readonly logger?: Logger
  ) {}

  get totalBytes(): number {
    return this.total
  }

  has(key: string): boolean {
    return this.entries.has(key)
  }

  private bodyPath(key: string): string {
    return join(this.dir, `${key}.bin`)
  }

  private metaPath(key: string): string {
    return join(this.dir, `${key}.json`)
  }

  /** Reads the folder once: what earlier runs cached, oldest use first. */
  load(): Promise<void> {
    return (this.loading ??= (async () => {
      await mkdir(this.dir, { recursive: true })
      const found: { key: string; size: number; contentType: string; used: number }[] = []
      for (const name of await readdir(this.dir)) {
        const key = name.slice(0, -4)
        if (!name.endsWith('.bin') || !KEY.test(key)) {
          // Half-written downloads of a run that stopped.
          if (name.startsWith('tmp-')) await rm(join(this.dir, name), { force: true }).catch(() => {})
          continue
        }
        try {
          const st = await stat(this.bodyPath(key))
          const meta = JSON.parse(await readFile(this.metaPath(key), 'utf8')) as { contentType?: unknown }
          if (typeof meta.contentType !== 'string') throw new Error('no content type')
          found.push({ key, size: st.size, contentType: meta.contentType, used: st.mtimeMs })
        } catch {
          await this.removeFiles(key)
        }
      }
      found.sort((a, b) => a.used - b.used)
      for (const f of found) this.remember(f.key, { size: f.size, contentType: f.contentType })
      await this.evict()
    })())
  }

  private remember(key: string, e: Entry): void {
    const old = this.entries.get(key)
    if (old) this.total -= old.size
    this.entries.delete(key)
    this.entries.set(key, e)
    this.total += e.size
  }

  /** The cached file, marked as just used; undefined when absent. */
  async get(key: string): Promise<CachedMedia | undefined> {
    await this.load()
    const e = this.entries.get(key)
    if (!e) return undefined
    this.remember(key, e)
    const path = this.bodyPath(key)
    const now = new Date()
    utimes(path, now, now).catch(() => {})
    return { path, size: e.size, contentType: e.contentType }
  }

  /** A path to write a download to before `commit` (in the cache folder, so the rename stays on one disk). */
  async tempPath(): Promise<string> {
    await this.load()
    return join(this.dir, `tmp-${randomBytes(8).toString('hex')}`)
  }

  /** Moves a finished download into the cache and evicts what no longer fits. */
  async commit(key: string, tmp: string, size: number, contentType: string): Promise<CachedMedia> {
    await writeFile(this.metaPath(key), JSON.stringify({ contentType, size }))
    await rename(tmp, this.bodyPath(key))
    this.remember(key, { size, contentType })
    await this.evict(key)
    return { path: this.bodyPath(key), size, contentType }
  }

  /** Drops least recently used files until the total fits (never `keep`, the one just added). */
  private async evict(keep?: string): Promise<void> {
    for (const [key, e] of this.entries) {
      if (this.total <= this.maxTotalBytes) break
      if (key === keep) continue
      this.entries.delete(key)
      this.total -= e.size
      await this.removeFiles(key)
      this.logger?.debug('media cache: evicted', key.slice(0, 12))
    }
  }

  private async removeFiles(key: string): Promise<void> {
    await rm(this.bodyPath(key), { force: true }).catch(() => {})
    await rm(this.metaPath(key), { force: true }).catch(() => {})
  }
}
