/**
 * The member networks of an octave fit, each in its own worker thread: the fits are independent
 * and single-threaded, so on two cores three members take about half the time. The result is the
 * same model as fitOctaveModel's (each member is deterministic in its seed). Run from TypeScript
 * source (ts-runner), where a worker cannot load this file, the members are fitted one after the
 * other in this thread.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { OctaveModel } from '@pressline/dsp';
import {
  averageModels,
  fitOctaveModel,
  memberOptions,
  type OctaveFitOptions,
  type OctavePiece,
} from './octave-fit';

interface MemberJob {
  readonly octaveFitMember: true;
  readonly pieces: readonly OctavePiece[];
  readonly featureNames: readonly string[];
  readonly options: OctaveFitOptions;
  readonly trainedOn: string;
}

type MemberMessage =
  | { readonly kind: 'progress'; readonly iteration: number; readonly loss: number }
  | { readonly kind: 'done'; readonly model: OctaveModel };

export async function fitOctaveModelInWorkers(
  pieces: readonly OctavePiece[],
  featureNames: readonly string[],
  options: OctaveFitOptions,
  trainedOn: string,
  onProgress?: (member: number, iteration: number, loss: number) => void,
): Promise<OctaveModel> {
  const members = memberOptions(options);
  if (__filename.endsWith('.ts') || members.length === 1)
    return fitOctaveModel(pieces, featureNames, options, trainedOn, onProgress);
  const fits = await Promise.all(
    members.map(
      (o, m) =>
        new Promise<OctaveModel>((resolve, reject) => {
          const job: MemberJob = { octaveFitMember: true, pieces, featureNames, options: o, trainedOn };
          const worker = new Worker(__filename, { workerData: job });
          worker.on('message', (msg: MemberMessage) => {
            if (msg.kind === 'progress') onProgress?.(m, msg.iteration, msg.loss);
            else resolve(msg.model);
          });
          worker.on('error', reject);
          worker.on('exit', (code) => {
            if (code !== 0) reject(new Error(`octave fit member ${m + 1} exited with code ${code}`));
          });
        }),
    ),
  );
  return averageModels(fits);
}

if (!isMainThread && (workerData as Partial<MemberJob> | null)?.octaveFitMember) {
  const job = workerData as MemberJob;
  const model = fitOctaveModel(
    job.pieces,
    job.featureNames,
    job.options,
    job.trainedOn,
    (_m, iteration, loss) =>
      parentPort!.postMessage({ kind: 'progress', iteration, loss } satisfies MemberMessage),
  );
  parentPort!.postMessage({ kind: 'done', model } satisfies MemberMessage);
}
