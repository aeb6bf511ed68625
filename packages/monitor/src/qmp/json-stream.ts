/** The most characters one QMP command may take; a longer one is refused and the stream resynchronises. */
export const MAX_COMMAND = 0x10000;

/**
 * Splits a QMP input stream into top-level JSON texts: objects may arrive
 * split anywhere or several in a chunk, with or without newlines between them.
 */
export class JsonSplitter {
  private text = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Text outside any object, reported as one bad command at the next line end or object. */
  private stray = '';
  /** After a text too long: everything up to the next line end is dropped. */
  private discarding = false;

  constructor(
    private readonly onText: (text: string) => void,
    /** A text grew past MAX_COMMAND: it is dropped, with the rest of its line. */
    private readonly onTooLong: () => void,
  ) {}

  feed(chunk: string): void {
    for (const ch of chunk) {
      if (this.discarding) {
        if (ch === '\n') this.discarding = false;
        continue;
      }
      if (this.depth === 0 && !this.inString) {
        if (ch === '{' || ch === '[' || ch === '\n') this.flushStray();
        if (ch === '{' || ch === '[') {
          this.text = ch;
          this.depth = 1;
        } else if (!/\s/.test(ch) && this.stray.length < 64) this.stray += ch;
        continue;
      }
      this.text += ch;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === '\\') this.escaped = true;
        else if (ch === '"') this.inString = false;
      } else if (ch === '"') this.inString = true;
      else if (ch === '{' || ch === '[') this.depth++;
      else if (ch === '}' || ch === ']') this.depth--;
      if (this.depth === 0) {
        const text = this.text;
        this.text = '';
        this.onText(text);
      } else if (this.text.length > MAX_COMMAND) {
        this.text = '';
        this.depth = 0;
        this.inString = false;
        this.escaped = false;
        this.discarding = true;
        this.onTooLong();
      }
    }
  }

  private flushStray(): void {
    if (this.stray === '') return;
    const text = this.stray;
    this.stray = '';
    this.onText(text);
  }
}
