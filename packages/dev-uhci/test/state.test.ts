import { stateText } from '@plugboard/core/testing';
import { describe, expect, it } from 'vitest';
import { FRNUM, INTR_IOC, USBINTR } from '../src/registers.js';
import { plugUhci } from './guest.js';

const GET_DEVICE_DESCRIPTOR = [0x80, 6, 0, 1, 0, 0, 18, 0];

/** A driver's first steps: port reset and enable, run, a descriptor read, an interrupt left pending. */
async function busy() {
  const m = await plugUhci();
  m.enablePort();
  m.io.out16(USBINTR, INTR_IOC);
  m.start();
  m.control(0, GET_DEVICE_DESCRIPTOR, 18);
  m.frames(7);
  return m;
}

describe('PIIX3 UHCI: state', () => {
  it('is the same after the same steps, bit for bit (frames follow virtual time only)', async () => {
    const a = await busy();
    const b = await busy();
    expect(stateText(a.device)).toBe(stateText(b.device));
    expect(a.io.in16(FRNUM)).toBe(8); // nine frame ticks: frames 0-7 done, 8 in progress
  });

  it('saves and loads: the loaded controller reads and interrupts as the saved one', async () => {
    const a = await busy();
    const saved = a.device.vmstate?.save();
    if (!saved) throw new Error('no state');
    const b = await plugUhci();
    b.device.vmstate?.load(saved);
    expect(stateText(b.device)).toBe(stateText(a.device));
    expect(b.irq()).toBe(a.irq());
    expect(b.irq()).toBe(true);
  });

  it('resets to the state it was built with', async () => {
    const fresh = stateText((await plugUhci()).device);
    const a = await busy();
    expect(stateText(a.device)).not.toBe(fresh);
    a.device.reset?.();
    expect(stateText(a.device)).toBe(fresh);
    expect(a.irq()).toBe(false);
  });
});
