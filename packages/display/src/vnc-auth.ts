import { createCipheriv, randomBytes, timingSafeEqual } from 'node:crypto';

/** RFB's VNC authentication: the challenge's length, and the longest password it uses. */
export const CHALLENGE_LENGTH = 16;
const KEY_LENGTH = 8;

/**
 * The key VNC authentication makes from a password: its first 8 bytes,
 * zero-padded, each byte's bits in reverse order (RFB's historical quirk).
 */
function desKey(password: string): Buffer {
  const key = Buffer.alloc(KEY_LENGTH);
  Buffer.from(password, 'latin1').copy(key, 0, 0, KEY_LENGTH);
  for (let i = 0; i < KEY_LENGTH; i++) {
    let b = key[i]!;
    let r = 0;
    for (let bit = 0; bit < 8; bit++, b >>= 1) r = (r << 1) | (b & 1);
    key[i] = r;
  }
  return key;
}

/**
 * DES-ECB of the challenge under the password's key, what a client answers.
 * OpenSSL 3 keeps single DES in its legacy provider, which Node does not load;
 * two-key triple DES with both keys equal (E_K D_K E_K) is single DES and is
 * in the default provider.
 */
export function vncAuthResponse(password: string, challenge: Uint8Array): Buffer {
  const key = desKey(password);
  const cipher = createCipheriv('des-ede-ecb', Buffer.concat([key, key]), null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(challenge), cipher.final()]);
}

export function newChallenge(): Buffer {
  return randomBytes(CHALLENGE_LENGTH);
}

/** Whether `response` answers `challenge` for `password`; never true without a password set. */
export function vncAuthOk(password: string | null, challenge: Uint8Array, response: Uint8Array): boolean {
  if (password === null || response.length !== CHALLENGE_LENGTH) return false;
  return timingSafeEqual(vncAuthResponse(password, challenge), response);
}
