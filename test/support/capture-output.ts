// Captures what a function writes to stdout and stderr (Powertools logs and EMF metrics), one entry
// per line, until vi.restoreAllMocks().
import { vi } from 'vitest';

export function captureOutput(): string[] {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  return lines;
}
