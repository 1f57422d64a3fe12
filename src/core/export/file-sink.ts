/**
 * An export written to a file: into `<file>.part` first, renamed over `file` only when complete, so a
 * failed or interrupted export never leaves a half-written file under the name the user chose.
 */
import { createWriteStream, renameSync, rmSync } from 'node:fs'
import { once } from 'node:events'
import type { ExportSink } from './export'

export interface FileSink extends ExportSink {
  /** Finishes the file and gives it its name. */
  commit(): Promise<void>
  /** Drops what was written. */
  abort(): void
  /** Bytes written so far. */
  readonly bytes: number
}

export function fileSink(file: string): FileSink {
  const part = `${file}.part`
  const stream = createWriteStream(part, { flags: 'w', mode: 0o600 })
  let failed: Error | undefined
  stream.on('error', (e) => (failed = e))
  let bytes = 0
  return {
    get bytes() {
      return bytes
    },
    async write(chunk: string): Promise<void> {
      if (failed) throw failed
      bytes += Buffer.byteLength(chunk)
      if (!stream.write(chunk)) {
        await new Promise<void>((resolve, reject) => {
          const done = (e?: Error): void => {
            stream.off('drain', done)
            stream.off('error', done)
            if (e) reject(e)
            else resolve()
          }
          stream.on('drain', done)
          stream.on('error', done)
        })
      }
    },
    async commit(): Promise<void> {
      if (failed) throw failed
      stream.end()
      await once(stream, 'finish')
      if (failed) throw failed
      renameSync(part, file)
    },
    abort(): void {
      stream.destroy()
      rmSync(part, { force: true })
    }
  }
}

/** Exports into `file` through a FileSink, removing the partial file when anything fails. */
export async function writeExportFile<T>(file: string, write: (sink: ExportSink) => Promise<T>): Promise<T & { bytes: number }> {
  const sink = fileSink(file)
  try {
    const r = await write(sink)
    await sink.commit()
    return { ...r, bytes: sink.bytes }
  } catch (e) {
    sink.abort()
    throw e
  }
}
