import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';

export const SIGNATURE_HEADER = 'pressline-signature';
export const EVENT_ID_HEADER = 'pressline-event-id';

/**
 * Webhook signatures, Stripe-style: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * The receiver recomputes the HMAC over the raw body and refuses old timestamps (replays).
 */
export function signWebhook(
  secret: string,
  body: string,
  timestamp: number = Math.floor(Date.now() / 1000),
): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

export function verifyWebhook(
  secret: string,
  body: string,
  header: string,
  toleranceSeconds = 300,
  now = Date.now(),
): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isFinite(t) || !parts.v1 || Math.abs(now / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  const given = Buffer.from(parts.v1);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export interface WebhookEvent {
  readonly id: string;
  readonly type:
    'track.succeeded' | 'track.failed' | 'track.cancelled' | 'release.completed' | 'release.failed';
  readonly tenantId: string;
  readonly releaseId: string;
  readonly trackId?: string;
  readonly data: Record<string, unknown>;
  readonly at: string;
}

/**
 * Delivers webhooks with bounded retries and backoff. Deliveries live in memory: a gateway that
 * stops while a delivery is still retrying loses that delivery (noted in the README).
 */
export class WebhookNotifier {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly logger: Logger,
    private readonly options: { attempts: number; backoffMs: number; timeoutMs: number } = {
      attempts: 6,
      backoffMs: 1000,
      timeoutMs: 10_000,
    },
  ) {}

  notify(url: string, secret: string, event: WebhookEvent): void {
    const job = this.deliver(url, secret, event).finally(() => this.pending.delete(job));
    this.pending.add(job);
  }

  private async deliver(url: string, secret: string, event: WebhookEvent): Promise<void> {
    const body = JSON.stringify(event);
    for (let attempt = 1; attempt <= this.options.attempts; attempt++) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [SIGNATURE_HEADER]: signWebhook(secret, body),
            [EVENT_ID_HEADER]: event.id,
          },
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        if (res.ok) return;
        this.logger.warn({ url, status: res.status, attempt, eventId: event.id }, 'webhook refused');
        if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) return;
      } catch (e) {
        this.logger.warn({ url, attempt, eventId: event.id, err: e }, 'webhook delivery failed');
      }
      await new Promise((r) => setTimeout(r, this.options.backoffMs * 2 ** (attempt - 1)));
    }
    this.logger.error({ url, eventId: event.id }, 'webhook given up');
  }

  /** Waits for deliveries under way (shutdown, tests). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
