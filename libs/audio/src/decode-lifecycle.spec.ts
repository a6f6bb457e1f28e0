import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decode, decodeAll, decodeFile } from './decode';
import { AudioError } from './errors';
import { probe } from './probe';
import { ffmpegSync, makeTmpDir, toneInput } from './spec-helpers';

const tmp = makeTmpDir('audio-lifecycle');
const long = join(tmp.dir, 'long.wav');
const short = join(tmp.dir, 'short.wav');

beforeAll(() => {
  // 60 s of 48 kHz stereo 16-bit: 11 MB, 23 MB as f32 in the pipe: far more than the pipe buffers.
  ffmpegSync([...toneInput(48000, 60, 2), '-c:a', 'pcm_s16le', long]);
  ffmpegSync([...toneInput(48000, 1, 2), '-c:a', 'pcm_s16le', short]);
}, 30_000);

afterAll(() => tmp.cleanup());

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function catchError(run: () => Promise<unknown>): Promise<AudioError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof AudioError) return error;
    throw error;
  }
  throw new Error('expected an AudioError');
}

describe('decode process lifecycle', () => {
  it('applies backpressure: ffmpeg waits while the consumer does not read', async () => {
    const stream = decode(long, { blockFrames: 4096, direct: false });
    const it = stream[Symbol.asyncIterator]();
    await it.next();
    await sleep(400);
    // Decoding 60 s takes ffmpeg ~50 ms unobstructed; still running means it is blocked on the pipe.
    expect(stream.running).toBe(true);
    await it.return?.();
    expect(stream.running).toBe(false);
  });

  it('kills ffmpeg when the consumer breaks out of for-await', async () => {
    const stream = decode(long, { blockFrames: 4096, direct: false });
    let pid: number | undefined;
    for await (const block of stream) {
      expect(block.frames).toBe(4096);
      pid = stream.pid;
      break;
    }
    expect(pid).toBeDefined();
    expect(alive(pid!)).toBe(false);
    expect(stream.report).toBeUndefined();
  });

  it('kills ffmpeg and rejects with "aborted" when the signal fires mid-stream', async () => {
    const controller = new AbortController();
    const stream = decode(long, { blockFrames: 4096, signal: controller.signal, direct: false });
    let blocks = 0;
    const error = await catchError(async () => {
      for await (const _ of stream) {
        if (++blocks === 2) controller.abort(new Error('user cancelled'));
      }
    });
    expect(error.code).toBe('aborted');
    expect(alive(stream.pid!)).toBe(false);
  });

  it('rejects with "aborted" when the signal fires while a WAV is read directly', async () => {
    const controller = new AbortController();
    const stream = decode(long, { blockFrames: 4096, signal: controller.signal });
    let blocks = 0;
    const error = await catchError(async () => {
      for await (const _ of stream) {
        if (++blocks === 2) controller.abort(new Error('user cancelled'));
      }
    });
    expect(error.code).toBe('aborted');
    expect(blocks).toBe(2);
    expect(stream.pid).toBeUndefined();
  });

  it('rejects at once with "aborted" when the signal has already fired', async () => {
    const error = await catchError(() => decodeAll(short, { signal: AbortSignal.abort() }));
    expect(error.code).toBe('aborted');
  });

  it('kills a stalled ffmpeg ("timeout") when nothing arrives within stallTimeoutMs', async () => {
    // A FIFO nobody writes to: ffmpeg blocks forever opening it (a FIFO is never read directly).
    const fifo = join(tmp.dir, 'stalled.wav');
    execFileSync('mkfifo', [fifo]);
    const known = await probe(short);
    const stream = decode(fifo, { probe: known, stallTimeoutMs: 300 });
    const started = Date.now();
    const error = await catchError(async () => {
      for await (const _ of stream) void _;
    });
    expect(error.code).toBe('timeout');
    expect(error.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(alive(stream.pid!)).toBe(false);
  });

  it('does not count the time the consumer spends on a block as a stall', async () => {
    let blocks = 0;
    const { report } = await decodeFile(short, { blockFrames: 16384, stallTimeoutMs: 200 }, async () => {
      blocks++;
      await sleep(300);
    });
    expect(blocks).toBe(3);
    expect(report.frames).toBe(48000);
  });

  it('kills a hanging ffprobe at its timeout', async () => {
    const fake = join(tmp.dir, 'hang.sh');
    writeFileSync(fake, '#!/bin/sh\nexec sleep 30\n');
    chmodSync(fake, 0o755);
    const error = await catchError(() => probe(short, { ffprobePath: fake, timeoutMs: 300 }));
    expect(error.code).toBe('timeout');
    expect(error.command).toContain('hang.sh');
  });

  it('reports a missing binary as "ffmpeg-missing"', async () => {
    const error = await catchError(() => probe(short, { ffprobePath: join(tmp.dir, 'no-such-ffprobe') }));
    expect(error.code).toBe('ffmpeg-missing');
  });

  it('refuses to iterate the same stream twice', async () => {
    const stream = decode(short);
    for await (const _ of stream) void _;
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/once/);
  });

  it('rejects an out-of-range blockFrames with RangeError', () => {
    expect(() => decode(short, { blockFrames: 0 })).toThrow(RangeError);
  });
});
