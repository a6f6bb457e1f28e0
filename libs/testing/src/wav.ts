/**
 * Minimal RIFF/WAVE writer and reader for tests: builds known-answer signals on disk without
 * ffmpeg, and reads the official EBU files. PCM 16/24/32-bit and IEEE float 32-bit;
 * WAVE_FORMAT_EXTENSIBLE on request.
 */
export type WavSampleFormat = 'int16' | 'int24' | 'int32' | 'float32';

export interface WavData {
  sampleRate: number;
  /** Planar samples, one array per channel, nominal range [-1, 1). */
  channels: Float32Array[];
}

export interface WavWriteOptions {
  format?: WavSampleFormat;
  extensible?: boolean;
  /** Dither-free rounding is used; values outside [-1, 1) are clipped. */
}

const BYTES: Record<WavSampleFormat, number> = { int16: 2, int24: 3, int32: 4, float32: 4 };

export function encodeWav(data: WavData, options: WavWriteOptions = {}): Buffer {
  const format = options.format ?? 'int16';
  const nch = data.channels.length;
  const frames = nch ? data.channels[0].length : 0;
  const bps = BYTES[format];
  const dataBytes = frames * nch * bps;
  const fmtBytes = options.extensible ? 40 : 16;
  const buf = Buffer.alloc(12 + 8 + fmtBytes + 8 + dataBytes);
  let o = 0;
  buf.write('RIFF', o);
  buf.writeUInt32LE(buf.length - 8, o + 4);
  buf.write('WAVE', o + 8);
  o = 12;
  buf.write('fmt ', o);
  buf.writeUInt32LE(fmtBytes, o + 4);
  const tag = format === 'float32' ? 3 : 1;
  buf.writeUInt16LE(options.extensible ? 0xfffe : tag, o + 8);
  buf.writeUInt16LE(nch, o + 10);
  buf.writeUInt32LE(data.sampleRate, o + 12);
  buf.writeUInt32LE(data.sampleRate * nch * bps, o + 16);
  buf.writeUInt16LE(nch * bps, o + 20);
  buf.writeUInt16LE(bps * 8, o + 22);
  if (options.extensible) {
    buf.writeUInt16LE(22, o + 24);
    buf.writeUInt16LE(bps * 8, o + 26);
    buf.writeUInt32LE(nch === 2 ? 3 : nch === 1 ? 4 : 0, o + 28);
    // KSDATAFORMAT_SUBTYPE_PCM / IEEE_FLOAT GUID: tag + 0000-0010-8000-00aa00389b71
    buf.writeUInt16LE(tag, o + 32);
    Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]).copy(
      buf,
      o + 34,
    );
  }
  o += 8 + fmtBytes;
  buf.write('data', o);
  buf.writeUInt32LE(dataBytes, o + 4);
  o += 8;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < nch; c++) {
      const x = data.channels[c][i];
      switch (format) {
        case 'int16':
          buf.writeInt16LE(quantise(x, 32768), o);
          break;
        case 'int24':
          buf.writeIntLE(quantise(x, 8388608), o, 3);
          break;
        case 'int32':
          buf.writeInt32LE(quantise(x, 2147483648), o);
          break;
        case 'float32':
          buf.writeFloatLE(x, o);
          break;
      }
      o += bps;
    }
  }
  return buf;
}

function quantise(x: number, scale: number): number {
  const v = Math.round(x * scale);
  return v >= scale ? scale - 1 : v < -scale ? -scale : v;
}

export function decodeWav(buf: Buffer): WavData {
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let o = 12;
  let tag = 0;
  let nch = 0;
  let sampleRate = 0;
  let bits = 0;
  while (o + 8 <= buf.length) {
    const id = buf.toString('ascii', o, o + 4);
    const size = buf.readUInt32LE(o + 4);
    const body = o + 8;
    if (id === 'fmt ') {
      tag = buf.readUInt16LE(body);
      nch = buf.readUInt16LE(body + 2);
      sampleRate = buf.readUInt32LE(body + 4);
      bits = buf.readUInt16LE(body + 14);
      if (tag === 0xfffe) tag = buf.readUInt16LE(body + 24);
    } else if (id === 'data') {
      const bps = bits / 8;
      const end = Math.min(buf.length, body + size);
      const frames = Math.floor((end - body) / (bps * nch));
      const channels = Array.from({ length: nch }, () => new Float32Array(frames));
      let p = body;
      for (let i = 0; i < frames; i++) {
        for (let c = 0; c < nch; c++) {
          let v: number;
          if (tag === 3) v = bits === 64 ? buf.readDoubleLE(p) : buf.readFloatLE(p);
          else if (bits === 16) v = buf.readInt16LE(p) / 32768;
          else if (bits === 24) v = buf.readIntLE(p, 3) / 8388608;
          else if (bits === 32) v = buf.readInt32LE(p) / 2147483648;
          else if (bits === 8) v = (buf.readUInt8(p) - 128) / 128;
          else throw new Error(`unsupported bit depth ${bits}`);
          channels[c][i] = v;
          p += bps;
        }
      }
      return { sampleRate, channels };
    }
    o = body + size + (size & 1);
  }
  throw new Error('no data chunk');
}
