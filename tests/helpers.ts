import type { ProcessLine } from '../libs/testing/src/process-line';

export interface TrackView {
  trackId: string;
  position: number;
  title: string;
  state: string;
  route: string[];
  steps: Record<
    string,
    {
      state: string;
      attempts: number;
      error?: { code: string; reason: string };
      history?: Array<{ state: string }>;
    }
  >;
  error?: { code: string; reason: string; step: string };
}
export interface ReleaseView {
  releaseId: string;
  state: string;
  tracks: TrackView[];
  package?: { state: string; outputs?: Record<string, string> };
}
export interface Upload {
  trackId: string;
  index: number;
  uploadUrl: string | null;
  apiPath: string;
}

export const TERMINAL_RELEASE = ['completed', 'completed-with-failures', 'failed', 'cancelled'];

/** Submits a release over HTTP, uploads its files (presigned URL or through the API), starts it. */
export async function submit(
  line: ProcessLine,
  key: string,
  submission: Record<string, unknown>,
  files: Buffer[][],
  via: 'presigned' | 'api' = 'presigned',
): Promise<ReleaseView> {
  const created = await line.api<{ release: ReleaseView; uploads: Upload[] }>(
    'POST',
    '/v1/releases',
    key,
    submission,
  );
  if (created.status !== 201)
    throw new Error(`submit answered ${created.status}: ${JSON.stringify(created.body)}`);
  const { release, uploads } = created.body;
  for (const u of uploads) {
    const track = release.tracks.findIndex((t) => t.trackId === u.trackId);
    const bytes = files[track][u.index];
    const res =
      via === 'presigned' && u.uploadUrl
        ? await fetch(u.uploadUrl, { method: 'PUT', body: bytes })
        : await fetch(`${line.url}${u.apiPath}`, {
            method: 'PUT',
            body: bytes,
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream' },
          });
    if (!res.ok) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
  }
  const started = await line.api<ReleaseView>('POST', `/v1/releases/${release.releaseId}/start`, key);
  if (started.status !== 202) throw new Error(`start answered ${started.status}`);
  return started.body;
}

export async function waitForRelease(
  line: ProcessLine,
  key: string,
  releaseId: string,
  timeoutMs = 90_000,
  states = TERMINAL_RELEASE,
): Promise<ReleaseView> {
  const deadline = Date.now() + timeoutMs;
  let last: ReleaseView | null = null;
  for (;;) {
    try {
      const res = await line.api<ReleaseView>('GET', `/v1/releases/${releaseId}?history=true`, key);
      if (res.status === 200) {
        last = res.body;
        if (states.includes(last.state)) return last;
      }
    } catch {
      // the gateway may be restarting
    }
    if (Date.now() > deadline)
      throw new Error(
        `release ${releaseId} did not end in time; last state: ${JSON.stringify(last, null, 1)}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
