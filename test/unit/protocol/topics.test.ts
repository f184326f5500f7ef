import { describe, expect, it } from 'vitest';
import { activityTopic, gatewayStateTopic, imuTopic, inboundFilters, modeTopic, parseInboundTopic } from '../../../protocol/topics.ts';

describe('topics', () => {
  it('builds the documented names', () => {
    expect(imuTopic('har', 'w1')).toBe('har/w1/imu');
    expect(activityTopic('site/a', 'w1')).toBe('site/a/w1/activity');
    expect(modeTopic('har', 'w1')).toBe('har/w1/mode');
    expect(gatewayStateTopic('har')).toBe('har/gateway/state');
    expect(inboundFilters('har')).toEqual(['har/+/imu', 'har/+/battery']);
  });

  it('parses inbound topics under a multi-level base', () => {
    expect(parseInboundTopic('site/a', 'site/a/wrist-7/imu')).toEqual({ ok: true, deviceId: 'wrist-7', kind: 'imu' });
    expect(parseInboundTopic('har', 'har/w_1/battery')).toEqual({ ok: true, deviceId: 'w_1', kind: 'battery' });
  });

  it.each([
    ['other/w1/imu', 'not under'],
    ['har/w1', 'expected'],
    ['har//imu', 'does not match'],
    ['har/bad device!/imu', 'does not match'],
    [`har/${'x'.repeat(65)}/imu`, 'does not match'],
    ['har/w1/temperature', 'unknown kind'],
    ['har/w1/imu/extra', 'unknown kind'],
    ['har/gateway/imu', 'reserved'],
  ])('rejects %s', (topic, reason) => {
    const parsed = parseInboundTopic('har', topic);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });
});
