import { open, rm, type FileHandle } from 'node:fs/promises';

/**
 * A temporary file of planar float blocks: the pre-gain signal is computed once (decode, filters,
 * SRC) and read back for every render pass, so that passes cost a disk read instead of a decode and
 * a resampling. Layout per block: uint32 frame count, then each channel's float32 samples (the
 * platform's byte order: the file never leaves this process).
 */
export class SpoolWriter {
  private handle: FileHandle | null = null;
  private frames = 0;

  constructor(
    readonly file: string,
    readonly channels: number,
  ) {}

  get totalFrames(): number {
    return this.frames;
  }

  async write(block: readonly Float32Array[]): Promise<void> {
    const n = block[0].length;
    if (n === 0) return;
    this.handle ??= await open(this.file, 'w');
    const head = Buffer.alloc(4);
    head.writeUInt32LE(n, 0);
    const parts = [head, ...block.map((c) => Buffer.from(c.buffer, c.byteOffset, n * 4))];
    await this.handle.writev(parts);
    this.frames += n;
  }

  async close(): Promise<void> {
    if (!this.handle) this.handle = await open(this.file, 'w');
    await this.handle.close();
  }
}

/** Reads a spool back as fresh planar blocks (the caller may change them in place). */
export async function* readSpool(file: string, channels: number): AsyncGenerator<Float32Array[]> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(4);
    for (;;) {
      const { bytesRead } = await handle.read(head, 0, 4, null);
      if (bytesRead === 0) return;
      if (bytesRead !== 4) throw new Error(`spool ${file} is truncated`);
      const n = head.readUInt32LE(0);
      const data = new Float32Array(n * channels);
      const bytes = Buffer.from(data.buffer);
      for (let at = 0; at < bytes.length;) {
        const got = await handle.read(bytes, at, bytes.length - at, null);
        if (got.bytesRead === 0) throw new Error(`spool ${file} is truncated`);
        at += got.bytesRead;
      }
      yield Array.from({ length: channels }, (_, c) => data.subarray(c * n, (c + 1) * n));
    }
  } finally {
    await handle.close();
  }
}

export async function removeSpool(file: string): Promise<void> {
  await rm(file, { force: true });
}
