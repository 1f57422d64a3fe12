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
  imageTooLarge: 'The image is too large ({size} MB): Yunhu takes images up to {limit} MB',
  fileTooLarge: 'The file is too large ({size} MB): Yunhu takes files up to {limit} MB',
  videoTooLarge: 'The video is too large ({size} MB): Yunhu takes videos up to {limit} MB',
  audioTooLarge: 'The voice message is too large ({size} MB): Yunhu takes up to {limit} MB',
  uploadFailed: 'The upload failed: {why}',
  uploadCancelled: 'The upload was cancelled',
  uploadFileGone: 'The file to send is no longer there: {name}',
  uploadEmpty: 'The file is empty: {name}',
  // Yunhu groups and bot commands: the platform's refusals (zh = the platform's own sentence), then the app's own.
  yunhuCannotMuteOwner: 'The group owner cannot be muted',
  yunhuCannotRemoveOwner: 'The group owner cannot be removed',
  yunhuNotInGroup: 'That user is not in this group, try again',
  yunhuBadMuteDuration: 'That mute duration is not allowed, try again',
  yunhuNoGroupPermission: 'You have no permission in this group: ask the owner or an admin',
  yunhuNotAGroup: 'This conversation is not a Yunhu group',
  yunhuNoCommands: 'This conversation has no bot commands',
  yunhuUnknownCommand: 'That bot command is no longer offered here',
  yunhuCommandText: 'Type the text for the command first'
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
  imageTooLarge: '图片太大（{size} MB）：云湖只接受不超过 {limit} MB 的图片',
  fileTooLarge: '文件太大（{size} MB）：云湖只接受不超过 {limit} MB 的文件',
  videoTooLarge: '视频太大（{size} MB）：云湖只接受不超过 {limit} MB 的视频',
  audioTooLarge: '语音太大（{size} MB）：云湖只接受不超过 {limit} MB 的语音',
  uploadFailed: '上传失败：{why}',
  uploadCancelled: '上传已取消',
  uploadFileGone: '要发送的文件已不存在：{name}',
  uploadEmpty: '文件是空的：{name}',
  yunhuCannotMuteOwner: '不可以禁言群主！',
  yunhuCannotRemoveOwner: '不可以移除群主！',
  yunhuNotInGroup: '该用户不在这个群聊，请重试',
  yunhuBadMuteDuration: '禁言时长错误，请重试',
  yunhuNoGroupPermission: '您无权操作此群聊，请联系群主或者管理员',
  yunhuNotAGroup: '这个会话不是云湖群聊',
  yunhuNoCommands: '这个会话没有机器人指令',
  yunhuUnknownCommand: '这里已经没有这个机器人指令了',
  yunhuCommandText: '请先输入指令的内容'
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
