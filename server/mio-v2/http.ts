/**
 * The HTTP endpoints of the v2 generation that MioDesk uses (v2-l): health, gateway info, base info, the
 * tool list, sharing (`POST /api/share/set`, stored by the shared share routes). `/socket.io/` itself
 * (long-polling, the detection probe) is engine.io's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { readJsonBody, requestUrl, sendJson } from '../http'
import { ADMIN_QQ, BOT_QQ } from '../mio/bot'
import type { ToolCatalog } from './catalog'
import { isObject } from './protocol'
import type { Providers } from './providers'

export interface V2HttpDeps {
  providers: Providers
  catalog: ToolCatalog
  share: { create(contactor: Record<string, unknown>, withId?: boolean): string }
  publicUrl(): string
  startedAt: number
}

export const SERVICE = { name: 'mio-chat-backend', version: '1.0.0' }

type Route = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>

/** Route handlers by exact path, for RunningServer.registerHttp. */
export function v2HttpRoutes(deps: V2HttpDeps): Record<string, Route> {
  const get =
    (fn: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>, path: string): Route =>
    async (req, res) => {
      if (requestUrl(req).pathname !== path || req.method !== 'GET') return false
      await fn(req, res)
      return true
    }
  return {
    '/api/health': get((_req, res) => {
      sendJson(res, 200, {
        service: SERVICE.name,
        status: 'ok',
        timestamp: new Date().toISOString(),
        uptime: (Date.now() - deps.startedAt) / 1000,
        version: SERVICE.version
      })
    }, '/api/health'),
    '/api/gateway': get((_req, res) => {
      sendJson(res, 200, {
        code: 0,
        data: { description: 'MioDesk reference server (Mio-Chat v2 generation)', name: SERVICE.name, version: SERVICE.version },
        message: 'success'
      })
    }, '/api/gateway'),
    '/api/base_info': get(async (_req, res) => {
      sendJson(res, 200, {
        code: 0,
        data: { admin_qq: ADMIN_QQ, bot_qq: BOT_QQ, full_screen: true, llm_providers: await deps.providers.descriptions(), title: 'MioDesk' },
        message: 'success'
      })
    }, '/api/base_info'),
    '/api/openai/tools': get((_req, res) => {
      sendJson(res, 200, { code: 0, data: { tools: deps.catalog.listing() }, message: 'success' })
    }, '/api/openai/tools'),
    '/api/share/set': async (req, res) => {
      if (requestUrl(req).pathname !== '/api/share/set') return false
      if (req.method !== 'POST') {
        sendJson(res, 405, { code: 1, data: null, message: 'method not allowed' })
        return true
      }
      const body = await readJsonBody(req)
      if (!isObject(body) || !isObject(body.contactor)) {
        sendJson(res, 400, { code: 1, data: null, message: 'contactor must be an object' })
        return true
      }
      const id = deps.share.create(body.contactor, true)
      sendJson(res, 200, { code: 0, data: { shareUrl: `${deps.publicUrl()}/s/${id}` }, message: 'success' })
      return true
    }
  }
}
