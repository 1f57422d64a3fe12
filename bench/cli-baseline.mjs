#!/usr/bin/env node
/**
 * The baseline of bench/cli.ts: the least a Mio-Chat client can do for `miodesk chat` against a spec
 * server — a bare `ws` connection to /api/gateway, the login request, one streamed completion — and
 * print the first token on stdout. Plain JavaScript, no build, no TypeScript, no MioDesk code.
 *
 *   node bench/cli-baseline.mjs ws://127.0.0.1:PORT ID CODE MODEL "prompt"
 */
import { WebSocket } from 'ws'

const [server, id, token, model, prompt] = process.argv.slice(2)
if (!server || !id || !token || !model || !prompt) {
  process.stderr.write('usage: cli-baseline.mjs SERVER ID CODE MODEL PROMPT\n')
  process.exit(2)
}

const url = `${server.replace(/\/+$/, '')}/api/gateway?mio-chat-id=${encodeURIComponent(id)}&mio-chat-token=${encodeURIComponent(token)}`
const ws = new WebSocket(url)
ws.on('open', () => {
  ws.send(JSON.stringify({ protocol: 'system', type: 'login', request_id: 'login', data: { 'mio-chat-id': id, 'mio-chat-token': token } }))
})
ws.on('message', (raw) => {
  const f = JSON.parse(String(raw))
  if (f.request_id === 'login') {
    if (f.code !== 0) fail(`login refused: ${JSON.stringify(f.data)}`)
    ws.send(JSON.stringify({ protocol: 'openai', type: 'completions', request_id: 'c1', data: { model, stream: true, messages: [{ role: 'user', content: prompt }] } }))
  } else if (f.request_id === 'c1') {
    if (f.message === 'update' && typeof f.data?.chunk === 'string' && f.data.chunk) process.stdout.write(f.data.chunk)
    else if (f.message === 'completed') {
      process.stdout.write('\n')
      ws.close()
      process.exit(0)
    } else if (f.message === 'failed') fail(`reply failed: ${JSON.stringify(f.data)}`)
  }
})
ws.on('error', (e) => fail(e.message))

function fail(why) {
  process.stderr.write(`cli-baseline: ${why}\n`)
  process.exit(1)
}
