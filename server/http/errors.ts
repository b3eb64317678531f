import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ErrorParams, ErrorReason } from '../../shared/error-reasons.ts';
import type { ErrorBody, ErrorCode } from '../../shared/errors.ts';
import { redactPath } from '../observability/redact-path.ts';
import { accessReason } from './access-reasons.ts';

/** Why, for the client to word: a code of shared/error-reasons.ts and its parameters. */
export interface Why {
  reason: ErrorReason;
  params?: ErrorParams;
}

/**
 * An error with an HTTP status and a code from shared/errors.ts; the error middleware answers
 * it. `why` is what the client words for a person; the message is English, for developers.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly why?: Why,
  ) {
    super(message);
  }
}

const because = (why?: ErrorReason | Why): Why | undefined => (typeof why === 'string' ? { reason: why } : why);

export const badRequest = (message: string, details?: unknown, why?: ErrorReason | Why) =>
  new HttpError(400, 'bad_request', message, details, because(why));
export const unauthorized = (message = 'sign in first', why: ErrorReason | Why = 'sign-in.required') =>
  new HttpError(401, 'unauthorized', message, undefined, because(why));
export const forbidden = (message: string, why?: ErrorReason | Why) =>
  new HttpError(403, 'forbidden', message, undefined, because(why));
export const notFound = (message: string, why?: ErrorReason | Why) =>
  new HttpError(404, 'not_found', message, undefined, because(why));
export const conflict = (message: string, why?: ErrorReason | Why) =>
  new HttpError(409, 'conflict', message, undefined, because(why));

/** Parses `value` with a zod schema, or throws a 400 that lists each problem and where. */
export function parse<T extends z.ZodType>(schema: T, value: unknown, what = 'request body'): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const details = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new HttpError(400, 'validation_failed', `invalid ${what}`, details);
  }
  return result.data;
}

function body(code: ErrorCode, message: string, details?: unknown, why?: Why): ErrorBody {
  return {
    error: {
      code,
      message,
      ...(why ? { reason: why.reason, ...(why.params ? { params: why.params } : {}) } : {}),
      ...(details === undefined ? {} : { details }),
    },
  };
}

/** The last middleware: every error leaves as `{"error":{code,message,details}}`. */
export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (res.headersSent) {
      res.end();
      return;
    }
    if (err instanceof HttpError) {
      // A refusal of access (the access control's words) is worded by the client from its code.
      const why = err.why ?? accessReason(err.message);
      res.status(err.status).json(body(err.code, err.message, err.details, why));
      return;
    }
    // Errors raised by express.json() and friends carry a status and a type.
    const e = err as { status?: number; type?: string; message?: string };
    if (e.type === 'entity.too.large') {
      res.status(413).json(body('payload_too_large', 'the request body is too large'));
      return;
    }
    if (e.type === 'entity.parse.failed') {
      res.status(400).json(body('bad_request', 'the request body is not valid JSON'));
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      // Such messages may quote the path (a parameter that does not decode): never echoed.
      res.status(e.status).json(body('bad_request', 'bad request'));
      return;
    }
    log.error(
      { err: redactedError(err), reqId: res.locals.reqId, method: req.method, route: req.route?.path },
      'request failed',
    );
    res.status(500).json(body('internal', 'something went wrong on our side; nothing was changed'));
  };
}

/**
 * An error as it is logged: its message and stack with CPR-like digit runs redacted (a
 * message may quote a path or a value).
 */
export function redactedError(err: unknown): unknown {
  if (!(err instanceof Error)) return typeof err === 'string' ? redactPath(err) : err;
  return { type: err.name, message: redactPath(err.message), stack: err.stack && redactPath(err.stack) };
}

/** No route: the answer does not echo the path (it may hold a CPR number, and would end up in a client's log). */
export function notFoundHandler(req: Request, res: Response): void {
  res.status(404).json(body('not_found', `no such route for ${req.method}`));
}
