import type { Logger } from 'pino';
import { parseMessage, ReleaseRecord, Topics, type StatusEventV1, type StepName } from '@pressline/contracts';
import type { MessageBus, ReceivedMessage, Subscription } from '@pressline/pipeline';
import { getJson, Keys, updateJson, type ArtifactStore } from '@pressline/storage';
import {
  applyStatusEvent,
  isTerminal,
  newTrackStatus,
  type ReleaseStatusDoc,
  type TrackStatusDoc,
} from './track-status';
import type { WebhookEvent, WebhookNotifier } from './webhooks';

export interface StatusListener {
  (event: StatusEventV1, doc: TrackStatusDoc | ReleaseStatusDoc | null): void;
}

/**
 * Keeps the status API's state: consumes every status event and folds it into one status
 * document per track (and one per release) in the artifact store, with compare-and-swap writes.
 * The state therefore survives a gateway restart as it is (no replay needed); a redelivered
 * event is recognised by its id and dropped. Sends the webhooks of tracks and releases that end.
 */
export class StatusProjector {
  private subscription: Subscription | null = null;
  private readonly listeners = new Set<StatusListener>();

  constructor(
    private readonly bus: MessageBus,
    private readonly store: ArtifactStore,
    private readonly logger: Logger,
    private readonly webhooks: {
      notifier: WebhookNotifier;
      secretFor: (tenantId: string) => string | undefined;
    } | null,
    private readonly groupId = 'pressline.gateway.status',
  ) {}

  onEvent(listener: StatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(concurrency = 2): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: this.groupId,
      topics: [Topics.status],
      concurrency,
      handler: (m) => this.handle(m),
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = null;
  }

  async handle(message: ReceivedMessage): Promise<void> {
    let event: StatusEventV1;
    try {
      event = parseMessage(message.value, ['pressline.status.v1']);
    } catch (e) {
      this.logger.warn(
        { offset: message.offset, reason: (e as Error).message },
        'unreadable status event skipped',
      );
      return;
    }
    if (event.step === 'release') {
      await this.applyRelease(event);
      return;
    }
    const key = Keys.trackStatus(event.tenantId, event.releaseId, event.trackId!);
    let before: TrackStatusDoc['state'] | null = null;
    let applied = false;
    const doc = await updateJson<TrackStatusDoc>(this.store, key, (current) => {
      const next: TrackStatusDoc = current
        ? (JSON.parse(JSON.stringify(current)) as TrackStatusDoc)
        : newTrackStatus({
            tenantId: event.tenantId,
            releaseId: event.releaseId,
            trackId: event.trackId!,
            route: [],
          });
      before = current?.state ?? null;
      applied = applyStatusEvent(next, event) === 'applied';
      return applied ? next : null;
    });
    if (doc && doc.route.length === 0) await this.fillRoute(doc, key);
    for (const l of this.listeners) l(event, doc);
    if (applied && doc && isTerminal(doc.state) && before !== doc.state) {
      await this.notify(event, {
        type: `track.${doc.state}` as WebhookEvent['type'],
        trackId: doc.trackId,
        data: { state: doc.state, jobId: doc.jobId, error: doc.error ?? null },
      });
    }
  }

  /** A status event can arrive for a track whose document was lost: take the route from the record. */
  private async fillRoute(doc: TrackStatusDoc, key: string): Promise<void> {
    const record = await getJson<ReleaseRecord>(this.store, Keys.releaseRecord(doc.tenantId, doc.releaseId));
    const route = record?.tracks.find((t) => t.trackId === doc.trackId)?.route as StepName[] | undefined;
    if (!route) return;
    await updateJson<TrackStatusDoc>(this.store, key, (current) =>
      current && current.route.length === 0 ? { ...current, route } : null,
    );
  }

  private async applyRelease(event: StatusEventV1): Promise<void> {
    let applied = false;
    const doc = await updateJson<ReleaseStatusDoc>(
      this.store,
      Keys.releaseStatus(event.tenantId, event.releaseId),
      (current) => {
        if (current?.appliedEventIds.includes(event.eventId)) return null;
        if (event.state !== 'succeeded' && event.state !== 'failed') return null;
        applied = true;
        return {
          schema: 'pressline.release-status.v1',
          state: event.state,
          jobId: event.jobId,
          outputs: event.outputs,
          summary: event.summary,
          error: event.error,
          at: event.at,
          appliedEventIds: [...(current?.appliedEventIds ?? []), event.eventId].slice(-100),
        };
      },
    );
    for (const l of this.listeners) l(event, doc);
    if (applied && doc) {
      await this.notify(event, {
        type: doc.state === 'succeeded' ? 'release.completed' : 'release.failed',
        data: {
          state: doc.state,
          outputs: doc.outputs ?? {},
          summary: doc.summary ?? {},
          error: doc.error ?? null,
        },
      });
    }
  }

  private async notify(
    event: StatusEventV1,
    what: Pick<WebhookEvent, 'type' | 'data'> & { trackId?: string },
  ): Promise<void> {
    if (!this.webhooks) return;
    const record = await getJson<ReleaseRecord>(
      this.store,
      Keys.releaseRecord(event.tenantId, event.releaseId),
    );
    const url = record?.submission.webhook?.url;
    const secret = this.webhooks.secretFor(event.tenantId);
    if (!url || !secret) return;
    this.webhooks.notifier.notify(url, secret, {
      id: `whk_${event.eventId}`,
      tenantId: event.tenantId,
      releaseId: event.releaseId,
      at: event.at,
      ...what,
    });
  }
}
