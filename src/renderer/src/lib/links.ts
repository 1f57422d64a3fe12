/**
 * Links from messages, before they are opened: does the link say where it goes? A link whose text reads as a
 * different address than its target ("https://bank.example" pointing elsewhere), or whose host is an
 * internationalised name (which can look like another: "аpple.com" with a Cyrillic а), is opened only after the
 * user has seen the real host — in punycode, as the browser will dial it.
 */

/** The host the text of a link reads as, when the text looks like an address (else undefined). */
export function hostInText(text: string): string | undefined {
  const t = text.trim()
  if (!t || /\s/.test(t)) return undefined
  const m = /^(?:https?:\/\/)?([^/?#:@\s]+\.[^/?#:@\s]{2,})(?::\d+)?(?:[/?#].*)?$/i.exec(t)
  if (!m) return undefined
  try {
    return new URL(`http://${m[1]}`).hostname.replace(/^www\./, '')
  } catch {
    return undefined
  }
}

export interface LinkCheck {
  /** The target's host as it will be dialled (punycode for an internationalised name). */
  host: string
  /** Why the user should look first: the text names another host, or the host is internationalised. */
  reason?: 'mismatch' | 'idn'
  /** The host the text reads as (for `mismatch`). */
  textHost?: string
}

/** Checks an http(s) link against its visible text; undefined when it is not an http(s) URL. */
export function checkLink(href: string, text: string): LinkCheck | undefined {
  let url: URL
  try {
    url = new URL(href)
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  const host = url.hostname
  const bare = host.replace(/^www\./, '')
  const textHost = hostInText(text)
  if (textHost && textHost !== bare) return { host, reason: 'mismatch', textHost }
  if (host.split('.').some((label) => label.startsWith('xn--'))) return { host, reason: 'idn' }
  return { host }
}
