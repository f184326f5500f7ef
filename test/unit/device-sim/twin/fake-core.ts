// A fake McuCore that follows the mailbox protocol the way the firmware does, with switchable
// misbehaviour, to test the twin's protocol handling without the ISS.
import { MAILBOX, MAILBOX_COMMAND, MAILBOX_STATUS, REGIONS } from '../../../../device-sim/memory-map.ts';
import type { CoreStop, McuCore } from '../../../../device-sim/twin/core.ts';

export type FakeBehaviour = 'answer' | 'loop' | 'trap' | 'bad-model';

export class FakeCore implements McuCore {
  readonly mem = new Map<number, number>();
  booted = false;
  console = '';
  readonly behaviour: () => FakeBehaviour;
  readonly cyclesPerRun: number;
  constructor(behaviour: () => FakeBehaviour, cyclesPerRun = 1234) {
    this.behaviour = behaviour;
    this.cyclesPerRun = cyclesPerRun;
  }
  writeBytes(address: number, bytes: Uint8Array): void {
    bytes.forEach((b, i) => this.mem.set(address + i, b));
  }
  readBytes(address: number, length: number): Uint8Array {
    return Uint8Array.from({ length }, (_, i) => this.mem.get(address + i) ?? 0);
  }
  writeU32(address: number, value: number): void {
    for (let i = 0; i < 4; i++) this.mem.set(address + i, (value >>> (8 * i)) & 0xff);
  }
  readU32(address: number): number {
    let v = 0;
    for (let i = 0; i < 4; i++) v |= (this.mem.get(address + i) ?? 0) << (8 * i);
    return v >>> 0;
  }
  takeConsole(): string {
    const c = this.console;
    this.console = '';
    return c;
  }
  private mb(field: keyof typeof MAILBOX): number {
    return REGIONS.mailbox.base + MAILBOX[field];
  }
  run(maxCycles: number): CoreStop {
    const behaviour = this.behaviour();
    if (!this.booted) {
      this.booted = true;
      if (behaviour === 'bad-model') {
        this.writeU32(this.mb('ERROR_DETAIL'), (5 << 16) | 0xffff);
        this.writeU32(this.mb('STATUS'), MAILBOX_STATUS.ERROR_MODEL);
      } else {
        this.writeU32(this.mb('STATUS'), MAILBOX_STATUS.READY);
        this.console += 'har-fw: ready\n';
      }
      return { reason: 'wfi', cycles: 100 };
    }
    if (behaviour === 'loop') return { reason: 'budget', cycles: maxCycles };
    if (behaviour === 'trap') return { reason: 'halt', cycles: 10, exitCode: 0x102 };
    this.writeU32(this.mb('COMMAND'), MAILBOX_COMMAND.IDLE);
    const windowBytes = this.readU32(this.mb('WINDOW_BYTES'));
    const sum = [...this.readBytes(this.mb('WINDOW'), windowBytes)].reduce((a, b) => a + ((b << 24) >> 24), 0);
    this.writeU32(this.mb('SCORE_COUNT'), 2);
    this.writeU32(this.mb('SCORES'), sum);
    this.writeU32(this.mb('SCORES') + 4, -5 >>> 0);
    this.writeU32(this.mb('CLASS_INDEX'), 0);
    this.writeU32(this.mb('MARGIN'), 7);
    this.writeU32(this.mb('EXIT_TAKEN'), this.readU32(this.mb('THRESHOLD')) > 0 ? 1 : 0);
    this.writeU32(this.mb('MACS'), 999);
    this.writeU32(this.mb('CYCLES'), this.cyclesPerRun);
    this.writeU32(this.mb('INSTRET'), 1000);
    this.writeU32(this.mb('STATUS'), MAILBOX_STATUS.DONE);
    return { reason: 'wfi', cycles: this.cyclesPerRun + 50 };
  }
}

/** A model header that is only long enough for the twin's window-size read (6 channels x 4 samples). */
export function fakeModelBytes(): Uint8Array {
  const bytes = new Uint8Array(64);
  const view = new DataView(bytes.buffer);
  view.setUint16(32, 6, true);
  view.setUint16(34, 4, true);
  return bytes;
}
