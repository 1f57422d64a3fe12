/**
 * Files waiting to be sent: the renderer hands the bytes of a picked, pasted, dropped or recorded file to
 * the core (`media:stage`), the CLI a path; either way the core keeps its own copy here under an opaque
 * reference (the SHA-256 of the bytes plus the extension), and a queued message names that reference. So
 * a message written offline, or before a restart, still has its file when the outbox sends it; the copy
 * is removed once the message is sent.
 *
 * The renderer never names a path on disk: only bytes come in through the API (a page must not be able to
 * make the app upload ~/.ssh/id_rsa).
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { StagedFile, StageFileInput } from '../../shared/media'
import { coreText } from '../../shared/core-text'

/** The largest file the API takes as bytes (base64 in one call: the bridge's frame limit is 64 MB). */
export const MAX_STAGE_BYTES = 40 * 1024 * 1024

const REF = /^[0-9a-f]{64}(\.[a-z0-9]{1,8})?$/

export function isStagedRef(v: unknown): v is string {
  return typeof v === 'string' && REF.test(v)
}

function cleanName(name: unknown): string {
  const n = typeof name === 'string' ? basename(name.replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f]/g, '').trim() : ''
  return n.slice(0, 200) || 'file'
}

function extOf(name: string): string {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(name)
  return m ? `.${m[1]!.toLowerCase()}` : ''
}

export class OutgoingFiles {
  constructor(private readonly dir: string) {}

  private async put(bytes: Uint8Array, name: string, mime: string | undefined): Promise<StagedFile> {
    if (bytes.length === 0) throw new Error(coreText('uploadEmpty', { name }))
    const ref = createHash('sha256').update(bytes).digest('hex') + extOf(name)
    await mkdir(this.dir, { recursive: true })
    const file = join(this.dir, ref)
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`
    await writeFile(tmp, bytes)
    await rename(tmp, file)
    const out: StagedFile = { ref, name, size: bytes.length }
    if (mime) out.mime = mime
    return out
  }

  /** Takes the bytes the renderer sent (base64), bounded. */
  async stage(input: StageFileInput): Promise<StagedFile> {
    if (!input || typeof input !== 'object') throw new Error('No file was given')
    const name = cleanName(input.name)
    const mime = typeof input.mime === 'string' && /^[\w.+-]+\/[\w.+-]+$/.test(input.mime) ? input.mime.slice(0, 100) : undefined
    if (typeof input.base64 !== 'string') throw new Error('The file has no content')
    if (input.base64.length > Math.ceil(MAX_STAGE_BYTES / 3) * 4 + 4) throw new Error(coreText('fileTooLarge', { size: String(Math.round((input.base64.length * 0.75) / 1048576)), limit: String(MAX_STAGE_BYTES / 1048576) }))
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(input.base64)) throw new Error('The file content is not valid base64')
    return this.put(Buffer.from(input.base64, 'base64'), name, mime)
  }

  /** Takes a file on disk (the CLI; never a renderer's path). */
  async stagePath(path: string, mime?: string): Promise<StagedFile> {
    const s = await stat(path)
    if (!s.isFile()) throw new Error(`Not a file: ${path}`)
    return this.put(await readFile(path), cleanName(path), mime)
  }

  async read(ref: string, name = ref): Promise<Uint8Array> {
    if (!isStagedRef(ref)) throw new Error(coreText('uploadFileGone', { name }))
    try {
      return await readFile(join(this.dir, ref))
    } catch {
      throw new Error(coreText('uploadFileGone', { name }))
    }
  }

  async remove(ref: string): Promise<void> {
    if (isStagedRef(ref)) await rm(join(this.dir, ref), { force: true })
  }
}
