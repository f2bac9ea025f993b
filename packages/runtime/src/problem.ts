import { AppError, ERROR_CODES, type ErrorCode } from '@crm/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';

/** RFC 9457 problem document as every error response of the API carries it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  requestId?: string;
  errors?: Array<{ path: string; message: string }>;
  [extra: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemOf(error: AppError, requestId?: string, instance?: string): Problem {
  const { status, title } = ERROR_CODES[error.code];
  return {
    type: `/problems/${error.code.replace(/_/g, '-')}`,
    title,
    status,
    detail: error.detail ?? title,
    code: error.code,
    ...(instance ? { instance } : {}),
    ...(requestId ? { requestId } : {}),
    ...error.extra,
  };
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
    body: JSON.stringify(problem),
  };
}

/** A zod failure at the edge: 400 with one entry per offending path, prefixed by where it came from. */
export function validationError(where: 'body' | 'query' | 'header', error: z.ZodError): AppError {
  const errors = error.issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    return keys.map((key) => ({
      path: [where, ...issue.path.map(String), ...(key ? [key] : [])].join('.'),
      message: issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message,
    }));
  }).flat();
  return new AppError('validation_failed', `The ${where} is not valid: ${errors.map((e) => e.path).join(', ')}`, { errors });
}
