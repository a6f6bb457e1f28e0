/**
 * Reads the headers of uncompressed PCM containers ourselves: RIFF/WAVE (with BWF bext, RF64/BW64
 * ds64, WAVE_FORMAT_EXTENSIBLE) and AIFF/AIFC. ffmpeg silently clamps a data chunk to the bytes
 * present, so only the header tells a truncated file (declares more than it holds) from a short
 * one. Also rewrites ffmpeg's WAVE_FORMAT_EXTENSIBLE header into plain WAVE_FORMAT_PCM /
 * WAVE_FORMAT_IEEE_FLOAT in place (ffmpeg 5.1 writes EXTENSIBLE for anything above 16 bits or
 * 48 kHz; delivery specs such as Spotify's refuse it).
 * References: Microsoft RIFF/WAVE and WAVEFORMATEXTENSIBLE docs; EBU Tech 3285 (bext); EBU Tech
 * 3306 (RF64); Apple AIFF 1.3 / AIFF-C.
 */
import { open, type FileHandle } from 'node:fs/promises';

export type PcmContainer = 'riff' | 'rf64' | 'bw64' | 'aiff' | 'aifc';

/** Problems found in the header; stable strings. */
export type PcmHeaderIssue =
  | 'riff-size-mismatch'
  | 'data-size-exceeds-file'
  | 'data-size-not-block-aligned'
  | 'chunk-overruns-file'
  | 'no-format-chunk'
  | 'no-data-chunk'
  | 'block-align-mismatch'
  | 'zero-channels-or-rate';

export interface PcmHeaderChunk {
  readonly id: string;
  readonly offset: number;
  /** Declared payload size. */
  readonly size: number;
}

export interface PcmHeaderInfo {
  readonly container: PcmContainer;
  readonly fileBytes: number;
  /** WAV: the wFormatTag (1 PCM, 3 IEEE float, 0xFFFE EXTENSIBLE, ...). AIFF: null. */
  readonly formatTag: number | null;
  readonly extensible: boolean;
  /** EXTENSIBLE: first two bytes of the SubFormat GUID (1 PCM, 3 float); AIFC: compression type. */
  readonly subFormat: number | string | null;
  readonly channels: number;
  readonly sampleRate: number;
  /** Container bits per sample. */
  readonly bitsPerSample: number;
  /** EXTENSIBLE wValidBitsPerSample; null when absent. */
  readonly validBitsPerSample: number | null;
  readonly channelMask: number | null;
  readonly blockAlign: number;
  readonly dataOffset: number | null;
  /** What the header says the audio data takes (ds64 for RF64). */
  readonly declaredDataBytes: number | null;
  /** What the file actually holds of it. */
  readonly availableDataBytes: number | null;
  readonly declaredFrames: number | null;
  readonly availableFrames: number | null;
  readonly hasBext: boolean;
  readonly chunks: readonly PcmHeaderChunk[];
  readonly issues: readonly PcmHeaderIssue[];
}

const MAX_CHUNKS = 4096;

/** Returns null when the file is not RIFF/RF64/BW64 WAVE or AIFF/AIFC. */
export async function readPcmHeader(file: string): Promise<PcmHeaderInfo | null> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const head = await readAt(fh, 0, 12);
    if (head.length < 12) return null;
    const magic = head.toString('latin1', 0, 4);
    const form = head.toString('latin1', 8, 12);
    if ((magic === 'RIFF' || magic === 'RF64' || magic === 'BW64') && form === 'WAVE') {
      return await readWave(fh, size, magic === 'RIFF' ? 'riff' : magic === 'RF64' ? 'rf64' : 'bw64', head);
    }
    if (magic === 'FORM' && (form === 'AIFF' || form === 'AIFC')) {
      return await readAiff(fh, size, form === 'AIFF' ? 'aiff' : 'aifc', head);
    }
    return null;
  } finally {
    await fh.close();
  }
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

interface MutableInfo {
  formatTag: number | null;
  extensible: boolean;
  subFormat: number | string | null;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  validBitsPerSample: number | null;
  channelMask: number | null;
  blockAlign: number;
  dataOffset: number | null;
  declaredDataBytes: number | null;
  hasBext: boolean;
  sawFormat: boolean;
}

function emptyInfo(): MutableInfo {
  return {
    formatTag: null,
    extensible: false,
    subFormat: null,
    channels: 0,
    sampleRate: 0,
    bitsPerSample: 0,
    validBitsPerSample: null,
    channelMask: null,
    blockAlign: 0,
    dataOffset: null,
    declaredDataBytes: null,
    hasBext: false,
    sawFormat: false,
  };
}

async function readWave(
  fh: FileHandle,
  fileBytes: number,
  container: PcmContainer,
  head: Buffer,
): Promise<PcmHeaderInfo> {
  const issues = new Set<PcmHeaderIssue>();
  const chunks: PcmHeaderChunk[] = [];
  const info = emptyInfo();
  const riffSize32 = head.readUInt32LE(4);
  let riffSize: number | null = riffSize32 === 0xffffffff ? null : riffSize32;
  let ds64Data: number | null = null;
  let offset = 12;
  while (offset + 8 <= fileBytes && chunks.length < MAX_CHUNKS) {
    const hdr = await readAt(fh, offset, 8);
    if (hdr.length < 8) break;
    const id = hdr.toString('latin1', 0, 4);
    let size = hdr.readUInt32LE(4);
    const payload = offset + 8;
    if (id === 'ds64') {
      const ds = await readAt(fh, payload, Math.min(size, 24));
      if (ds.length >= 16) {
        riffSize = Number(ds.readBigUInt64LE(0));
        ds64Data = Number(ds.readBigUInt64LE(8));
      }
    } else if (id === 'fmt ') {
      await readWaveFormat(fh, payload, size, info);
    } else if (id === 'bext') {
      info.hasBext = true;
    } else if (id === 'data') {
      if (size === 0xffffffff && ds64Data !== null) size = ds64Data;
      info.dataOffset = payload;
      info.declaredDataBytes = size;
    }
    chunks.push({ id, offset, size });
    const end = payload + size + (size & 1);
    if (payload + size > fileBytes) {
      issues.add(id === 'data' ? 'data-size-exceeds-file' : 'chunk-overruns-file');
      break;
    }
    offset = end;
  }
  if (riffSize !== null && riffSize + 8 !== fileBytes) issues.add('riff-size-mismatch');
  return finish(container, fileBytes, info, chunks, issues);
}

async function readWaveFormat(
  fh: FileHandle,
  payload: number,
  size: number,
  info: MutableInfo,
): Promise<void> {
  const fmt = await readAt(fh, payload, Math.min(size, 40));
  if (fmt.length < 16) return;
  info.sawFormat = true;
  info.formatTag = fmt.readUInt16LE(0);
  info.channels = fmt.readUInt16LE(2);
  info.sampleRate = fmt.readUInt32LE(4);
  info.blockAlign = fmt.readUInt16LE(12);
  info.bitsPerSample = fmt.readUInt16LE(14);
  if (info.formatTag === 0xfffe && fmt.length >= 40) {
    info.extensible = true;
    info.validBitsPerSample = fmt.readUInt16LE(18);
    info.channelMask = fmt.readUInt32LE(20);
    info.subFormat = fmt.readUInt16LE(24);
  }
}

async function readAiff(
  fh: FileHandle,
  fileBytes: number,
  container: PcmContainer,
  head: Buffer,
): Promise<PcmHeaderInfo> {
  const issues = new Set<PcmHeaderIssue>();
  const chunks: PcmHeaderChunk[] = [];
  const info = emptyInfo();
  let declaredFrames: number | null = null;
  const formSize = head.readUInt32BE(4);
  let offset = 12;
  while (offset + 8 <= fileBytes && chunks.length < MAX_CHUNKS) {
    const hdr = await readAt(fh, offset, 8);
    if (hdr.length < 8) break;
    const id = hdr.toString('latin1', 0, 4);
    const size = hdr.readUInt32BE(4);
    const payload = offset + 8;
    if (id === 'COMM') {
      const comm = await readAt(fh, payload, Math.min(size, 26));
      if (comm.length >= 18) {
        info.sawFormat = true;
        info.channels = comm.readUInt16BE(0);
        declaredFrames = comm.readUInt32BE(2);
        info.bitsPerSample = comm.readUInt16BE(6);
        info.sampleRate = Math.round(readExtended(comm, 8));
        info.blockAlign = info.channels * Math.ceil(info.bitsPerSample / 8);
        if (container === 'aifc' && comm.length >= 22) {
          info.subFormat = comm.toString('latin1', 18, 22);
          // fl32/fl64 store 32/64-bit floats whatever sampleSize says.
          if (info.subFormat === 'fl32' || info.subFormat === 'FL32') info.blockAlign = info.channels * 4;
          if (info.subFormat === 'fl64' || info.subFormat === 'FL64') info.blockAlign = info.channels * 8;
        }
      }
    } else if (id === 'SSND') {
      const ssnd = await readAt(fh, payload, 8);
      const dataOffset = ssnd.length >= 4 ? ssnd.readUInt32BE(0) : 0;
      info.dataOffset = payload + 8 + dataOffset;
      info.declaredDataBytes = Math.max(0, size - 8 - dataOffset);
    }
    chunks.push({ id, offset, size });
    if (payload + size > fileBytes) {
      issues.add(id === 'SSND' ? 'data-size-exceeds-file' : 'chunk-overruns-file');
      break;
    }
    offset = payload + size + (size & 1);
  }
  if (formSize + 8 !== fileBytes) issues.add('riff-size-mismatch');
  const result = finish(container, fileBytes, info, chunks, issues);
  // AIFF declares its length in COMM (frames), not only through the SSND size.
  if (declaredFrames !== null && result.declaredFrames !== null && declaredFrames > result.declaredFrames) {
    return {
      ...result,
      declaredFrames,
      issues: [...new Set([...result.issues, 'data-size-exceeds-file' as const])],
    };
  }
  return declaredFrames !== null && result.declaredFrames === null ? { ...result, declaredFrames } : result;
}

/** IEEE 754 80-bit extended, big-endian (AIFF sample rate). */
function readExtended(buf: Buffer, at: number): number {
  const exponent = buf.readUInt16BE(at) & 0x7fff;
  const sign = buf.readUInt16BE(at) & 0x8000 ? -1 : 1;
  const hi = buf.readUInt32BE(at + 2);
  const lo = buf.readUInt32BE(at + 6);
  if (exponent === 0 && hi === 0 && lo === 0) return 0;
  return sign * (hi * 2 ** (exponent - 16383 - 31) + lo * 2 ** (exponent - 16383 - 63));
}

function finish(
  container: PcmContainer,
  fileBytes: number,
  info: MutableInfo,
  chunks: PcmHeaderChunk[],
  issues: Set<PcmHeaderIssue>,
): PcmHeaderInfo {
  if (!info.sawFormat) issues.add('no-format-chunk');
  if (info.dataOffset === null) issues.add('no-data-chunk');
  if (info.sawFormat && (info.channels === 0 || info.sampleRate === 0)) issues.add('zero-channels-or-rate');
  const isWave = container === 'riff' || container === 'rf64' || container === 'bw64';
  if (
    isWave &&
    info.sawFormat &&
    isLinearPcmTag(info) &&
    info.blockAlign !== (info.channels * info.bitsPerSample) / 8
  ) {
    issues.add('block-align-mismatch');
  }
  let available: number | null = null;
  let declaredFrames: number | null = null;
  let availableFrames: number | null = null;
  if (info.dataOffset !== null && info.declaredDataBytes !== null) {
    available = Math.max(0, Math.min(info.declaredDataBytes, fileBytes - info.dataOffset));
    if (info.blockAlign > 0) {
      if (info.declaredDataBytes % info.blockAlign !== 0) issues.add('data-size-not-block-aligned');
      declaredFrames = Math.floor(info.declaredDataBytes / info.blockAlign);
      availableFrames = Math.floor(available / info.blockAlign);
    }
  }
  return {
    container,
    fileBytes,
    formatTag: info.formatTag,
    extensible: info.extensible,
    subFormat: info.subFormat,
    channels: info.channels,
    sampleRate: info.sampleRate,
    bitsPerSample: info.bitsPerSample,
    validBitsPerSample: info.validBitsPerSample,
    channelMask: info.channelMask,
    blockAlign: info.blockAlign,
    dataOffset: info.dataOffset,
    declaredDataBytes: info.declaredDataBytes,
    availableDataBytes: available,
    declaredFrames,
    availableFrames,
    hasBext: info.hasBext,
    chunks,
    issues: [...issues],
  };
}

function isLinearPcmTag(info: MutableInfo): boolean {
  const tag = info.extensible ? info.subFormat : info.formatTag;
  return tag === 1 || tag === 3;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
/** Speaker masks that a plain WAVEFORMATEX implies: none, FRONT_CENTER (mono), FL|FR (stereo). */
const IMPLIED_MASKS: Readonly<Record<number, readonly number[]>> = Object.freeze({
  1: [0, 0x4],
  2: [0, 0x3],
});

/**
 * Rewrites a WAVE_FORMAT_EXTENSIBLE fmt chunk into WAVEFORMATEX with tag 1 (PCM) or 3 (float), in
 * place: the 40-byte chunk becomes a 16-byte (PCM) or 18-byte (float, cbSize 0) fmt chunk followed
 * by a JUNK chunk filling the rest, so no audio byte moves. Only when nothing is lost: 1 or 2
 * channels with the implied speaker mask, valid bits = container bits, PCM or float subformat.
 * Returns true when the file was rewritten.
 */
export async function rewriteAsPlainWaveFormat(file: string): Promise<boolean> {
  const header = await readPcmHeader(file);
  if (!header || header.container === 'aiff' || header.container === 'aifc' || !header.extensible)
    return false;
  const fmtChunk = header.chunks.find((c) => c.id === 'fmt ');
  if (!fmtChunk || fmtChunk.size !== 40) return false;
  const implied = IMPLIED_MASKS[header.channels];
  if (!implied || !implied.includes(header.channelMask ?? -1)) return false;
  if (
    header.validBitsPerSample !== null &&
    header.validBitsPerSample !== 0 &&
    header.validBitsPerSample !== header.bitsPerSample
  ) {
    return false;
  }
  const tag = header.subFormat;
  if (tag !== WAVE_FORMAT_PCM && tag !== WAVE_FORMAT_IEEE_FLOAT) return false;
  const fmtBytes = tag === WAVE_FORMAT_PCM ? 16 : 18;
  const chunk = Buffer.alloc(8 + 40);
  chunk.write('fmt ', 0, 'latin1');
  chunk.writeUInt32LE(fmtBytes, 4);
  chunk.writeUInt16LE(tag, 8);
  chunk.writeUInt16LE(header.channels, 10);
  chunk.writeUInt32LE(header.sampleRate, 12);
  chunk.writeUInt32LE(header.sampleRate * header.blockAlign, 16);
  chunk.writeUInt16LE(header.blockAlign, 20);
  chunk.writeUInt16LE(header.bitsPerSample, 22);
  // cbSize = 0 for float (chunk already zero-filled); then JUNK over the remaining bytes.
  const junkAt = 8 + fmtBytes;
  chunk.write('JUNK', junkAt, 'latin1');
  chunk.writeUInt32LE(48 - junkAt - 8, junkAt + 4);
  const fh = await open(file, 'r+');
  try {
    await fh.write(chunk, 0, chunk.length, fmtChunk.offset);
  } finally {
    await fh.close();
  }
  return true;
}
