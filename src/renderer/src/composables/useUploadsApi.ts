/**
 * API: files to send and stickers. A picked, pasted, dropped or recorded file goes to the core as bytes
 * (`media:stage`; the page never names a path), and its upload is followed through `upload` events.
 */
import type { MainEvents } from '@shared/api'
import type { StagedFile } from '@shared/media'
import { getApi } from '../api'

/** The largest file handed over in one call (the core refuses more: MAX_STAGE_BYTES). */
export const MAX_ATTACH_BYTES = 40 * 1024 * 1024

/** A Blob's bytes as base64, in slices (String.fromCharCode over a whole file would overflow the stack). */
export async function blobBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer())
  let bin = ''
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(bin)
}

const uploadsApi = {
  stage: async (blob: Blob, name: string): Promise<StagedFile> => getApi().call('media:stage', { name, ...(blob.type ? { mime: blob.type } : {}), base64: await blobBase64(blob) }),
  onUpload: (cb: (p: MainEvents['upload']) => void) => getApi().on('upload', cb),
  stickers: (accountId: string) => getApi().call('yunhu:stickers', accountId),
  saveSticker: (accountId: string, url: string) => getApi().call('yunhu:save-sticker', accountId, url)
}

export function useUploadsApi(): typeof uploadsApi {
  return uploadsApi
}
