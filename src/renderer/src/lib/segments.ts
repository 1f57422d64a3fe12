/** Pure helpers around message parts for the renderer: media URLs, sizes, composing. The message model itself
 * (parts, previews, plain text, forward nodes) is shared with the core: src/shared/model/parts.ts. */
import type { Segment } from '@shared/mio'

export { EN_PREVIEW, forwardNodes, htmlToText, mediaSource, messagePlainText, partOf, partsOf, previewMessage, previewSegments, previewTokens, renderPreview, str, stripMarkdown, type Part, type PreviewLabels, type PreviewToken } from '@shared/model/parts'

export { base64Size, formatBytes, resolveMediaUrl, serverHttpBase, sniffBase64Mime } from '@shared/model/media-values'

/** Initials for an avatar: first letter of up to two words, or first CJK character. */
const CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/

/**
 * An avatar's letters for a name: a Chinese/Japanese/Korean name's first character (also in a mixed name such
 * as "MioDesk 演示用户": 演, not M演); two words' first letters; one word's first letter. An address
 * ("alice@127.0.0.1:41677") counts by the part before "@", never by the host's digits.
 */
export function initials(name: string): string {
  let n = name.trim()
  if (!n) return '?'
  const at = n.indexOf('@')
  if (at > 0) n = n.slice(0, at)
  const words = n.split(/[\s_\-.]+/).filter(Boolean)
  const cjk = words.find((w) => CJK.test([...w][0]!))
  if (cjk) return [...cjk][0]!
  if (words.length >= 2 && /\p{L}/u.test(words[0]![0]!) && /\p{L}/u.test(words[1]![0]!)) return (words[0]![0]! + words[1]![0]!).toUpperCase()
  return [...n][0]!.toUpperCase()
}

/** A stable hue (0..359) for a name, for avatar colours. */
export function hueOf(key: string): number {
  let h = 0
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0
  return h % 360
}

/** Segments from a composer: optional reply, text, images. */
export function composeSegments(text: string, images: string[], replyTo?: string): Segment[] {
  const segs: Segment[] = []
  if (replyTo) segs.push({ type: 'reply', data: { id: replyTo } })
  if (text.trim()) segs.push({ type: 'text', data: { text } })
  for (const img of images) segs.push({ type: 'image', data: { file: img, image: img } })
  return segs
}

/** `data:image/png;base64,XXX` → `base64://XXX`. */
export function dataUrlToBase64Uri(dataUrl: string): string {
  const i = dataUrl.indexOf(',')
  return `base64://${i >= 0 ? dataUrl.slice(i + 1) : dataUrl}`
}
