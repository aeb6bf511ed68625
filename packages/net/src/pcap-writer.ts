import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * libpcap's classic file format with nanosecond timestamps (the 0xa1b23c4d
 * magic tshark, Wireshark and tcpdump read): a frame carries the exact virtual
 * time of the register write that sent it, as register traces print it.
 */
const PCAP_MAGIC_NS = 0xa1b23c4d;
const LINKTYPE_ETHERNET = 1;

/**
 * Writes frames to a .pcap file. Written by hand: the format is a 24-byte file
 * header and a 16-byte header per record, and npm has no maintained writer.
 * Each record is written as it comes (synchronously, so a capture is complete
 * up to the last frame even if the process dies).
 */
export class PcapWriter {
  private fd: number | null;
  private readonly header = Buffer.alloc(16);

  constructor(
    readonly file: string,
    readonly snaplen = 65535,
  ) {
    this.fd = openSync(file, 'w');
    const h = Buffer.alloc(24);
    h.writeUInt32LE(PCAP_MAGIC_NS, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeInt32LE(0, 8);
    h.writeUInt32LE(0, 12);
    h.writeUInt32LE(snaplen, 16);
    h.writeUInt32LE(LINKTYPE_ETHERNET, 20);
    writeSync(this.fd, h);
  }

  /** Appends one frame stamped with `timeNs` (virtual time, so captures repeat exactly). */
  write(frame: Uint8Array, timeNs: number): void {
    if (this.fd === null) return;
    const ns = Math.floor(timeNs);
    const captured = Math.min(frame.length, this.snaplen);
    this.header.writeUInt32LE(Math.floor(ns / 1e9) >>> 0, 0);
    this.header.writeUInt32LE(ns % 1e9, 4);
    this.header.writeUInt32LE(captured, 8);
    this.header.writeUInt32LE(frame.length, 12);
    writeSync(this.fd, this.header);
    writeSync(this.fd, frame, 0, captured);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
