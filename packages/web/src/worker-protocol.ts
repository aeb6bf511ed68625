import type { Json, ShutdownEvent } from '@plugboard/core';
import type { JitStats } from '@plugboard/cpu-x86';

/**
 * The messages between a page's `Plugboard` and the worker that runs its
 * machine (`machine-worker.ts`): the page keeps the canvas, the terminal and
 * the input; the worker keeps everything the machine touches.
 */

/** What the page asks the worker to build and run. */
export interface StartRequest {
  type: 'start';
  profile: string | Json;
  overrides: Json[];
  /** Where relative URLs resolve: the page's address. */
  base: string;
  firmwareDirs: string[];
  /** Files the user picked, by the name a profile gives as `picked:NAME`. */
  files: Record<string, Uint8Array>;
}

/** One damaged rectangle of the screen, its RGBA pixels row by row (w * h * 4 bytes). */
export interface FrameRect {
  x: number;
  y: number;
  w: number;
  h: number;
  pixels: ArrayBuffer;
}

/** A `url` drive as the page sees it. */
export interface DriveStatus {
  id: string;
  url: string;
  sectorSize: number;
  sectorCount: number;
  /** Sectors written since the image was first used (persisted ones included). */
  changedSectors: number;
  /** Range requests made for the image so far (64 KiB each). */
  rangeRequests: number;
  /** Changed sectors not yet in IndexedDB. */
  unsaved: number;
  /** Why the last batch did not reach IndexedDB (a full quota, private browsing), or null. */
  storeError: string | null;
  /** Where the writes persist in IndexedDB across page loads (`overlayKey`), or null: in memory only. */
  storeKey: string | null;
}

export interface MachineStatus {
  instructions: number;
  /** The x86 translator's counters (units, those in WebAssembly, instructions retired in them), or null when it is off. */
  jit: JitStats | null;
  drives: DriveStatus[];
}

export type ToWorker =
  | StartRequest
  | { type: 'serial'; text: string }
  | { type: 'key'; code: string; down: boolean }
  | { type: 'mouse'; dx: number; dy: number; dz: number; buttons: number }
  /** The pointer over the canvas, for a machine with a tablet: x and y 0..POINTER_ABS_MAX. */
  | { type: 'pointer'; x: number; y: number; dz: number; buttons: number }
  /** The page drew the last frame and wants the next (one in flight at a time). */
  | { type: 'frame' }
  | { type: 'request'; id: number; what: 'status' }
  | { type: 'request'; id: number; what: 'image'; drive: string }
  | { type: 'stop' };

export type FromWorker =
  | {
      type: 'ready';
      name: string;
      buildMs: number;
      display: boolean;
      /** The machine has an absolute pointing device (a USB tablet): the page sends positions, not motion. */
      tablet: boolean;
      drives: DriveStatus[];
    }
  | { type: 'serial'; text: string }
  /** `rects` empty: nothing changed since the last frame. */
  | { type: 'frame'; width: number; height: number; rects: FrameRect[] }
  | { type: 'shutdown'; event: ShutdownEvent }
  | { type: 'error'; message: string; name: string }
  | { type: 'warning'; message: string }
  | { type: 'reply'; id: number; value: unknown; error?: string };
