// Errors of the /v1 API with their codes and statuses (their document's), answered as { message, code }.
import type { V1ErrorCode } from '@jobnik/contracts';

export class V1ApiError extends Error {
  constructor(
    readonly code: V1ErrorCode,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
