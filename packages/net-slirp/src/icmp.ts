import { fold, put16, sum16 } from './bytes.js';

const ECHO_REPLY = 0;
const ECHO_REQUEST = 8;

/**
 * The echo reply to an echo request, or null for anything else (bad
 * checksum, other types). Only the virtual addresses answer: Node has no
 * unprivileged ICMP sockets, so pings to other hosts are dropped.
 */
export function echoReply(b: Uint8Array): Uint8Array | null {
  if (b.length < 8 || b[0] !== ECHO_REQUEST || b[1] !== 0) return null;
  if (fold(sum16(b, 0, b.length)) !== 0) return null;
  const reply = b.slice();
  reply[0] = ECHO_REPLY;
  put16(reply, 2, 0);
  put16(reply, 2, fold(sum16(reply, 0, reply.length)));
  return reply;
}
