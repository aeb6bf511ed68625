/** Where the chip is in a Microwire command. */
enum Phase {
  Idle,
  Command,
  ReadData,
  WriteData,
}

const OP_WRITE = 0b01;
const OP_READ = 0b10;
const OP_ERASE = 0b11;

/**
 * A 93C46/93C56/93C66 serial EEPROM in x16 organisation, driven pin by pin
 * (CS, SK, DI in; DO out) as NIC drivers bit-bang it. A command is a start
 * bit, a 2-bit opcode and `addressBits` address bits, clocked in on rising SK
 * edges; a read then shifts out a dummy 0 and 16 data bits, MSB first.
 * Writes and erases need EWEN first, as on the chip.
 */
export class Eeprom93Cx6 {
  readonly words: Uint16Array;
  private phase = Phase.Idle;
  private shift = 0;
  private bits = 0;
  private address = 0;
  private writeEnabled = false;
  private cs = false;
  private sk = false;
  /** The DO pin. */
  dataOut = true;

  /** 6 address bits for a 93C46 (64 words), 8 for a 93C56/93C66 (128/256 words). */
  constructor(
    readonly addressBits: 6 | 8,
    contents?: ArrayLike<number>,
  ) {
    this.words = new Uint16Array(1 << addressBits);
    if (contents) this.words.set(Array.from(contents).slice(0, this.words.length));
  }

  /** Drives the three input pins; a rising SK edge while CS is high clocks DI in. */
  setPins(cs: boolean, sk: boolean, di: boolean): void {
    if (!cs) {
      this.phase = Phase.Idle;
      this.bits = 0;
      this.shift = 0;
      this.dataOut = true;
    } else if (!this.cs) {
      this.phase = Phase.Command;
      this.bits = 0;
      this.shift = 0;
    }
    if (cs && sk && !this.sk) this.clock(di);
    this.cs = cs;
    this.sk = sk;
  }

  private clock(di: boolean): void {
    switch (this.phase) {
      case Phase.Command:
        // Leading zeros before the start bit are ignored.
        if (this.bits === 0 && !di) return;
        this.shift = (this.shift << 1) | (di ? 1 : 0);
        this.bits++;
        if (this.bits === 3 + this.addressBits) this.decode();
        break;
      case Phase.ReadData: {
        // Sequential read: after the last bit of a word the next word follows.
        this.dataOut = ((this.shift >> 15) & 1) === 1;
        this.shift = (this.shift << 1) & 0xffff;
        this.bits++;
        if (this.bits === 16) {
          this.address = (this.address + 1) & (this.words.length - 1);
          this.shift = this.words[this.address];
          this.bits = 0;
        }
        break;
      }
      case Phase.WriteData:
        this.shift = ((this.shift << 1) | (di ? 1 : 0)) & 0xffff;
        this.bits++;
        if (this.bits === 16) {
          if (this.writeEnabled && this.address < 0) this.words.fill(this.shift);
          else if (this.writeEnabled) this.words[this.address] = this.shift;
          this.phase = Phase.Idle;
          this.dataOut = true; // ready
        }
        break;
      case Phase.Idle:
        break;
    }
  }

  private decode(): void {
    const op = (this.shift >> this.addressBits) & 3;
    const address = this.shift & ((1 << this.addressBits) - 1);
    this.bits = 0;
    switch (op) {
      case OP_READ:
        this.address = address;
        this.shift = this.words[address];
        this.phase = Phase.ReadData;
        this.dataOut = false; // the dummy zero
        break;
      case OP_WRITE:
        this.address = address;
        this.shift = 0;
        this.phase = Phase.WriteData;
        break;
      case OP_ERASE:
        if (this.writeEnabled) this.words[address] = 0xffff;
        this.phase = Phase.Idle;
        break;
      default: {
        // 00: the top two address bits select EWDS (00), WRAL (01), ERAL (10), EWEN (11).
        const sub = address >> (this.addressBits - 2);
        if (sub === 0b11) this.writeEnabled = true;
        else if (sub === 0b00) this.writeEnabled = false;
        else if (sub === 0b10 && this.writeEnabled) this.words.fill(0xffff);
        else if (sub === 0b01) {
          this.phase = Phase.WriteData;
          this.shift = 0;
          this.address = -1;
          return;
        }
        this.phase = Phase.Idle;
      }
    }
  }
}
