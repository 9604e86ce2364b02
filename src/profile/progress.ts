/**
 * A one-line spinner with elapsed time on stderr, shown only when stderr is a terminal (never in
 * pipes, files or --json captures). Embedded loads of local files are read by the engine itself
 * through file(), which reports no byte progress, so those show the phase and elapsed time only;
 * streamed sources (stdin, server mode) also show the bytes read so far.
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
