/**
 * IDENTIFY DEVICE and IDENTIFY PACKET DEVICE data (ATA/ATAPI-6 sections
 * 8.15 and 8.16): 256 little-endian words. Word values follow what QEMU's
 * drives report, so guests tuned against QEMU pick the same modes.
 */

/** Largest SET MULTIPLE MODE block, in sectors (word 47). */
export const MAX_MULTIPLE_SECTORS = 16;

/** The transfer mode SET FEATURES selected: none, multiword DMA n (0x20|n) or Ultra DMA n (0x40|n). */
export const XFER_MWDMA = 0x20;
export const XFER_UDMA = 0x40;

export interface DiskIdentity {
  model: string;
  serial: string;
  firmware: string;
  sectors: number;
  /** Default geometry (words 1, 3, 6). */
  cylinders: number;
  heads: number;
  sectorsPerTrack: number;
  /** Current translation (words 54-58), set by INITIALIZE DEVICE PARAMETERS. */
  currentCylinders: number;
  currentHeads: number;
  currentSectorsPerTrack: number;
  multipleSectors: number;
  dmaMode: number;
  writeCache: boolean;
}

export interface PacketIdentity {
  model: string;
  serial: string;
  firmware: string;
  dmaMode: number;
}

function putString(words: Uint16Array, first: number, count: number, text: string): void {
  const padded = text.padEnd(count * 2, ' ').slice(0, count * 2);
  for (let i = 0; i < count; i++) {
    // ATA strings put the first character of each pair in the high byte.
    words[first + i] = ((padded.charCodeAt(2 * i) & 0xff) << 8) | (padded.charCodeAt(2 * i + 1) & 0xff);
  }
}

/** Word 255: signature 0xA5 and a checksum making the 512 bytes sum to zero. */
function putChecksum(words: Uint16Array): void {
  words[255] = 0x00a5;
  let sum = 0;
  for (let i = 0; i < 255; i++) sum += (words[i] & 0xff) + (words[i] >>> 8);
  sum += 0xa5;
  words[255] |= ((-sum & 0xff) << 8) & 0xff00;
}

function dmaWords(words: Uint16Array, dmaMode: number): void {
  // Multiword DMA 0-2 and Ultra DMA 0-5 supported, the selected one flagged in the high byte.
  words[63] = 0x0007 | ((dmaMode & 0xe0) === XFER_MWDMA ? 0x100 << (dmaMode & 7) : 0);
  words[88] = 0x003f | ((dmaMode & 0xe0) === XFER_UDMA ? 0x100 << (dmaMode & 7) : 0);
}

function toBytes(words: Uint16Array, out: Uint8Array): void {
  for (let i = 0; i < 256; i++) {
    out[2 * i] = words[i] & 0xff;
    out[2 * i + 1] = words[i] >>> 8;
  }
}

export function identifyDevice(id: DiskIdentity, out: Uint8Array): void {
  const w = new Uint16Array(256);
  const lba28 = Math.min(id.sectors, 0x0fffffff);
  const chsCapacity = id.currentCylinders * id.currentHeads * id.currentSectorsPerTrack;
  w[0] = 0x0040; // fixed device
  w[1] = id.cylinders;
  w[3] = id.heads;
  w[4] = 512 * id.sectorsPerTrack;
  w[5] = 512;
  w[6] = id.sectorsPerTrack;
  putString(w, 10, 10, id.serial);
  w[20] = 3;
  w[21] = 512;
  w[22] = 4;
  putString(w, 23, 4, id.firmware);
  putString(w, 27, 20, id.model);
  w[47] = 0x8000 | MAX_MULTIPLE_SECTORS;
  w[48] = 1; // 32-bit PIO
  w[49] = (1 << 11) | (1 << 9) | (1 << 8); // IORDY, LBA, DMA
  w[51] = 0x200;
  w[52] = 0x200;
  w[53] = 0x0007; // words 54-58, 64-70 and 88 are valid
  w[54] = id.currentCylinders;
  w[55] = id.currentHeads;
  w[56] = id.currentSectorsPerTrack;
  w[57] = chsCapacity & 0xffff;
  w[58] = chsCapacity >>> 16;
  w[59] = id.multipleSectors ? 0x100 | id.multipleSectors : 0;
  w[60] = lba28 & 0xffff;
  w[61] = lba28 >>> 16;
  w[62] = 0x0007;
  w[64] = 0x0003; // PIO 3 and 4
  w[65] = 120;
  w[66] = 120;
  w[67] = 120;
  w[68] = 120;
  w[80] = 0x00f0; // ATA-4 to ATA-7
  w[81] = 0x0016;
  // Supported and enabled: write cache; 48-bit addressing, FLUSH CACHE and FLUSH CACHE EXT.
  w[82] = (1 << 14) | (1 << 5);
  w[83] = (1 << 14) | (1 << 13) | (1 << 12) | (1 << 10);
  w[84] = 1 << 14;
  w[85] = (1 << 14) | (id.writeCache ? 1 << 5 : 0);
  w[86] = (1 << 13) | (1 << 12) | (1 << 10);
  w[87] = 1 << 14;
  dmaWords(w, id.dmaMode);
  w[93] = (1 << 14) | (1 << 13) | 1; // 80-conductor cable detected, device 0 passed
  const lba48 = id.sectors;
  w[100] = lba48 & 0xffff;
  w[101] = Math.floor(lba48 / 0x10000) & 0xffff;
  w[102] = Math.floor(lba48 / 0x100000000) & 0xffff;
  w[103] = 0;
  putChecksum(w);
  toBytes(w, out);
}

export function identifyPacketDevice(id: PacketIdentity, out: Uint8Array): void {
  const w = new Uint16Array(256);
  // ATAPI, CD-ROM device type (5), removable, accelerated DRQ, 12-byte packets.
  w[0] = (2 << 14) | (5 << 8) | (1 << 7) | (2 << 5);
  putString(w, 10, 10, id.serial);
  w[20] = 3;
  w[21] = 512;
  w[22] = 4;
  putString(w, 23, 4, id.firmware);
  putString(w, 27, 20, id.model);
  w[48] = 1;
  w[49] = (1 << 9) | (1 << 8); // LBA, DMA
  w[53] = 0x0007;
  w[62] = 0x0007;
  w[64] = 0x0003;
  w[65] = 0x00b4;
  w[66] = 0x00b4;
  w[67] = 0x012c;
  w[68] = 0x00b4;
  w[71] = 30;
  w[72] = 30;
  w[80] = 0x001e; // ATA-1 to ATA-4
  dmaWords(w, id.dmaMode);
  w[93] = (1 << 14) | (1 << 13) | 1;
  putChecksum(w);
  toBytes(w, out);
}
