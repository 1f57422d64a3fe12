/** Yunhu's media hosts (facts: docs/protocol/yunhu-media.md), shared by the core's media policy and the renderer's remote-media rule. */

/**
 * Every host MioDesk fetches Yunhu media from: the Referer-checking CDN hosts, plus the two the docs
 * name as not checking it (signed storage URLs, and the host large files redirect to).
 */
export const YUNHU_MEDIA_HOSTS: ReadonlySet<string> = new Set([
  'chat-img.jwznb.com',
  'chat-img2.jwznb.com',
  'chat-img3.jwznb.com',
  'chat-file.jwznb.com',
  'chat-audio1.jwznb.com',
  'chat-video1.jwznb.com',
  'chat-storage1.jwznb.com',
  'chat-file-oss.jwznb.com'
])
