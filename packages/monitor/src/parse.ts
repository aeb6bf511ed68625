import { MonitorError } from './command.js';

/** A monitor line split into words: blanks separate, double quotes keep blanks, `\` escapes in quotes. */
export function parseCommandLine(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i])) i++;
    if (i >= line.length) break;
    let word = '';
    if (line[i] === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length) i++;
        word += line[i++];
      }
      if (i >= line.length) throw new MonitorError('unterminated string');
      i++;
    } else {
      while (i < line.length && !/\s/.test(line[i])) word += line[i++];
    }
    words.push(word);
  }
  return words;
}
