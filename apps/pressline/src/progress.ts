import type { StatusEventV1 } from '@pressline/contracts';

interface Row {
  title: string;
  route: string[];
  step: string;
  percent: number;
  state: string;
}

/**
 * Progress of a run, one line per track: redrawn in place on a terminal, one line per change
 * otherwise (CI logs).
 */
export class ProgressDisplay {
  private readonly rows = new Map<string, Row>();
  private readonly order: string[] = [];
  private drawn = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly live = Boolean(out.isTTY),
  ) {}

  addTrack(trackId: string, title: string, route: string[]): void {
    this.rows.set(trackId, { title, route, step: route[0], percent: 0, state: 'queued' });
    this.order.push(trackId);
  }

  update(event: StatusEventV1): void {
    if (!event.trackId) return;
    const row = this.rows.get(event.trackId);
    if (!row) return;
    const index = row.route.indexOf(event.step);
    const within =
      event.state === 'succeeded' ? 1 : event.state === 'progress' ? (event.progress ?? 0) / 100 : 0;
    const percent = Math.round((100 * (Math.max(0, index) + within)) / row.route.length);
    const changed = row.step !== event.step || (event.state !== 'progress' && row.state !== event.state);
    row.step = event.step;
    row.percent = Math.max(row.percent, percent);
    row.state = event.trackEnded && event.state === 'succeeded' ? 'done' : event.state;
    if (event.state === 'failed' || event.state === 'cancelled') row.state = event.state;
    if (this.live) this.draw();
    else if (changed && event.state !== 'queued')
      this.out.write(
        `${this.line(event.trackId)}${event.error ? `  ${event.error.code}: ${event.error.reason}` : ''}\n`,
      );
  }

  private line(trackId: string): string {
    const row = this.rows.get(trackId)!;
    const n = this.order.indexOf(trackId) + 1;
    const width = 24;
    const filled = Math.round((row.percent / 100) * width);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    const title = row.title.length > 28 ? `${row.title.slice(0, 27)}…` : row.title.padEnd(28);
    return `${String(n).padStart(2, '0')} ${title} [${bar}] ${String(row.percent).padStart(3)}% ${row.step} ${row.state}`;
  }

  draw(): void {
    if (!this.live) return;
    if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}A`);
    for (const id of this.order) this.out.write(`\x1b[2K${this.line(id)}\n`);
    this.drawn = this.order.length;
  }
}
