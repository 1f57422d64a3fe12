/**
 * The core's sentences a person reads (connection states, interrupted replies, login failures), in every
 * language the UI speaks, in one place. The core writes them in English through `coreText` (logs and the CLI
 * stay English); the renderer turns one back into the UI's language with `localizeCoreText`, which reads the
 * English sentence against these same templates — so a sentence and its translation cannot drift apart.
 * A sentence not in the table is shown as it is (a server's own words stay the server's).
 */
import type { AppLocale } from './locale'

const EN = {
  connectionLost: 'Connection lost: {why}',
  connectionLostBare: 'Connection lost',
  cannotReach: 'Cannot reach the server',
  cannotReachWhy: 'Cannot reach the server: {why}',
  connectionRefused: 'connection refused',
  hostNotFound: 'host name not found',
  timedOut: 'timed out',
  resetByServer: 'Connection reset by the server',
  closeNormal: 'the server closed the connection',
  closeGoingAway: 'the server is shutting down or restarting',
  closeBrokeOff: 'the connection broke off',
  closeClosed: 'the connection closed',
  closeRefused: 'the server refused this session',
  closeTooBig: 'a message was too large for the server',
  closeInternal: 'the server hit an internal error',
  closeRestarting: 'the server is restarting',
  closeOverloaded: 'the server is overloaded, try again later',
  closeUnexpected: 'the connection closed unexpectedly',
  replyLinkLost: 'The connection was lost before the reply finished',
  replyServerRestarted: 'The server restarted: the reply in progress was lost',
  answerLinkLost: 'The connection was lost before the server took the answer',
  loginFailed: 'Login failed',
  loginFailedWhy: 'Login failed: {why}',
  wrongEmailOrPassword: 'wrong email or password',
  questionClosed: 'That question is no longer open',
  notConnected: 'Not connected to the server',
  offlineQueued: 'Not connected: the message is queued and sent when the connection is back',
  unknownError: 'Unknown error',
  yunhuRefused: 'The Yunhu server refused it: {why}',
  unknownYunhuConversation: 'Unknown Yunhu conversation',
  accountCannot: 'This account cannot do that',
  searchWhat: 'Type what to search for',
  messageGone: 'That message no longer exists',
  forwardOnlySent: 'Only sent messages can be forwarded',
  forwardNotDelivered: 'The Yunhu server did not deliver the forwarded message',
  hitGone: 'That message is no longer on the Yunhu server',
  formGone: 'That form no longer exists',
  formNoAction: 'This form button has no action'
} as const

export type CoreTextKey = keyof typeof EN

const ZH: { [K in CoreTextKey]: string } = {
  connectionLost: '连接已断开：{why}',
  connectionLostBare: '连接已断开',
  cannotReach: '无法连接到服务器',
  cannotReachWhy: '无法连接到服务器：{why}',
  connectionRefused: '连接被拒绝',
  hostNotFound: '找不到该主机名',
  timedOut: '超时',
  resetByServer: '连接被服务器重置',
  closeNormal: '服务器关闭了连接',
  closeGoingAway: '服务器正在关闭或重启',
  closeBrokeOff: '连接意外中断',
  closeClosed: '连接已关闭',
  closeRefused: '服务器拒绝了本次会话',
  closeTooBig: '有一条消息超出了服务器的大小限制',
  closeInternal: '服务器内部出错',
  closeRestarting: '服务器正在重启',
  closeOverloaded: '服务器繁忙，请稍后再试',
  closeUnexpected: '连接意外关闭',
  replyLinkLost: '回复完成前连接断开了',
  replyServerRestarted: '服务器已重启，正在生成的回复丢失了',
  answerLinkLost: '服务器收到回答前连接断开了',
  loginFailed: '登录失败',
  loginFailedWhy: '登录失败：{why}',
  wrongEmailOrPassword: '邮箱或密码错误',
  questionClosed: '这个问题已经不需要回答了',
  notConnected: '未连接到服务器',
  offlineQueued: '未连接：消息已排队，连接恢复后发出',
  unknownError: '未知错误',
  yunhuRefused: '云湖服务器拒绝了：{why}',
  unknownYunhuConversation: '未知的云湖会话',
  accountCannot: '这个账号不支持此操作',
  searchWhat: '请输入要搜索的内容',
  messageGone: '这条消息已不存在',
  forwardOnlySent: '只能转发已发送的消息',
  forwardNotDelivered: '云湖服务器没有送达转发的消息',
  hitGone: '云湖服务器上已没有这条消息',
  formGone: '这个表单已不存在',
  formNoAction: '这个表单按钮没有动作'
}

const TABLE: Record<AppLocale, { [K in CoreTextKey]: string }> = { en: EN, 'zh-CN': ZH }

const fill = (template: string, params: Record<string, string> = {}): string => template.replace(/\{(\w+)\}/g, (_, k: string) => params[k] ?? `{${k}}`)

/** A core sentence in English (what the core throws, logs and reports). */
export function coreText(key: CoreTextKey, params?: Record<string, string>): string {
  return fill(EN[key], params)
}

interface Matcher {
  key: CoreTextKey
  re: RegExp
  names: string[]
}

let matchers: Matcher[] | undefined
function compiled(): Matcher[] {
  if (matchers) return matchers
  matchers = (Object.keys(EN) as CoreTextKey[])
    .map((key) => {
      const names: string[] = []
      const source = EN[key].replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{(\w+)\\\}/g, (_, n: string) => (names.push(n), '(.+)'))
      return { key, re: new RegExp(`^${source}$`), names }
    })
    // The most specific first: templates with more fixed text before those that are mostly a parameter.
    .sort((a, b) => b.re.source.replace(/\(\.\+\)/g, '').length - a.re.source.replace(/\(\.\+\)/g, '').length)
  return matchers
}

/**
 * A core sentence in the UI's language: the English one is read against the templates (parameters in turn
 * localised, so "Connection lost: the connection broke off" is translated whole); anything else is returned
 * as it is.
 */
export function localizeCoreText(text: string, locale: AppLocale, depth = 0): string {
  if (locale === 'en' || !text || depth > 3) return text
  const t = text.trim()
  for (const m of compiled()) {
    const hit = m.re.exec(t)
    if (!hit) continue
    const params: Record<string, string> = {}
    m.names.forEach((n, i) => (params[n] = localizeCoreText(hit[i + 1]!, locale, depth + 1)))
    return fill(TABLE[locale][m.key], params)
  }
  return text
}
