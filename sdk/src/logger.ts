/**
 * Where the SDK reports what it cannot throw (export runs in the background). Object first, message
 * second, so a pino logger fits as it is; `console` fits too.
 */
export interface Logger {
  warn(context: Record<string, unknown>, message: string): void;
  error(context: Record<string, unknown>, message: string): void;
}

export const silentLogger: Logger = { warn() {}, error() {} };
