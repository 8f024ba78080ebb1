/**
 * Why a model call failed. Callers branch on the class with `instanceof`; `message` is
 * for logs (it never contains the API key), `userMessage` is what a person may be told.
 */
export class ModelError extends Error {
  readonly userMessage: string = "I couldn't reach my language model just now. Please try again in a moment.";
  constructor(
    message: string,
    readonly status?: number,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The provider refused the API key (401/403). An operator must fix the configuration. */
export class ModelAuthError extends ModelError {
  override readonly userMessage = "My language model refused my credentials. Please tell the server admin.";
}

/** The provider said to slow down (429). */
export class ModelRateLimitError extends ModelError {
  override readonly userMessage = "My language model is rate-limiting me right now. Please try again in a minute.";
  constructor(
    message: string,
    status?: number,
    readonly retryAfterSeconds?: number,
    cause?: unknown,
  ) {
    super(message, status, cause);
  }
}

/** No answer, or no new text, within the timeout. */
export class ModelTimeoutError extends ModelError {
  override readonly userMessage = "My language model took too long to answer. Please try again.";
}

/** The provider failed (5xx) or could not be reached. */
export class ModelServerError extends ModelError {}

/** The request itself was refused (400/404/422): an unknown model, a context too long... */
export class ModelRequestError extends ModelError {
  override readonly userMessage = "My language model rejected the request. Please tell the server admin.";
}

/** The provider does not know the model, or this key may not use it (404); or OPENAI_BASE_URL points at the wrong path. */
export class ModelNotFoundError extends ModelRequestError {}

/** The prompt (with the room asked for the reply) is longer than the model's context (400). */
export class ModelContextLengthError extends ModelRequestError {
  constructor(
    message: string,
    status?: number,
    /** The model's context size when the provider said it, in tokens. */
    readonly limitTokens?: number,
    cause?: unknown,
  ) {
    super(message, status, cause);
  }
}

/** The model refused one request parameter, or its value (400); the request may be retried without it. */
export class ModelParameterError extends ModelRequestError {
  constructor(
    message: string,
    status: number | undefined,
    /** The body field it refused, e.g. "temperature". */
    readonly parameter: string,
    /** The field to send the value in instead, when the provider named one ("max_completion_tokens"). */
    readonly replacement?: string,
    cause?: unknown,
  ) {
    super(message, status, cause);
  }
}

/** The reply stream broke: cut off, malformed, or empty. */
export class ModelStreamError extends ModelError {
  override readonly userMessage = "My reply got cut off by the language model. Please try again.";
}

/** The caller aborted the call (its AbortSignal fired). */
export class ModelAbortedError extends ModelError {
  override readonly userMessage = "I stopped before finishing that reply.";
}
