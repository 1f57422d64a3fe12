/**
 * Yunhu media uploads in the reference server (facts: docs/protocol/yunhu-client-facts.md §3, §5):
 *
 * - the upload-token endpoints `GET /v1/misc/qiniu-token` (images, bucket chat-68), `qiniu-token2` (files,
 *   chat68-file), `qiniu-token-video` (chat68-video), `qiniu-token-audio` (chat68-audio), answering
 *   `{"code":1,"data":{"token":…}}`. A token is Qiniu-shaped, `AccessKey:signature:base64url(policy)`, the
 *   policy's `scope` the bucket; it is signed with a per-start secret and lasts an hour;
 * - `GET /v1/misc/setting`: the size limits in MB (the docs' field names, typo included);
 * - a stand-in for Qiniu's upload hosts at `/qiniu-up/<region>/` (its own base URL; `uploadPath`): a
 *   multipart POST with `token`, `key` and `file`. Every bucket lives in region `z2`; a POST to another
 *   region answers 400 `{"error":"incorrect region, please use <host>/qiniu-up/z2"}` as Qiniu does.
 *   A good upload is stored under `<dataDir>/uploads/<bucket>/<key>` and answered `{key, hash, fsize}`;
 * - the files are then served by the CDN stand-in (cdn.ts) on the bucket's host, with the Referer rule;
 * - saved stickers and sticker packs: `expression/list`, `expression/create`, `sticker/list` (JSON POST).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { HttpError, readBody, sendJson } from '../http'
import { ApiError, type JsonRoute } from './api'

/** The bucket of each token endpoint (MX names the first three; the audio one is assumed). */
export const UPLOAD_BUCKETS = {
  '/v1/misc/qiniu-token': 'chat-68',
  '/v1/misc/qiniu-token2': 'chat68-file',
  '/v1/misc/qiniu-token-video': 'chat68-video',
  '/v1/misc/qiniu-token-audio': 'chat68-audio'
} as const

/** Which CDN host serves which bucket's files. */
export const BUCKET_OF_HOST: Record<string, string> = {
  'chat-img.jwznb.com': 'chat-68',
  'chat-file.jwznb.com': 'chat68-file',
  'chat-video1.jwznb.com': 'chat68-video',
  'chat-audio1.jwznb.com': 'chat68-audio'
}

/** The region every bucket lives in. */
export const UPLOAD_REGION = 'z2'

export interface UploadLimitsMb {
  image: number
  file: number
  video: number
}

/** The docs' values (misc.md): 40 MB each for a normal account. */
export const DEFAULT_LIMITS_MB: UploadLimitsMb = { image: 40, file: 40, video: 40 }

export interface UploadOptions {
  dataDir: string
  /** The upload stand-in's path prefix (default `/qiniu-up/`). */
  uploadPath?: string
  limitsMb?: Partial<UploadLimitsMb>
  log?: (line: string) => void
  /** The user of a token header, if valid (the API's own check). */
  userOf?: (token: string | undefined) => unknown
}

export interface StoredUpload {
  bucket: string
  key: string
  size: number
}

export interface YunhuUploads {
  /** JSON routes to merge into the API's table. */
  routes: Record<string, JsonRoute>
  /** The upload stand-in (registered at `uploadPath`). */
  handleUpload(req: IncomingMessage, res: ServerResponse): Promise<boolean>
  uploadPath: string
  /** A stored file for the CDN stand-in (undefined: not uploaded). */
  file(host: string, path: string): { body: Buffer; type: string } | undefined
  /** Every upload accepted, in order (tests). */
  uploads: StoredUpload[]
  /** POSTs the upload stand-in answered, by region (tests: the region retry). */
  posts: string[]
}

const ACCESS_KEY = 'MioDeskReferenceAK'
const MAX_UPLOAD = 64 * 1024 * 1024
const TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  wav: 'audio/wav',
  m4a: 'audio/mp4',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  webm: 'video/webm',
  mp4: 'video/mp4'
}

const b64url = (b: Buffer): string => b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

type Json = Record<string, unknown>

interface StickerStore {
  expressions: { id: number; url: string; urlOriginal: string; delFlag: 0; createTime: number; createBy: string }[]
  nextId: number
}

/** A few demo sticker packs (their item urls are relative, as sticker/list gives them). */
const STICKER_PACKS = [
  {
    id: 903,
    name: '喵喵日常',
    items: [
      { id: 20417, name: '开心', url: 'sticker/7e2d9c41b05a4f3c8d6e1b2a9f0c7d35.webp' },
      { id: 20418, name: '疑惑', url: 'sticker/1b2a9f0c7d357e2d9c41b05a4f3c8d6e.webp' },
      { id: 20419, name: '晚安', url: 'sticker/9c41b05a4f3c8d6e1b2a9f0c7d357e2d.webp' }
    ]
  }
]

export function createYunhuUploads(opts: UploadOptions): YunhuUploads {
  const log = opts.log ?? (() => {})
  const secret = randomBytes(32)
  const limits: UploadLimitsMb = { ...DEFAULT_LIMITS_MB, ...opts.limitsMb }
  const uploadPath = opts.uploadPath ?? '/qiniu-up/'
  const root = join(opts.dataDir, 'uploads')
  const uploads: StoredUpload[] = []
  const posts: string[] = []
  const stickerFile = join(opts.dataDir, 'yunhu-stickers.json')

  const stickers = ((): StickerStore => {
    try {
      if (existsSync(stickerFile)) return JSON.parse(readFileSync(stickerFile, 'utf8')) as StickerStore
    } catch (e) {
      log(`yunhu: ${stickerFile} could not be read, starting without saved stickers: ${e instanceof Error ? e.message : String(e)}`)
    }
    return {
      expressions: [{ id: 553201, url: 'expression/0f1e2d3c4b5a69788796a5b4c3d2e1f0.gif', urlOriginal: 'https://chat-img.jwznb.com/expression/0f1e2d3c4b5a69788796a5b4c3d2e1f0.gif', delFlag: 0, createTime: 1780000000, createBy: '1000001' }],
      nextId: 553202
    }
  })()
  const saveStickers = (): void => {
    writeFileSync(`${stickerFile}.tmp`, JSON.stringify(stickers))
    renameSync(`${stickerFile}.tmp`, stickerFile)
  }

  const sign = (policy: string): string => b64url(createHmac('sha1', secret).update(policy).digest())

  const issue = (bucket: string): string => {
    const policy = b64url(Buffer.from(JSON.stringify({ scope: bucket, deadline: Math.floor(Date.now() / 1000) + 3600 })))
    return `${ACCESS_KEY}:${sign(policy)}:${policy}`
  }

  /** The bucket of a valid, unexpired token; else undefined. */
  const verify = (token: string): string | undefined => {
    const parts = token.split(':')
    if (parts.length !== 3 || parts[0] !== ACCESS_KEY) return undefined
    const want = Buffer.from(sign(parts[2]!))
    const got = Buffer.from(parts[1]!)
    if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined
    try {
      const p = JSON.parse(Buffer.from(parts[2]!, 'base64url').toString('utf8')) as { scope?: unknown; deadline?: unknown }
      if (typeof p.scope !== 'string' || typeof p.deadline !== 'number' || p.deadline * 1000 < Date.now()) return undefined
      return p.scope
    } catch {
      return undefined
    }
  }

  const route = (handle: JsonRoute['handle'], method: 'GET' | 'POST', auth = true): JsonRoute => ({ kind: 'json', method, auth, handle })

  const routes: Record<string, JsonRoute> = {}
  for (const [path, bucket] of Object.entries(UPLOAD_BUCKETS)) routes[path] = route(() => ({ token: issue(bucket) }), 'GET', path !== '/v1/misc/qiniu-token-audio')
  routes['/v1/misc/setting'] = route(
    () => ({
      fileSizeLimitNormal: limits.file,
      fileeSizeLimitVip: 1024,
      imageSizeLimitNormal: limits.image,
      imageSizeLimitVip: 50,
      videoSizeLimitNormal: limits.video,
      videoSizeLimitVip: 200
    }),
    'GET',
    false
  )
  routes['/v1/expression/list'] = route(() => ({ expression: stickers.expressions }), 'POST')
  routes['/v1/expression/create'] = route((user, body: Json) => {
    const url = typeof body.url === 'string' ? body.url : ''
    let u: URL
    try {
      u = new URL(url)
    } catch {
      throw new ApiError('参数错误: url 必须是完整的图片链接')
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ApiError('参数错误: url 必须是完整的图片链接')
    if (stickers.expressions.some((e) => e.urlOriginal === url)) throw new ApiError('该表情已添加')
    const path = u.pathname.replace(/^\/+/, '')
    const id = stickers.nextId++
    const createBy = typeof (user as { id?: unknown })?.id === 'string' ? (user as { id: string }).id : ''
    stickers.expressions.unshift({ id, url: path.startsWith('expression/') ? path : `expression/${path}`, urlOriginal: url, delFlag: 0, createTime: Math.floor(Date.now() / 1000), createBy })
    saveStickers()
    return { id }
  }, 'POST')
  routes['/v1/sticker/list'] = route(
    () => ({
      stickerPacks: STICKER_PACKS.map((p, i) => ({
        id: p.id,
        name: p.name,
        createBy: '1000001',
        createTime: 1780000000,
        delFlag: 0,
        userCount: 12,
        hot: 0,
        uuid: `pack-${p.id}`,
        updateTime: 1780000000,
        sort: i,
        stickerItems: p.items.map((it) => ({ ...it, stickerPackId: p.id, createBy: '1000001', createTime: 1780000000, delFlag: 0 }))
      }))
    }),
    'POST'
  )

  const qiniuError = (res: ServerResponse, status: number, error: string): true => {
    sendJson(res, status, { error })
    return true
  }

  async function handleUpload(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const rest = url.pathname.slice(uploadPath.length).replace(/\/+$/, '')
    if (req.method !== 'POST') {
      req.resume()
      return qiniuError(res, 405, 'only POST is allowed')
    }
    posts.push(rest)
    const host = String(req.headers.host ?? 'localhost')
    if (rest !== UPLOAD_REGION) {
      req.resume()
      return qiniuError(res, 400, `incorrect region, please use ${host}${uploadPath}${UPLOAD_REGION}`)
    }
    let body: Buffer
    try {
      body = await readBody(req, MAX_UPLOAD)
    } catch (e) {
      if (e instanceof HttpError && e.status === 413) return qiniuError(res, 413, 'request entity too large')
      throw e
    }
    let form: FormData
    try {
      form = await new Response(new Uint8Array(body), { headers: { 'content-type': String(req.headers['content-type'] ?? '') } }).formData()
    } catch {
      return qiniuError(res, 400, 'invalid multipart form')
    }
    const names = [...new Set(form.keys())].sort()
    if (names.join(',') !== 'file,key,token') return qiniuError(res, 400, `the form must carry exactly token, key and file (got ${names.join(', ') || 'nothing'})`)
    const token = form.get('token')
    const key = form.get('key')
    const file = form.get('file')
    if (typeof token !== 'string' || typeof key !== 'string' || typeof file === 'string' || !file) return qiniuError(res, 400, 'token and key are text, file is a file')
    const bucket = verify(token)
    if (!bucket) return qiniuError(res, 401, 'bad token')
    if (!/^[A-Za-z0-9._-]{1,200}$/.test(key) || key.startsWith('.')) return qiniuError(res, 400, 'invalid key')
    const bytes = Buffer.from(await file.arrayBuffer())
    const limitMb = bucket === 'chat-68' ? limits.image : bucket === 'chat68-video' ? limits.video : limits.file
    if (bytes.length > limitMb * 1024 * 1024) return qiniuError(res, 413, 'file too large')
    const dir = join(root, bucket)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, `${key}.tmp`), bytes)
    renameSync(join(dir, `${key}.tmp`), join(dir, key))
    uploads.push({ bucket, key, size: bytes.length })
    log(`yunhu: upload ${bucket}/${key} (${bytes.length} bytes)`)
    sendJson(res, 200, { key, hash: createHash('sha1').update(bytes).digest('base64url'), fsize: bytes.length, bucket })
    return true
  }

  return {
    routes,
    handleUpload,
    uploadPath,
    uploads,
    posts,
    file(host, path) {
      const bucket = BUCKET_OF_HOST[host]
      if (!bucket || !/^[A-Za-z0-9._-]{1,200}$/.test(path) || path.startsWith('.')) return undefined
      try {
        const body = readFileSync(join(root, bucket, path))
        return { body, type: TYPES[path.split('.').pop()!.toLowerCase()] ?? 'application/octet-stream' }
      } catch {
        return undefined
      }
    }
  }
}
