import type { YunhuCodecErrorCode } from '../../../../shared/yunhu'

/** Which part of the input failed. */
export type CodecErrorPart = 'envelope' | 'payload' | 'body' | 'input'

/**
 * The only error the codec throws. Decoding garbage, truncated or hostile bytes always ends in a
 * CodecError (never a crash or a hang); encoding an object that does not fit the schema too.
 */
export class CodecError extends Error {
  override readonly name = 'CodecError'
  readonly code: YunhuCodecErrorCode
  /** Which part failed: the WS envelope, the WS payload, an HTTP body, or the (encode) input. */
  readonly part: CodecErrorPart
  /** Schema message name being decoded/encoded, e.g. "PushMessage". */
  readonly messageType: string
  /** For WS payload errors: info.cmd and info.seq of the frame (so the caller can log and skip). */
  readonly cmd?: string
  readonly seq?: string

  constructor(
    code: YunhuCodecErrorCode,
    message: string,
    opts: { part: CodecErrorPart; messageType: string; cmd?: string; seq?: string; cause?: unknown }
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.code = code
    this.part = opts.part
    this.messageType = opts.messageType
    if (opts.cmd !== undefined) this.cmd = opts.cmd
    if (opts.seq !== undefined) this.seq = opts.seq
  }
}

export function isCodecError(e: unknown): e is CodecError {
  return e instanceof CodecError
}
