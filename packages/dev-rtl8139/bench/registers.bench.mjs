// Register window throughput of the built RTL8139, the path every driver
// access takes through the register table: millions of accesses per CPU
// second for 1-, 2- and 4-byte writes that run no side effect (RCR, MAR),
// that clear ISR bits (write-1-to-clear, an interrupt update) and reads of
// a plain register. Each figure is the median of RUNS runs of ACCESSES.
//   npm run bench -- rtl8139   (builds first)
import { Clock } from '@plugboard/core';
import { registers as R, Rtl8139 } from '@plugboard/dev-rtl8139';

const RUNS = 7;
const ACCESSES = 2_000_000;

const nic = new Rtl8139({
  id: 'nic',
  model: 'C+',
  mac: new Uint8Array([0x52, 0x54, 0, 0x12, 0x34, 0x56]),
  fn: { command: 0, setIrq() {} },
  dma: null,
  clock: new Clock(),
});

/** Median accesses per CPU second (user + system) of `body(i)` run ACCESSES times. */
function measure(body) {
  const rates = [];
  for (let run = 0; run < RUNS; run++) {
    const start = process.cpuUsage();
    for (let i = 0; i < ACCESSES; i++) body(i);
    const used = process.cpuUsage(start);
    rates.push(ACCESSES / ((used.user + used.system) / 1e6));
  }
  rates.sort((a, b) => a - b);
  return rates[RUNS >> 1];
}

const cases = [
  ['write32 RCR', (i) => nic.write(R.RCR, 4, i & 0x0000ff8f)],
  ['write16 MAR', (i) => nic.write(R.MAR0 + (i & 6), 2, i & 0xffff)],
  ['write8 RCR lane', (i) => nic.write(R.RCR + (i & 3), 1, i & 0x0f)],
  ['write16 ISR (W1C)', (i) => nic.write(R.ISR, 2, i & 0xffff)],
  ['read32 RBSTART', () => nic.read(R.RBSTART, 4)],
];
for (const [name, body] of cases) {
  console.log(`${name.padEnd(20)} ${(measure(body) / 1e6).toFixed(1)} M accesses per CPU second`);
}
