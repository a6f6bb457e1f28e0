import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@pressline/config';
import { silentLogger } from '@pressline/logging';
import { createInfrastructure, type Infrastructure } from '@pressline/pipeline';
import { startGateway, type RunningGateway } from './start-gateway';

// The HTTP edge on the embedded infrastructure, without stages: what a client sees of the API.
describe('gateway HTTP API', () => {
  let infra: Infrastructure;
  let gateway: RunningGateway;
  const A = { authorization: 'Bearer key-aaaaaa' };
  const B = { 'x-api-key': 'key-bbbbbb' };

  beforeAll(async () => {
    const config = loadConfig(
      {},
      {
        PRESSLINE_DATA_DIR: await mkdtemp(join(tmpdir(), 'gw-')),
        PORT: '0',
        PRESSLINE_API_KEYS: 'acme:key-aaaaaa,globex:key-bbbbbb',
        LOG_LEVEL: 'silent',
      },
    );
    infra = await createInfrastructure(config, silentLogger());
    gateway = await startGateway(config, silentLogger(), infra);
  });
  afterAll(async () => {
    await gateway.close();
    await infra.close();
  });

  const call = async (
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: string | Buffer,
  ) => {
    const res = await fetch(`${gateway.url}${path}`, { method, headers, body });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, json: json as Record<string, any>, text };
  };
  const json = { 'content-type': 'application/json' };
  const release = { title: 'T', artist: 'A', tracks: [{ title: 'One', fileName: 'one.wav' }] };

  it('serves its OpenAPI document and UI at /docs', async () => {
    const spec = await call('GET', '/docs-json');
    expect(spec.status).toBe(200);
    expect(Object.keys(spec.json.paths)).toEqual(
      expect.arrayContaining([
        '/v1/releases',
        '/v1/releases/{releaseId}',
        '/v1/batches',
        '/v1/releases/{releaseId}/artifacts',
      ]),
    );
    expect(
      spec.json.paths['/v1/releases'].post.requestBody.content['application/json'].schema.properties.tracks,
    ).toBeDefined();
    expect((await call('GET', '/docs')).text).toMatch(/swagger/i);
  });

  it('refuses calls without a known API key', async () => {
    expect((await call('GET', '/v1/releases')).status).toBe(401);
    expect((await call('GET', '/v1/releases', { authorization: 'Bearer nope' })).json.error.code).toBe(
      'unauthorized',
    );
  });

  it('answers liveness and readiness without a key', async () => {
    expect((await call('GET', '/healthz')).status).toBe(200);
    expect((await call('GET', '/readyz')).status).toBe(200);
  });

  it('refuses malformed JSON and invalid releases with every problem listed', async () => {
    const bad = await call('POST', '/v1/releases', { ...A, ...json }, '{"title": ');
    expect(bad.status).toBe(400);
    const invalid = await call(
      'POST',
      '/v1/releases',
      { ...A, ...json },
      JSON.stringify({ title: 'x'.repeat(600), tracks: [] }),
    );
    expect(invalid.status).toBe(400);
    expect(invalid.json.error.code).toBe('invalid-request');
    expect(invalid.json.error.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^title/),
        expect.stringMatching(/^artist/),
        expect.stringMatching(/^tracks/),
      ]),
    );
  });

  it('takes a batch and answers created and refused releases', async () => {
    const res = await call(
      'POST',
      '/v1/batches',
      { ...A, ...json },
      JSON.stringify({ releases: [release, { title: 'no artist' }] }),
    );
    expect(res.status).toBe(201);
    expect(res.json.created).toHaveLength(1);
    expect(res.json.refused).toEqual([
      { index: 1, problems: expect.arrayContaining([expect.stringMatching(/artist/)]) },
    ]);
  });

  it('streams an upload to the store and serves it back through a signed link', async () => {
    const created = await call('POST', '/v1/releases', { ...A, ...json }, JSON.stringify(release));
    expect(created.status).toBe(201);
    const upload = created.json.uploads[0];
    expect(upload.uploadUrl).toBeNull(); // a local folder cannot presign: upload through the API
    const bytes = Buffer.from('RIFF....WAVEfmt not really audio');
    const put = await call(
      'PUT',
      upload.apiPath,
      { ...A, 'content-type': 'application/octet-stream' },
      bytes,
    );
    expect(put.status).toBe(200);
    expect(put.json.size).toBe(bytes.length);
    const artifacts = await call('GET', `/v1/releases/${created.json.release.releaseId}/artifacts`, A);
    const uploaded = artifacts.json.artifacts.find((a: { path: string }) => a.path.startsWith('uploads/'));
    expect(uploaded.url).toMatch(new RegExp(`^${gateway.url}/v1/downloads/`));
    const download = await fetch(uploaded.url);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
    const forged = uploaded.url.replace(/.$/, (c: string) => (c === 'A' ? 'B' : 'A'));
    expect((await fetch(forged)).status).toBe(404);
  });

  it("answers 404 for another tenant's release, its artifacts and its uploads", async () => {
    const created = await call('POST', '/v1/releases', { ...A, ...json }, JSON.stringify(release));
    const id = created.json.release.releaseId;
    expect((await call('GET', `/v1/releases/${id}`, B)).status).toBe(404);
    expect((await call('GET', `/v1/releases/${id}/artifacts`, B)).status).toBe(404);
    expect((await call('PUT', created.json.uploads[0].apiPath, B, Buffer.from('x'))).status).toBe(404);
    expect((await call('POST', `/v1/releases/${id}/start`, B)).status).toBe(404);
    expect((await call('GET', `/v1/releases/${id}`, A)).status).toBe(200);
  });

  it('answers 404 for ids that are not release ids, including path tricks', async () => {
    expect((await call('GET', '/v1/releases/..%2F..%2Fetc', A)).status).toBe(404);
    expect((await call('GET', '/v1/releases/rel_doesnotexist', A)).status).toBe(404);
  });
});
