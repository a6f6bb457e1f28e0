import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { verifyWebhook } from '../libs/releases/src/webhooks';
import { corruptFlac, convertWav, toneWav } from '../libs/testing/src/audio-fixtures';
import { ProcessLine, REPO_ROOT } from '../libs/testing/src/process-line';
import { submit, waitFor, waitForRelease, type ReleaseView } from './helpers';

jest.setTimeout(240_000);

const A = 'key-tenant-a';
const B = 'key-tenant-b';

interface Received {
  body: string;
  signature: string;
  parsed: { type: string; releaseId: string; trackId?: string };
}

describe('the distributed line: five services and the gateway as separate processes on Kafka and S3', () => {
  let line: ProcessLine;
  let hooks: Server;
  let hookUrl: string;
  const received: Received[] = [];

  beforeAll(async () => {
    hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({
          body,
          signature: String(req.headers['pressline-signature'] ?? ''),
          parsed: JSON.parse(body) as Received['parsed'],
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    const address = hooks.address();
    hookUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hooks`;
    line = await ProcessLine.create();
    await line.startAll();
  });

  afterAll(async () => {
    await line?.stopAll();
    await new Promise((r) => hooks?.close(r));
  });

  it('takes a three-track release submitted over HTTP through all five services into a checked package', async () => {
    const stemDrums = toneWav(3, { hz: 110, db: -14 });
    const stemKeys = toneWav(3, { hz: 660, db: -18 });
    const release = await submit(
      line,
      A,
      {
        title: 'Three & Easy <EP>',
        artist: 'Ensemble "Q"',
        upc: '036000291452',
        tracks: [
          { title: 'One', isrc: 'US-RC1-76-07839', fileName: 'one.wav' },
          { title: 'Two', fileName: 'two.flac' },
          {
            title: 'Three (stems)',
            stems: [
              { name: 'drums', fileName: 'drums.wav' },
              { name: 'keys', fileName: 'keys.wav', gainDb: -3 },
            ],
          },
        ],
        webhook: { url: hookUrl },
      },
      [
        [toneWav(3, { format: 'int24' })],
        [convertWav(toneWav(3, { hz: 220 }), 'flac')],
        [stemDrums, stemKeys],
      ],
    );
    const done = await waitForRelease(line, A, release.releaseId);
    expect(done.state).toBe('completed');
    for (const t of done.tracks) {
      expect(t.state).toBe('succeeded');
      for (const step of t.route) expect(t.steps[step]?.state).toBe('succeeded');
    }
    expect(done.tracks[2].route).toEqual(['ingest', 'analysis', 'mixing', 'mastering', 'packaging']);

    const artifacts = (
      await line.api<{ artifacts: Array<{ path: string; url: string; size: number }> }>(
        'GET',
        `/v1/releases/${release.releaseId}/artifacts`,
        A,
      )
    ).body.artifacts;
    const manifestLink = artifacts.find((a) => a.path === 'package/manifest.json')!;
    expect(manifestLink.url).toMatch(/^http/);
    const manifest = (await (await fetch(manifestLink.url)).json()) as {
      files: Array<{ path: string; sha256: string; bytes: number }>;
      release: { title: string };
    };
    expect(manifest.release.title).toBe('Three & Easy <EP>');
    expect(manifest.files.map((f) => f.path)).toEqual([
      'tracks/01-One.flac',
      'tracks/02-Two.flac',
      'tracks/03-Three_stems.flac',
    ]);
    for (const f of manifest.files) {
      const link = artifacts.find((a) => a.path === `package/${f.path}`)!;
      const bytes = Buffer.from(await (await fetch(link.url)).arrayBuffer());
      expect(bytes.length).toBe(f.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(f.sha256);
    }

    await waitFor('the release webhook', async () =>
      received.some((r) => r.parsed.type === 'release.completed' && r.parsed.releaseId === release.releaseId),
    );
    const mine = received.filter((r) => r.parsed.releaseId === release.releaseId);
    expect(mine.filter((r) => r.parsed.type === 'track.succeeded')).toHaveLength(3);
    for (const r of mine) expect(verifyWebhook('whsec-a', r.body, r.signature)).toBe(true);
    expect(verifyWebhook('whsec-b', mine[0].body, mine[0].signature)).toBe(false);
  });

  it('fails a corrupt file, a text file named .wav and an empty file with readable reasons, and completes the rest', async () => {
    const release = await submit(
      line,
      A,
      {
        title: 'Bad inputs',
        artist: 'QA',
        tracks: [
          { title: 'Good', fileName: 'good.wav' },
          { title: 'Corrupt', fileName: 'corrupt.flac' },
          { title: 'Text', fileName: 'notes.wav' },
          { title: 'Empty', fileName: 'empty.wav' },
        ],
        webhook: { url: hookUrl },
      },
      [
        [toneWav(2)],
        [corruptFlac()],
        [Buffer.from('these are my liner notes, not audio\n')],
        [Buffer.alloc(0)],
      ],
      'api',
    );
    const done = await waitForRelease(line, A, release.releaseId);
    expect(done.state).toBe('completed-with-failures');
    const [good, corrupt, text, empty] = done.tracks;
    expect(good.state).toBe('succeeded');
    expect(corrupt.error).toMatchObject({ step: 'ingest', code: 'truncated-or-corrupt' });
    expect(text.error).toMatchObject({ step: 'ingest', code: 'not-audio' });
    expect(empty.error).toMatchObject({ step: 'ingest', code: 'empty-file' });
    for (const t of [corrupt, text, empty]) {
      expect(t.state).toBe('failed');
      expect(t.error!.reason.length).toBeGreaterThan(10);
      expect(t.steps.ingest.attempts).toBe(1);
    }
    await waitFor(
      'failure webhooks',
      async () =>
        received.filter((r) => r.parsed.releaseId === release.releaseId && r.parsed.type === 'track.failed')
          .length === 3,
    );
  });

  it('sets a message that a stage cannot parse aside in the dead-letter topic, with its reason, and keeps consuming', async () => {
    const kafka = new Kafka({
      clientId: 'e2e-dlq',
      brokers: process.env.KAFKA_BROKERS!.split(','),
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    const marker = `garbage-${Date.now()}`;
    await producer.send({
      topic: 'pressline.analysis.requested',
      messages: [{ key: marker, value: `{"schema": "pressline.step.requested.v1", "oops": ${marker}` }],
    });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `e2e-dlq-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: 'pressline.analysis.dead-letter', fromBeginning: true });
    const found = new Promise<{ value: string; reason: string; code: string }>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.key?.toString() === marker) {
            resolve({
              value: message.value!.toString(),
              reason: String(message.headers?.pressline_dlq_reason),
              code: String(message.headers?.pressline_dlq_code),
            });
          }
        },
      });
    });
    const dead = await found;
    await consumer.disconnect();
    expect(dead.code).toBe('invalid-message');
    expect(dead.reason).toMatch(/not JSON/);
    expect(dead.value).toContain(marker);

    const release = await submit(
      line,
      A,
      { title: 'After the garbage', artist: 'QA', tracks: [{ title: 'Still fine', fileName: 'a.wav' }] },
      [[toneWav(2)]],
    );
    expect((await waitForRelease(line, A, release.releaseId)).state).toBe('completed');
  });

  it('completes a track whose worker was killed with SIGKILL mid-job, with one set of artifacts and one success per step', async () => {
    await line.kill('analysis', 'SIGTERM');
    line.start('analysis', { PRESSLINE_CHAOS_DELAY: 'analysis:5000' });
    const release = await submit(
      line,
      A,
      { title: 'Killed', artist: 'QA', tracks: [{ title: 'Survivor', fileName: 's.wav' }] },
      [[toneWav(3)]],
    );
    await waitFor('analysis to start', async () => {
      const view = (await line.api<ReleaseView>('GET', `/v1/releases/${release.releaseId}`, A)).body;
      const s = view.tracks[0].steps.analysis?.state;
      return s === 'started' || s === 'progress';
    });
    await line.kill('analysis', 'SIGKILL');
    line.start('analysis');
    const done = await waitForRelease(line, A, release.releaseId, 120_000);
    expect(done.state).toBe('completed');
    const analysis = done.tracks[0].steps.analysis;
    expect(analysis.history!.filter((h) => h.state === 'started').length).toBeGreaterThanOrEqual(2);
    for (const step of done.tracks[0].route) {
      expect(done.tracks[0].steps[step].history!.filter((h) => h.state === 'succeeded')).toHaveLength(1);
    }
    const artifacts = (
      await line.api<{ artifacts: Array<{ path: string }> }>(
        'GET',
        `/v1/releases/${release.releaseId}/artifacts`,
        A,
      )
    ).body.artifacts;
    expect(
      artifacts.filter((a) => a.path.includes('/analysis/') && a.path.endsWith('analysis.json')),
    ).toHaveLength(1);
    expect(artifacts.filter((a) => a.path.endsWith('.flac') && a.path.startsWith('package/'))).toHaveLength(
      1,
    );
  });

  it('reports the same state after a gateway restart, mid-run and after the end', async () => {
    await line.kill('mastering', 'SIGTERM');
    line.start('mastering', { PRESSLINE_CHAOS_DELAY: 'mastering:3000' });
    const release = await submit(
      line,
      A,
      {
        title: 'Restart',
        artist: 'QA',
        tracks: [
          { title: 'A', fileName: 'a.wav' },
          { title: 'B', fileName: 'b.wav' },
        ],
      },
      [[toneWav(2)], [toneWav(2, { hz: 300 })]],
    );
    await waitFor('mastering to start', async () => {
      const view = (await line.api<ReleaseView>('GET', `/v1/releases/${release.releaseId}`, A)).body;
      return view.tracks.some((t) => t.steps.mastering?.state === 'started');
    });
    const before = (await line.api<ReleaseView>('GET', `/v1/releases/${release.releaseId}`, A)).body;
    await line.kill('gateway', 'SIGTERM');
    line.start('gateway');
    await line.waitReady();
    const after = (await line.api<ReleaseView>('GET', `/v1/releases/${release.releaseId}`, A)).body;
    for (const [i, t] of before.tracks.entries()) {
      for (const [step, s] of Object.entries(t.steps)) {
        if (s.state === 'succeeded') expect(after.tracks[i].steps[step].state).toBe('succeeded');
      }
    }
    const done = await waitForRelease(line, A, release.releaseId);
    expect(done.state).toBe('completed');
    await line.kill('gateway', 'SIGTERM');
    line.start('gateway');
    await line.waitReady();
    const again = (await line.api<ReleaseView>('GET', `/v1/releases/${release.releaseId}?history=true`, A))
      .body;
    expect(again).toEqual(done);
    await line.kill('mastering', 'SIGTERM');
    line.start('mastering');
  });

  it("does not let one tenant's key read another tenant's release or its links", async () => {
    const release = await submit(
      line,
      A,
      { title: 'Private', artist: 'A', tracks: [{ title: 'Mine', fileName: 'm.wav' }] },
      [[toneWav(2)]],
    );
    await waitForRelease(line, A, release.releaseId);
    expect((await line.api('GET', `/v1/releases/${release.releaseId}`, B)).status).toBe(404);
    expect((await line.api('GET', `/v1/releases/${release.releaseId}/artifacts`, B)).status).toBe(404);
    expect((await line.api('POST', `/v1/releases/${release.releaseId}/cancel`, B)).status).toBe(404);
    expect(
      (
        await line.api(
          'POST',
          `/v1/releases/${release.releaseId}/tracks/${release.tracks[0].trackId}/retry`,
          B,
        )
      ).status,
    ).toBe(404);
    const listed = (await line.api<{ releases: Array<{ releaseId: string }> }>('GET', '/v1/releases', B)).body
      .releases;
    expect(listed.map((r) => r.releaseId)).not.toContain(release.releaseId);
    expect((await line.api('GET', `/v1/releases/${release.releaseId}`, 'not-a-key')).status).toBe(401);
    expect((await line.api('GET', `/v1/releases/${release.releaseId}`, A)).status).toBe(200);
  });

  it('produces the same package layout as `bin/pressline run` on the example release', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'example-'));
    const pressline = join(REPO_ROOT, 'bin', 'pressline');
    execFileSync(pressline, ['example', join(dir, 'release'), '--seconds', '4'], { stdio: 'pipe' });
    execFileSync(pressline, ['run', join(dir, 'release', 'release.json'), '--out', join(dir, 'out')], {
      stdio: 'pipe',
    });
    const walk = (d: string): string[] =>
      readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
    const embedded = walk(join(dir, 'out'))
      .map((f) => relative(join(dir, 'out'), f))
      .filter((p) => !p.startsWith('.'))
      .sort();

    const example = JSON.parse(readFileSync(join(dir, 'release', 'release.json'), 'utf8')) as {
      tracks: Array<{ fileName?: string; stems?: Array<{ fileName: string }> }>;
    };
    const read = (p: string): Buffer => readFileSync(join(dir, 'release', p));
    const files = example.tracks.map((t) =>
      t.stems ? t.stems.map((s) => read(s.fileName)) : [read(t.fileName!)],
    );
    const release = await submit(line, A, example, files);
    const done = await waitForRelease(line, A, release.releaseId);
    expect(done.state).toBe('completed');
    const artifacts = (
      await line.api<{ artifacts: Array<{ path: string }> }>(
        'GET',
        `/v1/releases/${release.releaseId}/artifacts`,
        A,
      )
    ).body.artifacts;
    const distributed = artifacts
      .filter((a) => a.path.startsWith('package/'))
      .map((a) => a.path.slice('package/'.length))
      .sort();
    expect(distributed).toEqual(embedded);
    expect(embedded).toEqual([
      'checksums.sha256',
      'manifest.json',
      'tracks/01-First_Light.flac',
      'tracks/02-Second_Wind.flac',
      'tracks/03-Third_Rail.flac',
    ]);
  });
});
