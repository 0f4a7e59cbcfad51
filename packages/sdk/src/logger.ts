// The logger interface the SDK writes to (pino-compatible: fields first, then the message).
export interface Logger {
  debug(fields: object, msg?: string): void;
  info(fields: object, msg?: string): void;
  warn(fields: object, msg?: string): void;
  error(fields: object, msg?: string): void;
  child?(bindings: object): Logger;
}

/** Default: warnings and errors to the console, nothing else. */
export const consoleLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (fields, msg) => console.warn(`[jobnik] ${msg ?? ''}`, fields),
  error: (fields, msg) => console.error(`[jobnik] ${msg ?? ''}`, fields),
};

/** A logger that adds `bindings` to every line (the logger's own child() when it has one). */
export function childLogger(logger: Logger, bindings: object): Logger {
  if (logger.child) return logger.child(bindings);
  return {
    debug: (f, m) => logger.debug({ ...bindings, ...f }, m),
    info: (f, m) => logger.info({ ...bindings, ...f }, m),
    warn: (f, m) => logger.warn({ ...bindings, ...f }, m),
    error: (f, m) => logger.error({ ...bindings, ...f }, m),
  };
}
