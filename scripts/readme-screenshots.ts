/**
 * The README's screenshots, taken from the real app (browser build) against the reference server's demo data:
 * `npm run build && npx tsx scripts/readme-screenshots.ts`. Writes docs/screenshot-*.png.
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { byTestId, conversationItem, messageWithText, openAi, sendText, startHarness, yunhuSignIn } from '../test/e2e/harness'
import { bridgeCall } from '../test/e2e/looks'
import { DEMO_GROUP_ID } from '../server/yunhu/seed'

const DOCS = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs')

async function main(): Promise<void> {
  // A Mio-Chat AI reply with a tool call (English, light).
  const mio = await startHarness({ locale: 'en', colorScheme: 'light', chunkDelayMs: 5 })
  try {
    await bridgeCall(mio.page, 'accounts:add', 'mio', { server: mio.serverWs, id: 'alice', token: mio.userCode, label: 'Home lab' })
    await mio.page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor({ timeout: 15_000 })
    await openAi(mio.page)
    await sendText(mio.page, 'What time is it in UTC?')
    await mio.page.locator('[data-testid="message"][data-ai-status="completed"]').first().waitFor({ timeout: 30_000 })
    await mio.page.waitForTimeout(400)
    await mio.page.screenshot({ path: join(DOCS, 'screenshot-light-en.png') })
  } finally {
    await mio.close()
  }

  // A Yunhu group chat with its board, a picture, a file and a quote (Chinese, light); then the search (dark).
  const yh = await startHarness({ yunhu: true, locale: 'zh-CN', colorScheme: 'light' })
  try {
    await yunhuSignIn(yh)
    await conversationItem(yh.page, DEMO_GROUP_ID).click()
    await messageWithText(yh.page, '记得看一下看板').first().waitFor()
    await yh.page.waitForTimeout(800)
    await yh.page.screenshot({ path: join(DOCS, 'screenshot-yunhu-zh.png') })
    await bridgeCall(yh.page, 'settings:set', { theme: 'dark' })
    await yh.page.keyboard.press('Control+Shift+F')
    await byTestId(yh.page, 'history-search-input').fill('会议')
    await byTestId(yh.page, 'history-search-hit').first().waitFor()
    await yh.page.waitForTimeout(300)
    await yh.page.screenshot({ path: join(DOCS, 'screenshot-search-zh-dark.png') })
  } finally {
    await yh.close()
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e)
    process.exit(1)
  }
)
