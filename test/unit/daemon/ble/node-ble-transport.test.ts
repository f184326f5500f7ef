import { describe, expect, it } from 'vitest';
import { NodeBleTransport, loadNodeBle } from '../../../../daemon/ble/node-ble-transport.ts';
import { BleError } from '../../../../daemon/ble/transport.ts';

describe('node-ble backend loading', () => {
  it('says to install node-ble when the package is absent', async () => {
    const err = await loadNodeBle('node-ble-package-that-is-not-installed').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BleError);
    expect((err as BleError).code).toBe('BLE_BACKEND_MISSING');
    expect((err as BleError).message).toContain('npm install node-ble');
    await expect(new NodeBleTransport({ moduleName: 'node-ble-package-that-is-not-installed' }).start()).rejects.toThrow(/npm install node-ble/);
  });
});
