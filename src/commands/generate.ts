import type { Command } from 'commander';

/** Placeholder registration replaced by the generator module (src/generate/). */
export function registerGenerate(_program: Command): void {}
