/**
 * The two access codes of a Mio-Chat server: the admin code logs in as admin, the user code as a plain
 * user. Every generation (spec `/api/gateway`, v2 Socket.IO) decides who a client is here.
 */
import { createHash, timingSafeEqual } from 'node:crypto'

export interface AccessCodes {
  adminCode: string
  userCode: string
}

export type AccessLevel = 'admin' | 'user'

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest()
}

/** Constant-time comparison of two codes (of any lengths). */
export function sameCode(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b))
}

/** Who a code (a string, or a number as some clients send it) logs in as; undefined for a wrong or empty one. */
export function accessLevel(code: unknown, codes: AccessCodes): AccessLevel | undefined {
  const text = typeof code === 'string' ? code : typeof code === 'number' && Number.isFinite(code) ? String(code) : ''
  if (text === '') return undefined
  if (sameCode(text, codes.adminCode)) return 'admin'
  if (sameCode(text, codes.userCode)) return 'user'
  return undefined
}
