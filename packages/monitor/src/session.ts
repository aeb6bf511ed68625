import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { BANNER, type Monitor, PROMPT } from './monitor.js';

/** QEMU's monitor ends lines with CR LF on every transport, so a raw terminal shows them right. */
const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');

/**
 * One conversation with the monitor over a pair of streams: the banner, the
 * prompt, and each line's answer, one command at a time in the order typed.
 * `terminal` turns on line editing and history (a person at a TTY).
 */
export class MonitorSession {
  private readonly rl: Interface;
  private queue: Promise<void> = Promise.resolve();
  private greeted = false;

  constructor(
    private readonly monitor: Monitor,
    input: Readable,
    private readonly output: Writable,
    terminal: boolean,
  ) {
    this.rl = createInterface({ input, output, terminal, prompt: PROMPT, historySize: 100 });
    this.rl.on('line', (line) => {
      this.queue = this.queue.then(() => this.run(line));
    });
    // Ctrl-C at the prompt drops the line being typed, as a shell does.
    this.rl.on('SIGINT', () => {
      this.rl.write(null, { ctrl: true, name: 'u' });
      this.output.write('\r\n');
      this.rl.prompt();
    });
  }

  /** Prints the banner the first time, and the prompt. */
  show(): void {
    if (!this.greeted) {
      this.greeted = true;
      this.output.write(`${BANNER}\r\n`);
    }
    this.rl.prompt();
  }

  close(): void {
    this.rl.close();
  }

  private async run(line: string): Promise<void> {
    const answer = await this.monitor.execute(line);
    if (answer) this.output.write(`${crlf(answer)}\r\n`);
    this.rl.prompt();
  }
}
