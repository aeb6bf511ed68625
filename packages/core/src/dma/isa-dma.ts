/**
 * A device's side of an ISA DMA channel: called while its DREQ is up and the
 * channel is unmasked, with the bytes moved so far and the transfer's size
 * (the channel's count + 1, in bytes); it moves data with `readMemory` /
 * `writeMemory` and returns the new position. Reaching `size` is terminal
 * count (TC).
 */
export type DmaTransferHandler = (position: number, size: number) => number;

/**
 * The board's ISA DMA channels (the AT's two 8237As), as an ISA device uses
 * them: bound under `Tokens.IsaDma` by the chipset that has them. Addresses
 * and counts are the controller's: a device passes positions within the
 * transfer, never bus addresses, so the 8237's 16-bit address wrap and its
 * page registers stay the controller's business.
 */
export interface IsaDmaController {
  connect(channel: number, handler: DmaTransferHandler): void;
  setDreq(channel: number, level: boolean): void;
  /** Copies from guest memory at the channel's address + `position` into `dest`; returns bytes copied. */
  readMemory(channel: number, position: number, dest: Uint8Array, offset: number, length: number): number;
  /** Copies `src` into guest memory at the channel's address + `position`; returns bytes copied. */
  writeMemory(channel: number, position: number, src: Uint8Array, offset: number, length: number): number;
}
