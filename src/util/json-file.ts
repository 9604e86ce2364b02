import fs from 'node:fs';
import { UserError } from '../errors.js';

/** A JSON file given by a flag, or one sentence naming the flag: unreadable (with the code) or not JSON. */
export function readJsonFile(flag: string, file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code ? `${flag}: cannot read ${file} (${code})` : `${flag}: ${file} is not valid JSON`);
  }
}
