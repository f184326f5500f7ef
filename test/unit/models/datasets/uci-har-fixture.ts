// Writes UCI HAR split folders in the published layout from generated values (never dataset
// content), for the reader and task tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** MATLAB-style "%15.7e" with a 3-digit exponent, as in the published Inertial Signals files. */
export function fmt(v: number): string {
  const [mantissa, exponent = '0'] = v.toExponential(7).split('e');
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exponent.replace(/^[+-]/, '').padStart(3, '0')}`.padStart(15, ' ');
}

export const SIGNALS = ['body_acc_x', 'body_acc_y', 'body_acc_z', 'body_gyro_x', 'body_gyro_y', 'body_gyro_z', 'total_acc_x', 'total_acc_y', 'total_acc_z'];

/** A value per signal, window and sample, exactly representable after the 8-digit print. */
export function value(signal: number, window: number, t: number): number {
  return (signal + 1) * 0.5 + window * 0.25 - t / 128;
}

export function writeSplit(root: string, split: string, labels: number[], subjects: number[]): void {
  const dir = join(root, split, 'Inertial Signals');
  mkdirSync(dir, { recursive: true });
  SIGNALS.forEach((signal, s) => {
    const rows = labels.map((_, i) => ' ' + Array.from({ length: 128 }, (_, t) => fmt(value(s, i, t))).join(' '));
    writeFileSync(join(dir, `${signal}_${split}.txt`), `${rows.join('\n')}\n`);
  });
  writeFileSync(join(root, split, `y_${split}.txt`), `${labels.join('\n')}\n`);
  writeFileSync(join(root, split, `subject_${split}.txt`), `${subjects.join('\n')}\n`);
}

/** Creates <data>/uci-har/UCI HAR Dataset with its top-level files; returns that folder. */
export function writeUciHarRoot(data: string): string {
  const root = join(data, 'uci-har', 'UCI HAR Dataset');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'activity_labels.txt'), '1 WALKING\n2 WALKING_UPSTAIRS\n3 WALKING_DOWNSTAIRS\n4 SITTING\n5 STANDING\n6 LAYING\n');
  writeFileSync(join(root, 'features.txt'), '1 tBodyAcc-mean()-X\n');
  return root;
}
