import type { HostTerminalService } from '@plugboard/core';

/**
 * COM1's host side in a page: what the guest prints goes to `output`
 * listeners (the xterm.js terminal) and into a transcript scripts can read;
 * what the user types goes to the guest. Bound as core's HostTerminal, so a
 * profile's `stdio` serial backend lands here as it lands on a Node terminal.
 */
export class WebTerminal implements HostTerminalService {
  private receive: ((data: Uint8Array) => void) | null = null;
  private readonly decoder = new TextDecoder();
  private readonly encoder = new TextEncoder();
  private transcript = '';
  private readonly listeners: ((text: string) => void)[] = [];

  /** Everything the guest printed so far. */
  get text(): string {
    return this.transcript;
  }

  onOutput(listener: (text: string) => void): void {
    this.listeners.push(listener);
  }

  write(data: Uint8Array): void {
    const text = this.decoder.decode(data, { stream: true });
    this.transcript += text;
    for (const l of this.listeners) l(text);
  }

  /** Keys typed by the user (xterm.js's onData), as the guest's serial input. */
  type(text: string): void {
    this.receive?.(this.encoder.encode(text));
  }

  attach(receive: (data: Uint8Array) => void): void {
    this.receive = receive;
  }

  detach(receive: (data: Uint8Array) => void): void {
    if (this.receive === receive) this.receive = null;
  }
}
