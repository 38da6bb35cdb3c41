/** A bind that failed, with the system's error code kept (EADDRINUSE, EAFNOSUPPORT, EADDRNOTAVAIL...). */
export class BindError extends Error {
  override readonly name = 'BindError';
  constructor(message: string, readonly code: string | undefined) {
    super(message);
  }
}
