/**
 * The files waiting to be sent: bytes from the renderer (base64, bounded) or a path from the CLI, kept
 * under an opaque reference; names cleaned; a reference that is not one of ours is never read.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_STAGE_BYTES, OutgoingFiles, isStagedRef } from '../../../src/core/media/outgoing'

const dirs: string[] = []
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true })
})
function files(): { f: OutgoingFiles; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'miodesk-outgoing-'))
  dirs.push(dir)
  return { f: new OutgoingFiles(join(dir, 'out')), dir }
}

describe('OutgoingFiles', () => {
  it('keeps bytes under the SHA-256 of their content and the extension, and gives them back', async () => {
    const { f } = files()
    const bytes = Buffer.from('hello picture')
    const s = await f.stage({ name: 'C:\\Users\\me\\Pictures\\猫.PNG', mime: 'image/png', base64: bytes.toString('base64') })
    expect(s).toEqual({ ref: `${createHash('sha256').update(bytes).digest('hex')}.png`, name: '猫.PNG', size: bytes.length, mime: 'image/png' })
    expect(Buffer.from(await f.read(s.ref))).toEqual(bytes)
    await f.remove(s.ref)
    await expect(f.read(s.ref, '猫.PNG')).rejects.toThrow('The file to send is no longer there: 猫.PNG')
  })

  it('refuses what is not a file to send, in words', async () => {
    const { f } = files()
    await expect(f.stage({ name: 'a', base64: '' })).rejects.toThrow('The file is empty: a')
    await expect(f.stage({ name: 'a', base64: 'not base64!' })).rejects.toThrow('not valid base64')
    await expect(f.stage({ name: 'big.bin', base64: 'A'.repeat(Math.ceil(MAX_STAGE_BYTES / 3) * 4 + 8) })).rejects.toThrow(/^The file is too large/)
    await expect(f.stage(undefined as never)).rejects.toThrow('No file was given')
    // A bad MIME type is dropped, not trusted.
    expect((await f.stage({ name: 'x', mime: 'text/html"><script>', base64: 'aGk=' })).mime).toBeUndefined()
  })

  it('never reads a reference that is not one of its own (no paths)', async () => {
    const { f, dir } = files()
    writeFileSync(join(dir, 'secret'), 'no')
    for (const ref of ['../secret', '/etc/passwd', 'a'.repeat(63), `${'a'.repeat(64)}/../../secret`]) {
      expect(isStagedRef(ref)).toBe(false)
      await expect(f.read(ref)).rejects.toThrow(/no longer there/)
    }
  })

  it('stages a path (the CLI)', async () => {
    const { f, dir } = files()
    writeFileSync(join(dir, 'notes.txt'), 'abc')
    const s = await f.stagePath(join(dir, 'notes.txt'))
    expect(s).toMatchObject({ name: 'notes.txt', size: 3 })
    await expect(f.stagePath(dir)).rejects.toThrow(/Not a file/)
  })
})
