/**
 * The error bodies Google's REST APIs answer with, so clients decode them as they decode Google's
 * (google-gax maps `error.status` / the HTTP code to a gRPC code and keeps `details`).
 */

/** An error the server turns into its JSON body. */
export class CloudApiError extends Error {
  constructor(
    readonly httpCode: number,
    message: string,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
  }
}

const STATUS_OF_CODE: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'UNIMPLEMENTED',
  409: 'ALREADY_EXISTS',
};

/**
 * The google.rpc.Status shape of the newer APIs (Service Usage, Resource Manager v3),
 * https://cloud.google.com/apis/design/errors#http_mapping: `{error: {code, message, status,
 * details}}` with an ErrorInfo naming the reason and the service.
 */
export function rpcError(
  httpCode: number,
  message: string,
  errorInfo?: {
    reason: string;
    domain: string;
    metadata?: Record<string, string>;
  },
): CloudApiError {
  return new CloudApiError(httpCode, message, {
    error: {
      code: httpCode,
      message,
      status: STATUS_OF_CODE[httpCode] ?? 'UNKNOWN',
      ...(errorInfo
        ? {
            details: [
              {
                '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
                ...errorInfo,
              },
            ],
          }
        : {}),
    },
  });
}

/**
 * The Compute Engine v1 shape (https://cloud.google.com/compute/docs/api/how-tos/errors):
 * `{error: {code, message, errors: [{message, domain, reason}]}}`, e.g. reason `notFound` with
 * "The resource 'projects/p/zones/z' was not found".
 */
export function computeError(
  httpCode: number,
  reason: string,
  message: string,
): CloudApiError {
  return new CloudApiError(httpCode, message, {
    error: {
      code: httpCode,
      message,
      errors: [{ message, domain: 'global', reason }],
    },
  });
}

/** Compute's 404 for a resource path such as `projects/p/zones/z`. */
export const computeNotFound = (resource: string) =>
  computeError(404, 'notFound', `The resource '${resource}' was not found`);

const TITLES: Record<string, string> = {
  'compute.googleapis.com': 'Compute Engine API',
  'serviceusage.googleapis.com': 'Service Usage API',
  'cloudresourcemanager.googleapis.com': 'Cloud Resource Manager API',
};

const serviceTitle = (service: string) => TITLES[service] ?? service;

/**
 * The answer of an API that is disabled in the project (the `accessNotConfigured` /
 * SERVICE_DISABLED error every Google API gives, with the console link to enable it).
 */
export function serviceDisabled(service: string, project: string) {
  const message = `${serviceTitle(
    service,
  )} has not been used in project ${project} before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/${service}/overview?project=${project} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.`;
  return rpcError(403, message, {
    reason: 'SERVICE_DISABLED',
    domain: 'googleapis.com',
    metadata: { service, consumer: `projects/${project}` },
  });
}

/** 401 without a valid bearer token (the text every Google API answers with). */
export const unauthenticated = () =>
  rpcError(
    401,
    'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
  );
