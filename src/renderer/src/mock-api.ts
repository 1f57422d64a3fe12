/**
 * An in-memory fake MioDeskApi for developing and screenshotting the UI without a backend
 * (`?mock=1`; `&login=1` starts logged in; `&count=N` seeds N extra history messages).
 * It simulates one Mio-Chat account with a OneBot bot that echoes, and LLM contacts whose replies
 * stream with reasoning and a tool call. Access code "wrong" fails login; a server containing
 * "unreachable" is unreachable. Sending "/drop" to the bot simulates a lost connection.
 * A fake Yunhu account (mock-yunhu.ts) can be added beside it, or started with `&yunhu=1`.
 */
import { buildApi, DEFAULT_SETTINGS, type AccountInfo, type ApiMethods, type Contact, type MioDeskApi, type Settings, type StreamDelta } from '@shared/api'
import type { ChatMessage, LlmContact, Segment, ToolCall } from '@shared/mio'
import { createYunhuMock } from './mock-yunhu'

export interface MockOptions {
  loggedIn?: boolean
  count?: number
  /** Also start with the fake Yunhu account. */
  yunhu?: boolean
}

function svgImage(w: number, h: number, a: string, b: string, label: string): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${a}"/><stop offset="1" stop-color="${b}"/></linearGradient></defs><rect width="${w}" height="${h}" fill="url(#g)"/><circle cx="${w * 0.75}" cy="${h * 0.3}" r="${h * 0.12}" fill="#fff" opacity=".7"/><path d="M0 ${h} L${w * 0.35} ${h * 0.45} L${w * 0.6} ${h * 0.75} L${w * 0.75} ${h * 0.6} L${w} ${h} Z" fill="#000" opacity=".18"/><text x="16" y="${h - 16}" font-family="sans-serif" font-size="16" fill="#fff">${label}</text></svg>`
  return 'base64://' + btoa(svg)
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export function createMockApi(opts: MockOptions = {}): MioDeskApi {
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  const emit = (event: string, payload: unknown) => {
    for (const l of listeners.get(event) ?? []) l(payload)
  }
  let settings: Settings = { ...DEFAULT_SETTINGS }
  const accounts: AccountInfo[] = []
  const history = new Map<string, ChatMessage[]>()
  const llm = new Map<string, LlmContact>()
  const aborts = new Set<string>()
  let seq = 1000
  const nextId = () => String(++seq)
  const ACC = 'mio-1'
  const BOT = '154321234'

  llm.set('llm:gpt', { id: 'llm:gpt', name: 'GPT-4o mini', model: 'gpt-4o-mini', systemPrompt: 'You are a helpful assistant.', temperature: 0.7, top_p: 1, presence_penalty: 0, frequency_penalty: 0, tools: ['clock', 'calculator'] })
  llm.set('llm:ds', { id: 'llm:ds', name: 'DeepSeek 编程助手', model: 'deepseek-chat', systemPrompt: '你是一名资深工程师。', temperature: 0.3, top_p: 0.9, presence_penalty: 0, frequency_penalty: 0 })

  function list(contactId: string): ChatMessage[] {
    let l = history.get(contactId)
    if (!l) history.set(contactId, (l = []))
    return l
  }

  function seed(): void {
    const now = Date.now()
    const t = (minAgo: number) => now - minAgo * 60_000
    const bot = list(BOT)
    const count = opts.count ?? 0
    for (let i = 0; i < count; i++) {
      const kinds: Segment[][] = [
        [{ type: 'text', data: { text: `Message #${i} — the quick brown fox jumps over the lazy dog.` } }],
        [{ type: 'text', data: { text: `**Item ${i}**\n\n- one\n- two\n\n\`code ${i}\`` } }],
        [{ type: 'image', data: { file: svgImage(200, 120, '#f97316', '#ec4899', 'img') } }],
        [{ type: 'text', data: { text: `Line ${i}\nsecond line of a longer message that wraps around on narrower windows and keeps going for a while to vary the height.` } }]
      ]
      bot.push({ id: `h${i}`, contactId: BOT, self: i % 3 === 0, time: t(60 * 24 * 3) + i, segments: kinds[i % kinds.length]!, status: 'sent' })
    }
    const photo = svgImage(480, 300, '#4f8cff', '#a35cff', 'sunset.png')
    bot.push(
      { id: '1', contactId: BOT, self: false, senderId: BOT, time: t(180), segments: [{ type: 'text', data: { text: 'Hi! I am **MioBot**. Send me anything and I will echo it back.' } }], status: 'sent' },
      { id: '2', contactId: BOT, self: true, time: t(178), segments: [{ type: 'text', data: { text: 'Hello Mio 👋 here is a photo from last weekend' } }, { type: 'image', data: { file: photo } }], status: 'sent' },
      { id: '3', contactId: BOT, self: false, time: t(170), segments: [{ type: 'reply', data: { id: '2' } }, { type: 'at', data: { qq: '15432', name: 'Alice' } }, { type: 'text', data: { text: ' nice picture! A formula for you: $E = mc^2$, and a table:\n\n| Plan | Price |\n|---|---|\n| Free | $0 |\n| Pro | $8/mo |' } }], status: 'sent' },
      { id: '4', contactId: BOT, self: false, time: t(120), segments: [{ type: 'file', data: { name: 'quarterly-report.pdf', size: 2_483_112, url: 'https://example.com/report.pdf' } }], status: 'sent' },
      { id: '5', contactId: BOT, self: false, time: t(118), segments: [{ type: 'face', data: { id: '14' } }, { type: 'record', data: { file: 'https://example.com/voice.mp3' } }], status: 'sent' },
      {
        id: '6',
        contactId: BOT,
        self: false,
        time: t(90),
        segments: [
          {
            type: 'nodes',
            data: {
              messages: [
                [{ type: 'text', data: { text: 'forward node 1' } }],
                [{ type: 'text', data: { text: 'forward node 2' } }, { type: 'image', data: { file: svgImage(200, 120, '#f97316', '#ec4899', 'img') } }],
                [{ type: 'nodes', data: { messages: [[{ type: 'text', data: { text: 'a nested forward' } }], [{ type: 'text', data: { text: '```js\nconsole.log("nested")\n```' } }]] } }]
              ]
            }
          }
        ],
        status: 'sent'
      },
      { id: '7', contactId: BOT, self: false, time: t(60), segments: [{ type: 'poke', data: { qq: '15432', strength: 3 } }], status: 'sent' },
      { id: '8', contactId: BOT, self: true, time: t(30), segments: [{ type: 'text', data: { text: 'This one did not make it' } }], status: 'failed', error: 'The connection dropped before the server confirmed the message.' },
      { id: '9', contactId: BOT, self: false, time: t(20), segments: [], status: 'recalled' },
      { id: '10', contactId: BOT, self: true, time: t(5), segments: [{ type: 'text', data: { text: 'Code sample:\n\n```ts\nexport function add(a: number, b: number): number {\n  return a + b // sum\n}\n```' } }], status: 'sent' }
    )
    list('llm:gpt').push(
      { id: '20', contactId: 'llm:gpt', self: true, time: t(240), segments: [{ type: 'text', data: { text: 'What time is it in Tokyo?' } }], status: 'sent' },
      {
        id: '21',
        contactId: 'llm:gpt',
        self: false,
        time: t(239),
        segments: [],
        status: 'sent',
        ai: {
          requestId: 1,
          status: 'completed',
          reasoning: 'The user asks for the time in Tokyo. I should call the clock tool with the Asia/Tokyo time zone.',
          text: 'It is currently **21:04** in Tokyo (JST, UTC+9).',
          toolCalls: [{ key: 'c1', id: 'c1', name: 'clock', state: 'finished', params: '{"timezone":"Asia/Tokyo"}', result: { time: '21:04', tz: 'JST' } }]
        }
      },
      { id: '22', contactId: 'llm:gpt', self: true, time: t(200), segments: [{ type: 'text', data: { text: 'And compute 2^32?' } }], status: 'sent' },
      { id: '23', contactId: 'llm:gpt', self: false, time: t(199), segments: [], status: 'sent', ai: { requestId: 2, status: 'interrupted', text: '2^32 equals', reasoning: '', toolCalls: [{ key: 'c2', name: 'calculator', state: 'failed', params: '{"expr":"2^32"}', error: 'Tool timed out' }], error: 'The connection to the server was lost during the reply.' } }
    )
  }

  function contacts(): Contact[] {
    const lastOf = (id: string) => {
      const l = list(id)
      const m = l[l.length - 1]
      if (!m) return undefined
      const preview = m.status === 'recalled' ? 'Message recalled' : m.ai ? m.ai.text : m.segments.map((s) => (s.type === 'text' ? String(s.data.text) : `[${s.type}]`)).join('')
      return { preview: preview.slice(0, 80), time: m.time }
    }
    return [
      { id: BOT, kind: 'bot', name: 'MioBot', lastMessage: lastOf(BOT) },
      ...[...llm.values()].map((c): Contact => ({ id: c.id, kind: 'llm', name: c.name, llm: c, lastMessage: lastOf(c.id) }))
    ]
  }

  function setStatus(acc: AccountInfo, status: AccountInfo['status']): void {
    acc.status = status
    emit('connection', { accountId: acc.id, status })
    emit('accounts', { accounts: structuredClone(accounts) })
  }

  function makeAccount(server: string, id: string): AccountInfo {
    return {
      id: ACC,
      kind: 'mio',
      label: `Mio ${id}`,
      server,
      userId: id,
      status: { state: 'online', delayMs: 23 },
      login: { isAdmin: false, adminQq: '10000001', botQq: '20000001', dialect: 'field', defaultModel: 'gpt-4o-mini', models: [{ owner: 'OpenAI', models: ['gpt-4o-mini', 'gpt-4o'] }, { owner: 'DeepSeek', models: ['deepseek-chat', 'deepseek-reasoner'] }] }
    }
  }

  const yunhu = createYunhuMock({ emit, sleep, image: svgImage })

  if (opts.loggedIn) {
    accounts.push(makeAccount('ws://127.0.0.1:38480', '15432'))
    seed()
  }
  if (opts.yunhu) accounts.push(yunhu.start())

  setInterval(() => {
    for (const a of accounts) if (a.status.state === 'online') setStatus(a, { state: 'online', delayMs: 15 + Math.round(Math.random() * 30) })
  }, 3000)

  function push(contactId: string, m: ChatMessage): void {
    list(contactId).push(m)
    emit('message', { accountId: ACC, message: structuredClone(m) })
    emit('contacts', { accountId: ACC, contacts: contacts() })
  }

  async function stream(contactId: string, reply: ChatMessage, prompt: string): Promise<void> {
    const send = (p: Partial<StreamDelta>) => {
      const d: StreamDelta = { accountId: ACC, contactId, messageId: reply.id, status: 'streaming', textAppend: '', reasoningAppend: '', ...p }
      const ai = reply.ai!
      ai.status = d.status
      ai.text += d.textAppend
      ai.reasoning += d.reasoningAppend
      if (d.toolCalls) ai.toolCalls = d.toolCalls
      if (d.error) ai.error = d.error
      emit('stream', d)
    }
    const aborted = () => aborts.has(reply.id)
    const stepDelay = 350
    await sleep(300)
    for (const w of `The user wrote "${prompt.slice(0, 40)}". I'll check the clock tool first, then answer with an example.`.split(/(?<= )/)) {
      if (aborted()) break
      send({ reasoningAppend: w })
      await sleep(25)
    }
    const tc: ToolCall = { key: 't1', id: 't1', name: 'clock', state: 'started', params: '' }
    const states: Array<Partial<ToolCall>> = [{ state: 'started' }, { state: 'pending', params: '{"timezone":' }, { state: 'pending', params: '{"timezone":"UTC"}' }, { state: 'running' }, { state: 'finished', result: { iso: new Date().toISOString() } }]
    for (const s of states) {
      if (aborted()) break
      Object.assign(tc, s)
      send({ toolCalls: [{ ...tc }] })
      await sleep(stepDelay)
    }
    const answer = `Here is what I found. The current UTC time is **${new Date().toISOString().slice(11, 16)}**.\n\n## Example\n\n\`\`\`python\ndef fib(n: int) -> int:\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n\`\`\`\n\nThe closed form is $F_n = \\frac{\\varphi^n - \\psi^n}{\\sqrt 5}$, and\n\n$$\\sum_{k=0}^{n} F_k = F_{n+2} - 1$$\n\n| n | F(n) |\n|---|---|\n| 10 | 55 |\n| 20 | 6765 |\n\nSee [Wikipedia](https://en.wikipedia.org/wiki/Fibonacci_sequence) for more.`
    for (let i = 0; i < answer.length; i += 6) {
      if (aborted()) {
        send({ status: 'aborted' })
        return
      }
      send({ textAppend: answer.slice(i, i + 6) })
      await sleep(30)
    }
    if (prompt.includes('fail')) {
      send({ status: 'failed', error: 'The model returned an error (HTTP 500).' })
      return
    }
    send({ status: 'completed' })
    emit('message', { accountId: ACC, message: structuredClone(reply) })
    emit('contacts', { accountId: ACC, contacts: contacts() })
  }

  const handlers: { [C in keyof ApiMethods]: (...args: Parameters<ApiMethods[C]>) => ReturnType<ApiMethods[C]> } = {
    'app:info': async () => ({ version: '0.1.0-mock', platform: 'linux', host: 'browser', suggestedAccount: { server: 'ws://127.0.0.1:38480', id: '15432', token: '', label: 'Local server' } }),
    'app:open-external': async (url) => {
      window.open(url, '_blank', 'noopener')
    },
    'settings:get': async () => ({ ...settings }),
    'settings:set': async (patch) => {
      settings = { ...settings, ...patch }
      emit('settings', settings)
      return { ...settings }
    },
    'accounts:list': async () => structuredClone(accounts),
    'accounts:add-mio': async (input) => {
      await sleep(500)
      if (/unreachable|invalid/.test(input.server)) throw new Error('The server could not be reached (ECONNREFUSED).')
      if (input.token === 'wrong' || !input.token) throw new Error('Invalid credentials: the server refused the access code.')
      const acc = makeAccount(input.server, input.id)
      if (!accounts.some((a) => a.id === ACC)) seed()
      const at = accounts.findIndex((a) => a.id === ACC)
      if (at >= 0) accounts.splice(at, 1, acc)
      else accounts.push(acc)
      emit('accounts', { accounts: structuredClone(accounts) })
      return structuredClone(acc)
    },
    'accounts:remove': async (id) => {
      const i = accounts.findIndex((a) => a.id === id)
      if (i >= 0) accounts.splice(i, 1)
      emit('accounts', { accounts: structuredClone(accounts) })
    },
    'accounts:reconnect': async (id) => {
      const a = accounts.find((x) => x.id === id)
      if (!a) return
      setStatus(a, { state: 'connecting' })
      await sleep(400)
      setStatus(a, { state: 'online', delayMs: 21 })
    },
    'contacts:list': async (acc) => (yunhu.owns(acc) ? yunhu.contacts() : contacts()),
    'contacts:save-llm': async (_acc, c) => {
      const saved = { ...c, id: c.id || `llm:${nextId()}` }
      llm.set(saved.id, saved)
      emit('contacts', { accountId: ACC, contacts: contacts() })
      return saved
    },
    'contacts:delete-llm': async (_acc, id) => {
      llm.delete(id)
      emit('contacts', { accountId: ACC, contacts: contacts() })
    },
    'history:list': async (acc, contactId, before, limit = 50) => {
      await sleep(60)
      if (yunhu.owns(acc)) return yunhu.history(contactId, before, limit)
      const l = list(contactId)
      let end = l.length
      if (before !== undefined) {
        end = l.findIndex((m) => m.time >= before)
        if (end < 0) end = l.length
      }
      return structuredClone(l.slice(Math.max(0, end - limit), end))
    },
    'mio:send': async (_acc, contactId, segments) => {
      const text = segments.filter((s) => s.type === 'text').map((s) => String(s.data.text)).join('')
      const reply = segments.find((s) => s.type === 'reply')
      const m: ChatMessage = { id: nextId(), contactId, self: true, time: Date.now(), segments, status: 'sent', replyTo: reply ? String(reply.data.id) : undefined }
      await sleep(150)
      if (text.includes('/fail')) {
        m.status = 'failed'
        m.error = 'The server did not confirm the message in time.'
      }
      push(contactId, m)
      const acc = accounts[0]
      if (text.trim() === '/drop' && acc) {
        const retryAt = Date.now() + 8000
        setStatus(acc, { state: 'reconnecting', attempt: 1, retryInMs: 8000, retryAt, error: 'The connection was closed by the server.' })
        setTimeout(() => setStatus(acc, { state: 'online', delayMs: 30 }), 8000)
      } else if (m.status === 'sent') {
        setTimeout(() => push(contactId, { id: nextId(), contactId, self: false, senderId: BOT, time: Date.now(), segments: structuredClone(segments.filter((s) => s.type !== 'reply')), status: 'sent' }), 600)
      }
      return structuredClone(m)
    },
    'mio:retry': async (_acc, contactId, messageId) => {
      const m = list(contactId).find((x) => x.id === messageId)
      if (!m) throw new Error('That message no longer exists.')
      m.status = 'sent'
      delete m.error
      emit('message', { accountId: ACC, message: structuredClone(m) })
      return structuredClone(m)
    },
    'mio:recall': async (_acc, contactId, messageId) => {
      const m = list(contactId).find((x) => x.id === messageId)
      if (!m) return
      m.status = 'recalled'
      m.segments = []
      emit('message', { accountId: ACC, message: structuredClone(m) })
    },
    'mio:forward': async (_acc, from, ids, to) => {
      const msgs = list(from).filter((m) => ids.includes(m.id))
      const m: ChatMessage = { id: nextId(), contactId: to, self: true, time: Date.now(), segments: [{ type: 'nodes', data: { messages: msgs.map((x) => (x.ai ? [{ type: 'text', data: { text: x.ai.text } }] : x.segments)) } }], status: 'sent' }
      push(to, m)
      return structuredClone(m)
    },
    'mio:share': async (_acc, contactId) => ({ shareUrl: `http://127.0.0.1:38480/chat/0?shareId=${contactId}-8f3a`, previewImage: svgImage(600, 315, '#3b82f6', '#22c55e', 'MioBot - shared contact').replace('base64://', 'data:image/svg+xml;base64,') }),
    'mio:models': async () => accounts[0]?.login?.models ?? [],
    'mio:complete': async (_acc, contactId, prompt) => {
      const userMessage: ChatMessage = { id: nextId(), contactId, self: true, time: Date.now(), segments: [{ type: 'text', data: { text: prompt } }], status: 'sent' }
      const replyMessage: ChatMessage = { id: nextId(), contactId, self: false, time: Date.now() + 1, segments: [], status: 'sent', ai: { requestId: nextId(), status: 'pending', text: '', reasoning: '', toolCalls: [] } }
      list(contactId).push(userMessage, replyMessage)
      emit('message', { accountId: ACC, message: structuredClone(userMessage) })
      emit('message', { accountId: ACC, message: structuredClone(replyMessage) })
      void stream(contactId, replyMessage, prompt)
      return { userMessage: structuredClone(userMessage), replyMessage: structuredClone(replyMessage) }
    },
    'mio:complete-retry': async (_acc, contactId, replyId) => {
      const m = list(contactId).find((x) => x.id === replyId)
      if (!m) throw new Error('That reply no longer exists.')
      aborts.delete(replyId)
      m.ai = { requestId: nextId(), status: 'pending', text: '', reasoning: '', toolCalls: [] }
      emit('message', { accountId: ACC, message: structuredClone(m) })
      void stream(contactId, m, 'retry')
      return { replyMessage: structuredClone(m) }
    },
    'mio:abort': async (_acc, _contactId, replyId) => {
      aborts.add(replyId)
    },
    'mio:ping': async () => 20,
    ...yunhu.handlers,
    'accounts:add-yunhu': async (input) => {
      const acc = await yunhu.handlers['accounts:add-yunhu']!(input)
      const at = accounts.findIndex((a) => a.id === acc.id)
      if (at >= 0) accounts.splice(at, 1, acc)
      else accounts.push(acc)
      emit('accounts', { accounts: structuredClone(accounts) })
      return acc
    }
  } as { [C in keyof ApiMethods]: (...args: Parameters<ApiMethods[C]>) => ReturnType<ApiMethods[C]> }

  return buildApi({
    async invoke(channel, args) {
      const h = (handlers as Record<string, (...a: unknown[]) => Promise<unknown>>)[channel]
      if (!h) throw new Error(`Mock has no handler for ${channel}`)
      return structuredClone(await h(...args))
    },
    subscribe(event, listener) {
      let s = listeners.get(event)
      if (!s) listeners.set(event, (s = new Set()))
      s.add(listener)
      return () => s!.delete(listener)
    }
  })
}
