import {
  CircuitState, ConsecutiveBreaker, ExponentialBackoff, TaskCancelledError, TimeoutStrategy, circuitBreaker, handleAll, handleWhen,
  isBrokenCircuitError, retry, timeout, wrap,
} from 'cockatiel';

/** Tunables of a call to a third-party provider; every one has a production default. */
export interface ResilientCallOptions {
  /** Time limit of one attempt in ms (default 3000). */
  attemptTimeoutMs?: number;
  /** Retries after a failed attempt (default 2; 0 = none, e.g. when the change feed retries), with exponential backoff and jitter. */
  retries?: number;
  /** First retry delay in ms (default 200). */
  retryInitialDelayMs?: number;
  /** Longest retry delay in ms (default 2000). */
  retryMaxDelayMs?: number;
  /** Consecutive failed attempts that open the circuit (default 5). */
  breakerThreshold?: number;
  /** Ms the circuit stays open before one trial call is let through (half-open; default 30000). */
  halfOpenAfterMs?: number;
}

export type CircuitStateName = 'closed' | 'open' | 'half_open' | 'isolated';

/** Why a resilient call failed: the circuit refused it, an attempt timed out, or the provider failed. */
export type CallFailureReason = 'circuit_open' | 'timeout' | 'error';

/**
 * cockatiel policies around calls to one provider: retry with exponential backoff (outermost) →
 * circuit breaker (shared by every caller of this instance: a provider that is down is down for
 * all tenants) → per-attempt timeout (aggressive: the caller is released even if the provider
 * ignores the abort signal). Create one per provider and container so the breaker sees every call.
 */
export interface ResilientCall {
  /** Runs `call` under the policies; rejects with the last error (see `failureReasonOf`). */
  execute<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /**
   * Whether a call made now would be refused without reaching the provider (open circuit before
   * its half-open time, or isolated), so callers can skip work (budget, reads) for a call that cannot happen.
   */
  refusesCalls(): boolean;
  readonly circuitState: CircuitStateName;
}

export function createResilientCall(options: ResilientCallOptions = {}): ResilientCall {
  const halfOpenAfterMs = options.halfOpenAfterMs ?? 30_000;
  const breaker = circuitBreaker(handleAll, { halfOpenAfter: halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5) });
  // cockatiel reports Open until the next execute() moves it to HalfOpen, so remember when it broke
  // (cockatiel measures with Date.now() as well) to know whether a call would be let through.
  let openedAt = 0;
  breaker.onBreak(() => {
    openedAt = Date.now();
  });
  const retries = options.retries ?? 2;
  const attemptTimeout = timeout(options.attemptTimeoutMs ?? 3_000, TimeoutStrategy.Aggressive);
  const policy: { execute<T>(fn: (context: { signal: AbortSignal }) => Promise<T>): Promise<T> } = retries > 0
    ? wrap(
      // An open circuit answers at once; retrying it would only burn the backoff.
      retry(handleWhen((error) => !isBrokenCircuitError(error)), {
        maxAttempts: retries,
        backoff: new ExponentialBackoff({ initialDelay: options.retryInitialDelayMs ?? 200, maxDelay: options.retryMaxDelayMs ?? 2_000 }),
      }),
      breaker,
      attemptTimeout,
    )
    : wrap(breaker, attemptTimeout);

  return {
    execute: (call) =>
      policy.execute(({ signal }) =>
        call(signal).catch((error: unknown) => {
          // A provider that honours the abort rejects with its own error (e.g. AbortError) before
          // the timeout policy does: still a timeout.
          throw signal.aborted ? new TaskCancelledError(`Attempt timed out: ${error instanceof Error ? error.message : String(error)}`) : error;
        }),
      ),
    refusesCalls: () =>
      breaker.state === CircuitState.Isolated || (breaker.state === CircuitState.Open && Date.now() - openedAt < halfOpenAfterMs),
    get circuitState(): CircuitStateName {
      return CIRCUIT_STATE_NAMES[breaker.state];
    },
  };
}

/** The reason behind an error thrown by `ResilientCall.execute`. */
export function failureReasonOf(error: unknown): CallFailureReason {
  // instanceof, not cockatiel's isTaskCancelledError: in 3.2.1 that helper tests the wrong marker.
  return isBrokenCircuitError(error) ? 'circuit_open' : error instanceof TaskCancelledError ? 'timeout' : 'error';
}

const CIRCUIT_STATE_NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};
