/**
 * The same real-path benchmark for a Yunhu streamed reply: a Yunhu server in another process (the reference
 * server's HTTP API and protobuf push WebSocket, bench/stub/yunhu-stream-server.ts) answers a message to its stream
 * bot with push_message then 2,000 stream_message frames with the same msg_id (one per 5 ms), through the real
 * core (YunhuPush, its stream assembler, the Yunhu account, the shared stream coalescer, SQLite history), the
 * bridge and the built renderer. The account is logged in with email and password through the bridge's core.
 *
 * A Yunhu stream has no "completed" frame (the account ends it after a pause): the reply is complete when the
 * page has received all of its text.
 */
import { runRealStream, type RealStreamResult, type RealStreamScenario } from './real-stream'

export const YUNHU_SCENARIO: RealStreamScenario = {
  stub: { script: 'yunhu-stream-server.ts', execArgv: ['--import', 'tsx'] },
  async account(bridge, hello, port) {
    await bridge.core.yunhu.add({ api: `http://127.0.0.1:${port}`, email: hello.email, password: hello.password })
    return String(hello.botId)
  },
  async done(page, text) {
    await page.waitForFunction(
      (n) => {
        const r = (window as unknown as { __recv: Array<[number, number, number]> }).__recv
        return r.length > 0 && r[r.length - 1]![1] >= n
      },
      text.length,
      { timeout: 120_000, polling: 100 }
    )
  }
}

export const benchRealStreamYunhu = (): Promise<RealStreamResult> => runRealStream(YUNHU_SCENARIO)

// `tsx bench/browser/real-stream-yunhu.ts` (after `npm run build`): this benchmark alone.
if (import.meta.url === `file://${process.argv[1]}`) void benchRealStreamYunhu().then((r) => console.log(JSON.stringify(r, null, 2)), (e: unknown) => (console.error(e), process.exit(1)))
