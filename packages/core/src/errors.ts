/**
 * Errors with stable codes. Use cases throw AppError; one mapper (runtime kit) turns a code into an
 * HTTP status and an RFC 9457 problem+json body. Clients may rely on `code`, never on `detail`.
 */
export const ERROR_CODES = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  invalid_json: { status: 400, title: 'The request body is not valid JSON' },
  invalid_cursor: { status: 400, title: 'The pagination cursor is not valid' },
  unauthorized: { status: 401, title: 'Authentication is required' },
  forbidden: { status: 403, title: 'The caller may not do this' },
  not_found: { status: 404, title: 'The resource does not exist' },
  route_not_found: { status: 404, title: 'No such route' },
  method_not_allowed: { status: 405, title: 'Method not allowed on this route' },
  not_acceptable: { status: 406, title: 'Not acceptable' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  already_deleted: { status: 409, title: 'The resource is deleted' },
  not_deleted: { status: 409, title: 'The resource is not deleted' },
  duplicate_customer: { status: 409, title: 'The customer looks like an existing one' },
  customer_merged: { status: 409, title: 'The customer was merged into another one' },
  customer_archived: { status: 409, title: 'The customer is archived; rehydrate it first' },
  merge_diverged: { status: 409, title: 'The merge can no longer be undone automatically' },
  unique_violation: { status: 409, title: 'Another record already has this unique value' },
  pipeline_archived: { status: 409, title: 'The pipeline is archived and takes no new deals' },
  stage_in_use: { status: 409, title: 'The stage still holds deals' },
  stage_unchanged: { status: 409, title: 'The deal is already in this stage' },
  unknown_stage: { status: 400, title: 'The pipeline has no such stage' },
  stage_reason_required: { status: 400, title: 'Entering a won or lost stage needs a reason' },
  precondition_failed: { status: 412, title: 'The resource has changed since it was read' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'Only application/json is accepted' },
  idempotency_key_reused: { status: 422, title: 'The Idempotency-Key was used for a different request' },
  content_blocked: { status: 422, title: 'The content contains blocked words' },
  stage_requirements_missing: { status: 422, title: 'The deal lacks fields the target stage requires' },
  precondition_required: { status: 428, title: 'This request needs an If-Match header' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal error' },
  service_unavailable: { status: 503, title: 'Service temporarily unavailable' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FieldError {
  /** JSON pointer-like dotted path to the offending input, e.g. `body.phones.0.number`. */
  path: string;
  message: string;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly extra: { errors?: FieldError[]; [key: string]: unknown } = {},
  ) {
    super(detail ?? ERROR_CODES[code].title);
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export function notFound(what: string): AppError {
  return new AppError('not_found', `${what} was not found`);
}
