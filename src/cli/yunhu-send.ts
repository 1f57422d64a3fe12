/**
 * `miodesk yunhu send` — sends a picture, a file or a line of text to a Yunhu chat from a terminal, the
 * way the app does (src/core/protocols/yunhu/upload.ts, src/core/accounts/yunhu/send-media.ts): the file
 * is checked against /v1/misc/setting, uploaded with the token of its kind, and sent with its key.
 */
import { readFile, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { defaultUploadBase, mediaContent, mediaDraftOf } from '../core/accounts/yunhu/send-media'
import type { YunhuApi } from '../core/protocols/yunhu/api'
import { YunhuUploader } from '../core/protocols/yunhu/upload'
import type { Logger } from '../core/log'
import { YunhuContentType } from '../shared/yunhu'
import { str, type ParsedArgs } from './args'
import { UsageError, type Io } from './mio'

/** A staged-looking reference for the draft reader (the CLI uploads the bytes it read itself). */
const CLI_REF = '0'.repeat(64)

export async function sendCommand(api: YunhuApi, target: { chatId: string; chatType: number }, args: ParsedArgs, io: Io, log: Logger): Promise<number> {
  const image = str(args, 'image')
  const file = str(args, 'file')
  const text = str(args, 'text')
  if ([image, file, text].filter(Boolean).length !== 1) throw new UsageError('Give one of --image PATH, --file PATH or --text T')
  if (text) {
    const msgId = await api.sendMessage({ chat_id: target.chatId, chat_type: target.chatType, content_type: YunhuContentType.Text, content: { text } })
    io.out(JSON.stringify({ msgId }) + '\n')
    return 0
  }
  const path = (image ?? file)!
  let bytes: Uint8Array
  try {
    if (!(await stat(path)).isFile()) throw new Error('not a file')
    bytes = await readFile(path)
  } catch (e) {
    throw new UsageError(`Cannot read ${path}: ${(e as Error).message}`)
  }
  const kind = image ? 'image' : 'file'
  const name = basename(path)
  const uploadBase = str(args, 'upload-host') ?? defaultUploadBase(api.http.baseUrl)
  const uploader = new YunhuUploader({ http: api.http, ...(uploadBase ? { uploadBase } : {}), logger: log })
  let last = -1
  const up = await uploader.upload(
    { kind, bytes, name },
    {
      onProgress: (p) => {
        const pct = p.total ? Math.floor((p.sent / p.total) * 10) * 10 : 100
        if (pct !== last) io.err(`uploading ${name}: ${pct}%\n`)
        last = pct
      }
    }
  )
  const draft = mediaDraftOf([{ type: kind, data: { staged: CLI_REF, name, size: bytes.length } }])
  const { contentType, content } = mediaContent(draft, up.key)
  const msgId = await api.sendMessage({ chat_id: target.chatId, chat_type: target.chatType, content_type: contentType, content })
  io.out(JSON.stringify({ msgId, key: up.key, contentType, content }) + '\n')
  return 0
}
