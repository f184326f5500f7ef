// Stage 5: quantize each window to the model's int8 input (models/quantize.ts, ARITHMETIC.md section 1).
import { map, type OperatorFunction } from 'rxjs';
import { quantizeWindow } from '../../models/quantize.ts';
import type { QuantizedWindow, SampleWindow } from './types.ts';

export function quantizeWindows(scale: readonly number[]): OperatorFunction<SampleWindow, QuantizedWindow> {
  return map(({ samples, ...rest }) => ({ ...rest, input: quantizeWindow(samples, scale) }));
}
