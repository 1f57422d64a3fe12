/**
 * User-facing error wording, written once: anything thrown in the core becomes one sentence a user
 * can read (never a stack trace). Protocol errors that know better words carry them: a
 * TransportError's message is already a sentence; any error may offer `userMessage()`.
 */
import { TransportError, errorMessage } from './transport/errors'

export interface UserFacingError {
  userMessage(): string
}

function isUserFacing(e: unknown): e is UserFacingError {
  return !!e && typeof e === 'object' && typeof (e as Partial<UserFacingError>).userMessage === 'function'
}

/** A message fit for a user from anything thrown by the core. */
export function friendlyError(e: unknown): string {
  if (isUserFacing(e)) return errorMessage(e.userMessage())
  if (e instanceof TransportError) return e.message
  return errorMessage(e)
}
