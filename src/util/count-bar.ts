/** A progress bar for "done of total" work on a terminal (nothing when the stream is not a TTY). */
import cliProgress from 'cli-progress';

export interface CountBar {
  update(done: number, total: number): void;
  stop(): void;
}

/** `format`: cli-progress's line, e.g. 'reconciling [{bar}] {value}/{total} pairs'. */
export function countBar(stream: NodeJS.WriteStream, format: string): CountBar {
  if (!stream.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar({ stream, format, clearOnComplete: true, hideCursor: true }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update(done, total) {
      if (total === 0) return;
      if (!started) bar.start(total, done);
      else bar.update(done);
      started = true;
    },
    stop: () => bar.stop(),
  };
}
