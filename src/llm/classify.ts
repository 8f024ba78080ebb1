import OpenAI from "openai";
import {
  ModelAbortedError,
  ModelAuthError,
  ModelContextLengthError,
  ModelError,
  ModelNotFoundError,
  ModelParameterError,
  ModelRateLimitError,
  ModelRequestError,
  ModelServerError,
  ModelStreamError,
  ModelTimeoutError,
} from "./errors.js";

/**
 * How providers word a prompt that does not fit. OpenAI and DeepSeek: "This model's maximum
 * context length is 131072 tokens. However, you requested …" (DeepSeek with code
 * "invalid_request_error"); OpenRouter: "This endpoint's maximum context length is …";
 * vLLM: "This model's maximum context length is …"; llama.cpp: "the request exceeds the
 * available context size" (type exceed_context_size_error, with n_ctx).
 */
const CONTEXT_LENGTH_WORDING = /maximum context length|exceeds the available context size|context length exceeded/i;
const CONTEXT_LIMIT_IN_WORDS = /maximum context length is (\d+)/i;
/**
 * Unknown models answered with 400 rather than 404: DeepSeek "Model Not Exist"
 * (code invalid_request_error); OpenRouter "x is not a valid model ID" ({error:{code:400}}).
 */
const UNKNOWN_MODEL_WORDING = /Model Not Exist|is not a valid model ID/i;
/** OpenAI: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead." */
const UNSUPPORTED_PARAMETER_WORDING = /Unsupported (?:parameter|value): '([\w.]+)'/;
const REPLACEMENT_WORDING = /Use '([\w.]+)' instead/;
/**
 * A body field the provider does not know: OpenAI "Unrecognized request argument supplied:
 * think", and "Unknown parameter: 'stream_options'." (code unknown_parameter,
 * github.com/QuantumNous/new-api/issues/418); Fireworks "Extra inputs are not permitted,
 * field: 'stream_options'" (github.com/FlowiseAI/Flowise/issues/2866).
 */
const UNKNOWN_FIELD_WORDING =
  /Unrecognized request argument supplied: ([\w.]+)|Unknown parameter: '([\w.]+)'|Extra inputs are not permitted, field: '([\w.]+)'/;

/** The `error` object of the provider's error body, whatever its shape (the SDK keeps it as `error`). */
function errorBody(error: InstanceType<typeof OpenAI.APIError>): Record<string, unknown> {
  const body: unknown = error.error;
  return typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
}

function contextLengthError(
  error: InstanceType<typeof OpenAI.APIError>,
  message: string,
): ModelContextLengthError | undefined {
  const body = errorBody(error);
  const isContextLength =
    error.code === "context_length_exceeded" ||
    error.type === "exceed_context_size_error" ||
    CONTEXT_LENGTH_WORDING.test(message);
  if (!isContextLength) return undefined;
  const stated = typeof body.n_ctx === "number" ? body.n_ctx : Number(CONTEXT_LIMIT_IN_WORDS.exec(message)?.[1]);
  const limit = Number.isFinite(stated) && stated > 0 ? stated : undefined;
  return new ModelContextLengthError(
    `The prompt is longer than the model's context (HTTP ${error.status}): ${message}`,
    error.status,
    limit,
    error,
  );
}

function parameterError(error: InstanceType<typeof OpenAI.APIError>, message: string): ModelParameterError | undefined {
  const named =
    error.code === "unsupported_parameter" || error.code === "unsupported_value" || error.code === "unknown_parameter"
      ? error.param
      : undefined;
  const unknownField = UNKNOWN_FIELD_WORDING.exec(message);
  const parameter =
    named ??
    UNSUPPORTED_PARAMETER_WORDING.exec(message)?.[1] ??
    unknownField?.slice(1).find((field) => field !== undefined);
  if (!parameter) return undefined;
  const replacement = REPLACEMENT_WORDING.exec(message)?.[1];
  return new ModelParameterError(
    `The model refused the parameter ${parameter} (HTTP ${error.status}): ${message}`,
    error.status,
    parameter,
    replacement,
    error,
  );
}

function statusError(error: InstanceType<typeof OpenAI.APIError>, status: number, message: string): ModelError {
  if (status === 401 || status === 403)
    return new ModelAuthError(`The model provider refused the API key (HTTP ${status}): ${message}`, status, error);
  if (status === 404 || (status === 400 && (error.code === "model_not_found" || UNKNOWN_MODEL_WORDING.test(message))))
    return new ModelNotFoundError(
      `The model provider does not know this model or path (HTTP ${status}): ${message}`,
      status,
      error,
    );
  if (status === 429) {
    const retryAfter = Number(error.headers?.get?.("retry-after"));
    return new ModelRateLimitError(
      `The model provider is rate-limiting (HTTP 429): ${message}`,
      status,
      Number.isFinite(retryAfter) ? retryAfter : undefined,
      error,
    );
  }
  if (status >= 500)
    return new ModelServerError(`The model provider failed (HTTP ${status}): ${message}`, status, error);
  if (status === 400) {
    const specific = contextLengthError(error, message) ?? parameterError(error, message);
    if (specific) return specific;
  }
  return new ModelRequestError(`The model provider rejected the request (HTTP ${status}): ${message}`, status, error);
}

/** Maps an SDK or network error to the matching ModelError. */
export function toModelError(error: unknown, midStream = false): ModelError {
  if (error instanceof ModelError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof OpenAI.APIConnectionTimeoutError)
    return new ModelTimeoutError(`The model did not answer in time: ${message}`, undefined, error);
  if (error instanceof OpenAI.APIUserAbortError) return new ModelAbortedError(message, undefined, error);
  if (error instanceof OpenAI.APIError && error.status !== undefined) return statusError(error, error.status, message);
  if (error instanceof OpenAI.APIConnectionError) {
    return midStream
      ? new ModelStreamError(`The reply stream broke: ${message}`, undefined, error)
      : new ModelServerError(`Cannot reach the model server: ${message}`, undefined, error);
  }
  // Malformed SSE frames and resets while reading the body surface as plain errors.
  return new ModelStreamError(`The reply stream broke: ${message}`, undefined, error);
}
