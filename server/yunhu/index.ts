/**
 * The Yunhu (云湖) part of the reference server: HTTP under `/v1/` (and a little of the bot open
 * API under `/open-apis/v1/bot/`), the push WebSocket at `/ws`, backed by `<dataDir>/yunhu.json`.
 * See server/yunhu/README.md.
 */
import type { RunningServer } from '../app'
import { ApiError, createYunhuApi } from './api'
import { createSocial, type YunhuSocialHooks } from './social'
import { createBots } from './bot'
import { ChatService } from './chat'
import { createOpenApi } from './openapi'
import { createYunhuCdn, type YunhuCdn } from './cdn'
import { createPushHub } from './push'
import { createYunhuUploads, type UploadLimitsMb, type YunhuUploads } from './upload'
import { YunhuStore } from './store'
import { createTimers } from '../ws'

export interface YunhuOptions {
  /** Folder of the data file `yunhu.json` (created with demo data when missing). */
  dataDir: string
  /** The demo account's email (default demo@miodesk.local; also applied to an existing file). */
  email?: string
  /** The demo account's password (random and reported when the file is created without one). */
  password?: string
  /** Delay between the chunks of a streamed bot reply (ms). Default 25. */
  chunkDelayMs?: number
  /** Delay of the demo bot's own recall/edit after `/recall` and `/edit` (ms). Default 500. */
  followUpMs?: number
  /** The size limits /v1/misc/setting gives and the upload stand-in enforces, MB (default 40 each). */
  uploadLimitsMb?: Partial<UploadLimitsMb>
  log?: (line: string) => void
}

export interface YunhuMounted {
  /** `<dataDir>/yunhu.json` */
  dataFile: string
  email: string
  /** Only when generated on this start (first start without a password). */
  generatedPassword?: string
  /** True when the data file was created on this start. */
  created: boolean
  /** Resolves when every change is on disk. */
  flush(): Promise<void>
  /** The media CDN stand-in at `/cdn/<host>/<path>` (Referer-checked like the real hosts). */
  cdn: YunhuCdn
  /** Upload tokens, limits, the Qiniu upload stand-in at `/qiniu-up/<region>/`, stickers. */
  uploads: YunhuUploads
  /** A fresh login token of a stored user, e.g. the demo friend (tests: the other side of a chat). */
  tokenFor(userId: string): string
  /** Test hooks: friend requests and messages from seeded users (server/yunhu/social.ts). */
  social: YunhuSocialHooks
}

export async function mountYunhu(server: RunningServer, opts: YunhuOptions): Promise<YunhuMounted> {
  const log = opts.log ?? (() => {})
  const opened = await YunhuStore.open({ dataDir: opts.dataDir, email: opts.email, password: opts.password, log })
  const store = opened.store
  const timers = createTimers((err) => log(`yunhu: timer failed: ${err instanceof Error ? err.stack : String(err)}`))
  const later = timers.later

  const hub = createPushHub({ store, log })
  const chats = new ChatService(store, (userId, frame) => hub.deliver(userId, frame), log)
  const bots = createBots({ store, chats, chunkDelayMs: Math.max(0, opts.chunkDelayMs ?? 25), followUpMs: Math.max(0, opts.followUpMs ?? 500), later })
  const social = createSocial({ store, chats, deliver: (userId, frame) => hub.deliver(userId, frame), error: (msg, code) => new ApiError(msg, code) })
  const api = createYunhuApi({ store, chats, bots, publicUrl: () => server.url, later, log, extraRoutes: social.routes })
  const openApi = createOpenApi({ store, chats })

  const uploads = createYunhuUploads({ dataDir: opts.dataDir, limitsMb: opts.uploadLimitsMb, log })
  Object.assign(api.routes, uploads.routes)
  server.registerHttp('/v1/', api.handle)
  server.registerHttp(uploads.uploadPath, uploads.handleUpload)
  server.registerHttp('/open-apis/v1/bot/', openApi.handle)
  const cdn = createYunhuCdn((host, path) => uploads.file(host, path))
  server.registerHttp('/cdn/', cdn.handle)
  server.registerUpgrade('/ws', hub.handleUpgrade)
  server.onClose(async () => {
    timers.clear()
    await hub.close()
    store.changed() // a streamed reply cut short keeps the text it had
    await store.flush()
  })

  return { dataFile: store.file, email: opened.email, generatedPassword: opened.generatedPassword, created: opened.created, flush: () => store.flush(), cdn,
    social: social.hooks,
    uploads,
    tokenFor: (userId) => {
      const u = store.user(userId)
      if (!u) throw new Error(`no Yunhu user ${userId}`)
      return store.issueToken(u)
    }
  }
}
