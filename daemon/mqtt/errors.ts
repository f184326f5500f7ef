// Errors of the MQTT part. `code` is what callers branch on.
export type MqttErrorCode = 'broker-listen' | 'tls-file' | 'connect-refused' | 'not-started' | 'publish-failed';

export class MqttError extends Error {
  readonly code: MqttErrorCode;
  constructor(code: MqttErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MqttError';
    this.code = code;
  }
}
