import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { ConflictError, ReleaseNotFoundError, ValidationFailedError } from '@pressline/releases';

/** Every error answers with `{ error: { code, message, problems? } }` and the right status. */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    const [status, body] = this.map(exception);
    res.status(status).json(body);
  }

  private map(e: unknown): [number, unknown] {
    if (e instanceof ValidationFailedError)
      return [400, { error: { code: 'invalid-request', message: e.message, problems: e.problems } }];
    if (e instanceof ReleaseNotFoundError)
      return [404, { error: { code: 'not-found', message: 'no such release, track or file' } }];
    if (e instanceof ConflictError) return [409, { error: { code: 'conflict', message: e.message } }];
    if (e instanceof HttpException) {
      const response = e.getResponse();
      if (
        typeof response === 'object' &&
        response !== null &&
        'error' in response &&
        typeof response.error === 'object'
      ) {
        return [e.getStatus(), response];
      }
      return [e.getStatus(), { error: { code: `http-${e.getStatus()}`, message: e.message } }];
    }
    if (e instanceof SyntaxError)
      return [400, { error: { code: 'invalid-json', message: 'the request body is not valid JSON' } }];
    this.logger.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    return [500, { error: { code: 'internal', message: 'internal error' } }];
  }
}
