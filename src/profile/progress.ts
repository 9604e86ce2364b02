/**
 * A one-line spinner with elapsed time on stderr, shown only when stderr is a terminal (never in
 * pipes, files or --json captures). Loads also show the bytes read so far; a local file read by the
 * engine (src/ingest/read-progress.ts) shows them out of its size, with lines/s and the time left.
 */

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private label = '';
  private detail = '';
  private frame = 0;
  private readonly started = Date.now();

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  get enabled(): boolean {
    return Boolean(this.stream.isTTY);
  }

  /** Shows `label` (replacing the previous one); starts the spinner on first use. */
  phase(label: string): void {
    this.label = label;
    this.detail = '';
    if (!this.enabled || this.timer) return;
    this.timer = setInterval(() => this.draw(), 120);
    this.timer.unref();
    this.draw();
  }

  /** Extra text after the label, e.g. bytes read. */
  note(detail: string): void {
    this.detail = detail;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.enabled) this.stream.write('\r\u001b[2K');
  }

  private draw(): void {
    const secs = ((Date.now() - this.started) / 1000).toFixed(1);
    const text = `${FRAMES[this.frame++ % FRAMES.length]} ${this.label}${this.detail ? ` ${this.detail}` : ''} · ${secs} s`;
    const width = Math.max(20, (this.stream.columns ?? 80) - 1);
    this.stream.write(`\r\u001b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** A local file's read so far (src/ingest/read-progress.ts): its size, seconds since the read began, bytes per line. */
export interface FileProgress {
  total: number;
  seconds: number;
  perLine?: number;
}

/** "512.0 MiB / 1.5 GiB (34 %) · 410 k lines/s · 12 s left" (the parts known so far). */
export function loadNote(name: string, bytes: number, file?: FileProgress): string {
  if (!file) return `${name} ${formatBytes(bytes)}`;
  // The phase label already names the file.
  const parts = [`${formatBytes(bytes)} / ${formatBytes(file.total)} (${Math.floor((100 * bytes) / Math.max(1, file.total))} %)`];
  if (file.seconds >= 1 && bytes > 0) {
    const perSecond = bytes / file.seconds;
    if (file.perLine) parts.push(`${Math.round(perSecond / file.perLine / 1000)} k lines/s`);
    if (bytes < file.total) parts.push(`${Math.ceil((file.total - bytes) / perSecond)} s left`);
  }
  return parts.join(' · ');
}
