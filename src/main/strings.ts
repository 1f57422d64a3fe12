/**
 * Every word the Electron main process shows (notifications, tray, context menu, the no-keyring dialog),
 * in each language MioDesk speaks. The language is the user's `Settings.locale`; 'system' follows the
 * operating system by the same rule as the renderer (src/shared/locale.ts). Message previews use the
 * renderer's own preview words (PREVIEW_WORDS in src/shared/model/parts.ts).
 */
import { app } from 'electron'
import { resolveLocale, type AppLocale, type LocaleSetting } from '../shared/locale'
import { previewLabels, type PreviewLabels } from '../shared/model/parts'

const en = {
  /** Title of a notification when privacy mode hides the sender. */
  appName: 'MioDesk',
  newMessage: 'New message',
  /** Who asks to run a tool when the contact's name is not known yet. */
  someone: 'AI',
  wantsToRunTool: (name: string) => `${name} wants to run a tool`,
  allowToRun: (command: string) => `Allow it to run: ${command}`,
  waitingForAnswer: 'A reply is waiting for your answer',
  allow: 'Allow',
  deny: 'Deny',

  trayTooltip: (unread: number) => (unread <= 0 ? 'MioDesk' : `MioDesk — ${unread} unread message${unread === 1 ? '' : 's'}`),
  showApp: 'Show MioDesk',
  hideApp: 'Hide MioDesk',
  muteNotifications: 'Mute notifications',
  quitApp: 'Quit MioDesk',

  addToDictionary: 'Add to dictionary',
  openLink: 'Open link in browser',
  copyLink: 'Copy link',
  // Electron's role items carry built-in English labels whatever the app locale, so they get ours.
  cut: 'Cut',
  copy: 'Copy',
  paste: 'Paste',
  selectAll: 'Select All',

  keyringTitle: 'No system keyring',
  keyringMessage: 'MioDesk cannot find a system keyring to encrypt your access codes and passwords.',
  keyringDetail:
    'If you store them anyway, they are saved on this computer WITHOUT encryption: anyone who can read your files can sign in to your accounts.\n\n' +
    'If you keep them for this session only, you will have to sign in again the next time MioDesk starts.',
  keyringSessionOnly: 'Keep for this session only',
  keyringStorePlain: 'Store without encryption',

  dbDamagedTitle: 'The message database is damaged',
  dbDamagedMessage: 'MioDesk cannot use its message database.',
  dbDamagedDetail: (file: string, detail: string) =>
    `${detail}\n\nFile: ${file}\n\nYou can copy the error (to report it), move the damaged file aside and start with an empty history (the file is kept next to it, untouched), or quit.`,
  dbCopyError: 'Copy the error',
  dbStartFresh: 'Move it aside and start fresh',
  dbQuit: 'Quit',
  dbMovedTo: (to: string) => `The damaged database was moved to ${to}`,
  dbReadOnlyTitle: 'MioDesk cannot write its data',
  dbReadOnly: (file: string, detail: string) => `The message database cannot be written.\n\nFile: ${file}\nReason: ${detail}\n\nCheck that the folder exists, is yours and is not read-only (and that the disk is not full), then start MioDesk again.`
}

export type MainStrings = typeof en

// Same keys and the same shapes as English: a missing or extra key is a type error.
const zh: MainStrings = {
  appName: 'MioDesk',
  newMessage: '新消息',
  someone: 'AI',
  wantsToRunTool: (name) => `${name} 请求运行工具`,
  allowToRun: (command) => `是否允许执行：${command}`,
  waitingForAnswer: '有一条回复在等你确认',
  allow: '允许',
  deny: '拒绝',

  trayTooltip: (unread) => (unread <= 0 ? 'MioDesk' : `MioDesk — ${unread} 条未读消息`),
  showApp: '显示 MioDesk',
  hideApp: '隐藏 MioDesk',
  muteNotifications: '通知免打扰',
  quitApp: '退出 MioDesk',

  addToDictionary: '添加到词典',
  openLink: '在浏览器中打开链接',
  copyLink: '复制链接',
  cut: '剪切',
  copy: '复制',
  paste: '粘贴',
  selectAll: '全选',

  keyringTitle: '未找到系统密钥环',
  keyringMessage: 'MioDesk 找不到可用来加密访问码和密码的系统密钥环。',
  keyringDetail:
    '如果仍然保存，它们将以未加密的明文形式存放在这台电脑上：任何能读取你文件的人都能登录你的账号。\n\n' +
    '如果只在本次运行期间保留，下次启动 MioDesk 时需要重新登录。',
  keyringSessionOnly: '仅本次运行期间保留',
  keyringStorePlain: '不加密保存',

  dbDamagedTitle: '消息数据库已损坏',
  dbDamagedMessage: 'MioDesk 无法使用其消息数据库。',
  dbDamagedDetail: (file: string, detail: string) =>
    `${detail}\n\n文件：${file}\n\n你可以复制错误信息（用于反馈），把损坏的文件移到一旁并以空的聊天记录重新开始（该文件会原样保留在旁边），或者退出。`,
  dbCopyError: '复制错误信息',
  dbStartFresh: '移到一旁并重新开始',
  dbQuit: '退出',
  dbMovedTo: (to: string) => `损坏的数据库已移至 ${to}`,
  dbReadOnlyTitle: 'MioDesk 无法写入数据',
  dbReadOnly: (file: string, detail: string) => `无法写入消息数据库。\n\n文件：${file}\n原因：${detail}\n\n请确认该文件夹存在、属于你且不是只读的（磁盘也未满），然后重新启动 MioDesk。`
}

const TABLE: Record<AppLocale, MainStrings> = { en, 'zh-CN': zh }

export function mainStrings(locale: AppLocale): MainStrings {
  return TABLE[locale]
}

/** Preview labels for notifications: the renderer's words; a part of an unknown kind adds nothing. */
export function notificationPreviewLabels(locale: AppLocale): PreviewLabels {
  return { ...previewLabels(locale), unknown: () => '' }
}

/**
 * The system's languages as the main process sees them. `app.getLocale()` comes first: the renderer's
 * `navigator.languages` starts with it, so 'system' means the same language on both sides. The preferred
 * system languages are the fallback (getLocale is empty before `ready`).
 */
export function systemLanguages(): string[] {
  const out: string[] = []
  try {
    const locale = app.getLocale()
    if (locale) out.push(locale)
  } catch {
    // not ready, or not available here
  }
  if (out.length > 0) return out
  try {
    out.push(...app.getPreferredSystemLanguages())
  } catch {
    // not available here
  }
  return out
}

/** The language of the main process for a `Settings.locale` value. */
export function mainLocale(setting: LocaleSetting | undefined): AppLocale {
  return resolveLocale(setting, systemLanguages)
}
