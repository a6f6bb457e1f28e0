import { createReadStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import type { StatusEventV1 } from '@pressline/contracts';
import { loadConfig } from '@pressline/config';
import { silentLogger, createLogger } from '@pressline/logging';
import { Emitter } from '@pressline/pipeline';
import {
  ReleaseService,
  StatusProjector,
  ValidationFailedError,
  type ReleaseView,
} from '@pressline/releases';
import { Keys } from '@pressline/storage';
import { parse, UsageError } from '../args';
import { startLine } from '../line';
import { ProgressDisplay } from '../progress';
import { loadReleaseInput } from '../release-input';

export const RUN_HELP = `pressline run <release.json | folder> --out DIR [options]

Runs the whole line on one release, in this process (embedded mode: in-memory bus, local folder
store), and writes the deliverable (manifest.json, checksums.sha256, tracks/) to DIR.

  --out DIR        where the package goes (created)
  --work DIR       keep the working store (every intermediate artifact) in DIR; default: a temporary folder, removed
  --json           print the final status as JSON on stdout instead of the summary table
  --timeout SEC    give up after SEC seconds (default 3600)
  --verbose        log every step as JSON lines on stderr

Exit code: 0 when every track succeeded, 1 when any failed, 2 on a usage or input error.`;

const TENANT = 'local';

export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    out: { type: 'string' },
    work: { type: 'string' },
    json: { type: 'boolean', default: false },
    timeout: { type: 'string', default: '3600' },
    verbose: { type: 'boolean', default: false },
  });
  if (positionals.length !== 1) throw new UsageError('run takes one release.json or folder');
  if (!values.out) throw new UsageError('--out DIR is required');
  const timeoutMs = Number(values.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new UsageError('--timeout must be a positive number of seconds');
  const input = await loadReleaseInput(positionals[0]);
  const out = resolve(values.out);
  const work = values.work ? resolve(values.work) : await mkdtemp(join(tmpdir(), 'pressline-run-'));

  const config = loadConfig(process.env, {
    PRESSLINE_MODE: 'embedded',
    PRESSLINE_DATA_DIR: work,
    PRESSLINE_SERVICE: 'pressline-run',
  });
  const logger = values.verbose
    ? createLogger({ service: 'pressline-run', version: '', level: 'info', pretty: false })
    : silentLogger();
  const line = await startLine(config, logger);
  const { bus, store } = line.infra;
  const releases = new ReleaseService(
    store,
    new Emitter(bus, 'pressline-run'),
    { secret: config.PRESSLINE_LINK_SECRET, ttlSeconds: 3600 },
    logger,
  );
  const projector = new StatusProjector(bus, store, logger, null);
  try {
    let created;
    try {
      created = await releases.create(TENANT, input.submission);
    } catch (e) {
      if (e instanceof ValidationFailedError)
        throw new UsageError(`the release is invalid:\n  ${e.problems.join('\n  ')}`);
      throw e;
    }
    const releaseId = created.release.releaseId;
    const progress = new ProgressDisplay(process.stderr);
    created.release.tracks.forEach((t) => progress.addTrack(t.trackId, t.title, t.route));
    const finished = new Promise<StatusEventV1>((resolveDone) => {
      projector.onEvent((event) => {
        if (event.releaseId !== releaseId) return;
        if (event.step === 'release') resolveDone(event);
        else progress.update(event);
      });
    });
    await projector.start(2);
    for (const upload of created.uploads) {
      const track = created.release.tracks.findIndex((t) => t.trackId === upload.trackId);
      const file = input.files[track]?.[upload.index];
      // A missing file is not uploaded: ingest then fails that track with "missing-upload".
      if (file && existsSync(file))
        await releases.putSource(TENANT, releaseId, upload.trackId, upload.index, createReadStream(file));
    }
    await releases.start(TENANT, releaseId);
    progress.draw();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<null>((r) => (timer = setTimeout(() => r(null), timeoutMs)));
    const ended = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    const view = await releases.get(TENANT, releaseId);
    const files = ended ? await copyPackage(store, TENANT, releaseId, out) : [];
    if (values.json)
      process.stdout.write(`${JSON.stringify({ ...view, out, files, timedOut: !ended }, null, 2)}\n`);
    else process.stdout.write(summary(view, out, files, !ended));
    return view.tracks.every((t) => t.state === 'succeeded') && ended ? 0 : 1;
  } finally {
    await projector.stop();
    await line.stop();
    if (!values.work) await rm(work, { recursive: true, force: true });
  }
}

async function copyPackage(
  store: import('@pressline/storage').ArtifactStore,
  tenant: string,
  releaseId: string,
  out: string,
): Promise<string[]> {
  const prefix = Keys.package(tenant, releaseId);
  const files: string[] = [];
  for (const o of await store.list(prefix)) {
    const rel = o.key.slice(prefix.length);
    const target = join(out, ...rel.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await pipeline(await store.get(o.key), createWriteStream(target));
    files.push(rel);
  }
  await writeFile(join(out, '.pressline-release-id'), `${releaseId}\n`);
  return files;
}

function summary(view: ReleaseView, out: string, files: string[], timedOut: boolean): string {
  const lines = ['', `${view.title} — ${view.artist}: ${timedOut ? 'timed out' : view.state}`, ''];
  lines.push(' #  track                            state       detail');
  for (const t of view.tracks) {
    const detail = t.error ? `${t.error.step}: ${t.error.code}: ${t.error.reason}` : t.route.join(' > ');
    lines.push(
      `${String(t.position).padStart(2)}  ${t.title.slice(0, 32).padEnd(32)} ${t.state.padEnd(11)} ${detail}`,
    );
  }
  lines.push('', files.length ? `package: ${out} (${files.length} files)` : 'no package written', '');
  return lines.join('\n');
}
