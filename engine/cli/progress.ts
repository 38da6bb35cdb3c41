import { formatDuration, formatRate } from './format.js';

export interface ProgressSample {
  readonly label: string;
  readonly fraction: number;
  readonly downRate: number;
  readonly upRate: number;
  readonly peers: number;
  readonly etaSeconds: number;
}

/** A one-line progress bar redrawn in place on a terminal; silent elsewhere. */
export class ProgressBar {
  private lastLength = 0;
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  draw(s: ProgressSample): void {
    if (!this.enabled) return;
    const width = 24;
    const filled = Math.round(s.fraction * width);
    const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
    const line = `${s.label} [${bar}] ${(s.fraction * 100).toFixed(1)}%  down ${formatRate(s.downRate)}  up ${formatRate(s.upRate)}  peers ${s.peers}  ETA ${formatDuration(s.etaSeconds)}`;
    const cols = this.stream.columns ?? 120;
    const out = line.length > cols - 1 ? line.slice(0, cols - 1) : line;
    this.stream.write(`\r${out}${' '.repeat(Math.max(0, this.lastLength - out.length))}`);
    this.lastLength = out.length;
  }

  /** Erases the bar, so what is printed next replaces it rather than sitting under a stale one. */
  done(): void {
    if (this.enabled && this.lastLength > 0) this.stream.write('\r\x1b[2K');
    this.lastLength = 0;
  }
}
