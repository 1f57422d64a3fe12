// A stub Mio-Chat server (the seed's raw-WebSocket gateway, just enough of it) that streams one answer at a fixed
// pace, run as its own process so that the benchmark measures a real socket between two processes. Plain
// JavaScript on `ws`: nothing to transpile, nothing in its start-up or its event loop but the stream.
//
// Control is over the IPC channel (node's fork):
//   parent → {cmd:'config', chunks:[text…], paceMs}   the answer of the next completion, and its pace
//   parent → {cmd:'clock', id}                        → {clock:id, now}   (clock calibration)
//   parent → {cmd:'times'}                            → {times:[[endOffset, sentAt]…]} of the last stream
// `now`/`sentAt` are this process's `performance.timeOrigin + performance.now()` (ms since the epoch).
import { createServer } from 'node:http'
import { WebSocketServer } from 'ws'

const now = () => performance.timeOrigin + performance.now()
let chunks = ['Hello.']
let paceMs = 5
let times = []

const http = createServer((_req, res) => {
  res.writeHead(404, { 'content-type': 'application/json' })
  res.end('{"error":"not found"}')
})
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false })
http.on('upgrade', (req, socket, head) => {
  if (!req.url?.startsWith('/api/gateway')) return socket.destroy()
  wss.handleUpgrade(req, socket, head, (ws) => serve(ws))
})

function serve(ws) {
  const send = (f) => ws.send(JSON.stringify(f))
  ws.on('message', (raw) => {
    let f
    try {
      f = JSON.parse(String(raw))
    } catch {
      return
    }
    const rid = f.request_id
    const key = `${f.protocol}/${f.type}`
    if (key === 'system/login') return send({ request_id: rid, code: 0, message: 'success', data: { is_admin: false, admin_qq: '10000', bot_qq: '20000' } })
    if (key === 'system/heartbeat') return send({ request_id: rid, code: 0, message: 'success', data: { delay: Date.now() - Number(f.data?.timestamp) } })
    if (key === 'openai/models') return send({ request_id: rid, code: 0, message: 'success', data: { models: [{ owner: 'Bench', models: ['bench-model'] }] } })
    if (key === 'openai/completions') return stream(send, rid)
    send({ request_id: rid, code: 1, message: 'failed', data: { reason: `not in this stub: ${key}` } })
  })
}

/** Sends the configured chunks at `paceMs`, each at its own due time (late timers do not push the rest later). */
function stream(send, rid) {
  send({ request_id: rid, code: 0, message: 'pending' })
  times = []
  const start = now()
  let i = 0
  let offset = 0
  const next = () => {
    // Everything that is due goes now: a late timer is caught up, not stretched.
    while (i < chunks.length && now() >= start + i * paceMs) {
      const chunk = chunks[i]
      send({ request_id: rid, code: 0, message: 'update', data: { index: i, chunk, tool_call: null } })
      offset += chunk.length
      times.push([offset, now()])
      i++
    }
    if (i >= chunks.length) return send({ request_id: rid, code: 0, message: 'completed' })
    setTimeout(next, Math.max(0, start + i * paceMs - now()))
  }
  next()
}

process.on('message', (m) => {
  if (m?.cmd === 'config') {
    chunks = m.chunks
    paceMs = m.paceMs
  } else if (m?.cmd === 'clock') process.send({ clock: m.id, now: now() })
  else if (m?.cmd === 'times') process.send({ times })
})
process.on('disconnect', () => process.exit(0))

http.listen(0, '127.0.0.1', () => process.send({ port: http.address().port }))
