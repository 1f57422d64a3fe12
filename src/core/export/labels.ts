/** The few words an exported file carries, in the UI's language. */
import type { AppLocale } from '../../shared/locale'

const EN = {
  exportedOn: 'Exported from MioDesk on {date}',
  messages: '{n} messages',
  me: 'Me',
  image: 'Image',
  imageMissing: 'Image (not available offline)',
  file: 'File',
  audio: 'Voice message',
  video: 'Video',
  sticker: 'Sticker',
  forwarded: 'Forwarded messages',
  quote: 'Reply to',
  recalled: 'This message was recalled',
  failed: 'Not sent',
  reasoning: 'Reasoning',
  tool: 'Tool',
  interrupted: 'The reply was interrupted',
  version: 'Version {n} of {m}',
  unknown: 'Unsupported content'
}
export type ExportLabels = typeof EN

const ZH: ExportLabels = {
  exportedOn: '由 MioDesk 导出于 {date}',
  messages: '{n} 条消息',
  me: '我',
  image: '图片',
  imageMissing: '图片（离线不可用）',
  file: '文件',
  audio: '语音消息',
  video: '视频',
  sticker: '表情',
  forwarded: '转发的消息',
  quote: '回复',
  recalled: '此消息已撤回',
  failed: '未发送',
  reasoning: '思考过程',
  tool: '工具',
  interrupted: '回复被中断',
  version: '第 {n} 版，共 {m} 版',
  unknown: '不支持的内容'
}

export function exportLabels(locale: AppLocale): ExportLabels {
  return locale === 'zh-CN' ? ZH : EN
}

export function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_m, k: string) => String(vars[k] ?? ''))
}
