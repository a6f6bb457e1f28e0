/**
 * Stable error codes carried by failed steps. Other people's tools read them: never rename one.
 * `retryable` says whether trying again can help.
 */
export const ERROR_CODES = {
  // input
  'not-audio': { retryable: false, summary: 'the file is not audio' },
  'empty-file': { retryable: false, summary: 'the file is empty' },
  'truncated-or-corrupt': { retryable: false, summary: 'the audio is truncated or corrupt' },
  'too-short': { retryable: false, summary: 'the audio is too short' },
  'too-long': { retryable: false, summary: 'the audio is too long' },
  'file-too-large': { retryable: false, summary: 'the file is too large' },
  'unsupported-format': { retryable: false, summary: 'the audio format is not supported' },
  'unsupported-channel-layout': { retryable: false, summary: 'the channel layout is not supported' },
  'unsupported-sample-rate': { retryable: false, summary: 'the sample rate is not supported' },
  'invalid-isrc': { retryable: false, summary: 'the ISRC is malformed' },
  'invalid-upc': { retryable: false, summary: 'the UPC/EAN is malformed or its check digit is wrong' },
  'invalid-metadata': { retryable: false, summary: 'the metadata is invalid' },
  'missing-upload': { retryable: false, summary: 'the audio was never uploaded' },
  // processing
  'invalid-message': { retryable: false, summary: 'the message could not be parsed' },
  cancelled: { retryable: false, summary: 'the release was cancelled' },
  'target-not-met': { retryable: false, summary: 'the deliverable misses its target' },
  'processing-failed': { retryable: false, summary: 'processing failed' },
  // infrastructure
  'storage-unavailable': { retryable: true, summary: 'the artifact store did not answer' },
  transient: { retryable: true, summary: 'a transient failure' },
  internal: { retryable: true, summary: 'an unexpected internal error' },
  'retries-exhausted': { retryable: false, summary: 'the step kept failing after every retry' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}
