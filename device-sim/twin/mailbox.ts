// Host side of the mailbox protocol (device-sim/memory-map.ts, MAILBOX): addresses and the
// read-out of a result. Pure helpers over an McuCore.
import { MAILBOX, MAILBOX_MAX_SCORES, REGIONS } from '../memory-map.ts';
import type { McuCore } from './core.ts';

export const mailboxAddress = (field: keyof typeof MAILBOX): number => REGIONS.mailbox.base + MAILBOX[field];

export interface MailboxResult {
  readonly classIndex: number;
  readonly margin: number;
  readonly exitTaken: number;
  readonly macs: number;
  readonly cycles: number;
  readonly instret: number;
  readonly scores: number[];
}

export function readMailboxResult(core: McuCore): MailboxResult {
  const count = Math.min(core.readU32(mailboxAddress('SCORE_COUNT')), MAILBOX_MAX_SCORES);
  const scores: number[] = [];
  for (let i = 0; i < count; i++) scores.push(core.readU32(mailboxAddress('SCORES') + 4 * i) | 0);
  return {
    classIndex: core.readU32(mailboxAddress('CLASS_INDEX')),
    margin: core.readU32(mailboxAddress('MARGIN')),
    exitTaken: core.readU32(mailboxAddress('EXIT_TAKEN')),
    macs: core.readU32(mailboxAddress('MACS')),
    cycles: core.readU32(mailboxAddress('CYCLES')),
    instret: core.readU32(mailboxAddress('INSTRET')),
    scores,
  };
}
