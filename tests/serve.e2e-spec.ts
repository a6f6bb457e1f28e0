import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toneWav } from '../libs/testing/src/audio-fixtures';
import { freePort, REPO_ROOT, type ProcessLine } from '../libs/testing/src/process-line';
import { submit, waitForRelease } from './helpers';

jest.setTimeout(120_000);

// `pressline serve` on the embedded default: the gateway and every stage in one process, an
// in-memory bus and a local folder store; downloads go through the gateway's signed links.
describe('pressline serve (embedded)', () => {
  let child: ChildProcess;
  let api: Pick<ProcessLine, 'api' | 'url'>;

  beforeAll(async () => {
    const port = await freePort();
    const data = mkdtempSync(join(tmpdir(), 'serve-'));
    child = spawn(join(REPO_ROOT, 'bin', 'pressline'), ['serve', '--port', String(port)], {
      env: {
        ...process.env,
        PRESSLINE_MODE: 'embedded',
        PRESSLINE_DATA_DIR: data,
        PRESSLINE_API_KEYS: 'solo:key-solo-123',
        LOG_LEVEL: 'warn',
        KAFKA_BROKERS: '',
        S3_ENDPOINT: '',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const url = `http://127.0.0.1:${port}`;
    api = {
      url,
      async api<T>(method: string, path: string, key: string, body?: unknown) {
        const res = await fetch(`${url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${key}`,
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body: body !== undefined ? JSON.stringify(body) : undefined,
        });
        const text = await res.text();
        return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
      },
    };
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error('pressline serve did not become ready');
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('takes a release over HTTP to a package that downloads through signed links', async () => {
    const release = await submit(
      api as ProcessLine,
      'key-solo-123',
      { title: 'Solo', artist: 'One', tracks: [{ title: 'Only', fileName: 'only.wav' }] },
      [[toneWav(2)]],
      'api',
    );
    const done = await waitForRelease(api as ProcessLine, 'key-solo-123', release.releaseId);
    expect(done.state).toBe('completed');
    const artifacts = (
      await api.api<{ artifacts: Array<{ path: string; url: string }> }>(
        'GET',
        `/v1/releases/${release.releaseId}/artifacts`,
        'key-solo-123',
      )
    ).body.artifacts;
    const manifest = artifacts.find((a) => a.path === 'package/manifest.json')!;
    expect(manifest.url.startsWith(`${api.url}/v1/downloads/`)).toBe(true);
    const body = (await (await fetch(manifest.url)).json()) as { files: Array<{ path: string }> };
    expect(body.files.map((f) => f.path)).toEqual(['tracks/01-Only.flac']);
  });
});
