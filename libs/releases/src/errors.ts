/** Errors of the release front door; the HTTP layer maps them to status codes. */
export class ValidationFailedError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid submission: ${problems.join('; ')}`);
    this.name = 'ValidationFailedError';
  }
}

export class ReleaseNotFoundError extends Error {
  constructor(readonly releaseId: string) {
    super(`no release ${releaseId}`);
    this.name = 'ReleaseNotFoundError';
  }
}

export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}
