// The code blocks of a README, so the test runs what the README shows rather than a copy of it.
import { readFileSync } from 'node:fs';

export function codeBlocks(file: string, lang: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}
