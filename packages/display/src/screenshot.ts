import { writeFile } from 'node:fs/promises';
import type { DisplaySource, Frame } from '@plugboard/core';

/** A frame as a PNG file's bytes (8-bit RGB, no alpha: the screen is opaque). */
export async function encodePng(frame: Frame): Promise<Buffer> {
  // Loaded for the first screenshot, not by every process that loads the VNC plugin.
  const { PNG } = await import('pngjs');
  const png = new PNG({ width: frame.width, height: frame.height, colorType: 2, inputHasAlpha: true });
  png.data = Buffer.from(frame.rgba.buffer, frame.rgba.byteOffset, frame.width * frame.height * 4);
  return PNG.sync.write(png, { colorType: 2, inputHasAlpha: true });
}

/** Writes what `source` shows now to `path` as a PNG (`plugboard run --screenshot`, monitor `screendump`). */
export async function screenshot(source: DisplaySource, path: string): Promise<Frame> {
  const frame = source.render();
  if (frame.width === 0 || frame.height === 0)
    throw new Error(`screenshot ${path}: the display shows nothing (0x0)`);
  const png = await encodePng(frame);
  try {
    await writeFile(path, png);
  } catch (err) {
    throw new Error(`screenshot: cannot write ${path} (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  return frame;
}
