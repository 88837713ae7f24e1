import type { TypedRouter } from '@backstage/backend-openapi-utils';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import * as OpenApiValidator from 'express-openapi-validator';
import { spec, type EndpointMap } from './schema/openapi/generated';

/**
 * The plugin's one express router, typed from src/schema/openapi.yaml (handlers' parameters,
 * bodies and responses come from the generated EndpointMap, so the spec, the routes and the
 * shared model cannot drift) and validating every request against the same spec before any
 * handler runs.
 */
export type GpuClusterApiRouter = TypedRouter<EndpointMap>;

/** The largest body any route takes (a stack spec with eight node pools stays far below it). */
export const MAX_REQUEST_BODY = '100kb';

interface ValidatorError {
  errors?: { path?: string; message?: string }[];
  message?: string;
}

/**
 * "query.step: must be integer", "body.extra: must NOT have additional properties": each
 * refused field by name. (@backstage/backend-openapi-utils' router does the same validation
 * but keeps only the validator's summary, which omits the name of an unexpected property.)
 */
function describeRefusal(error: ValidatorError): string {
  const items = (error.errors ?? [])
    .slice(0, 5)
    .map(item => {
      const field = (item.path ?? '').replace(/^\//, '').replace(/\//g, '.');
      return field ? `${field}: ${item.message}` : item.message;
    })
    .filter(Boolean);
  return `Invalid request: ${items.length ? items.join('; ') : error.message}`;
}

export async function createGpuClusterApiRouter(): Promise<GpuClusterApiRouter> {
  const router = Router();
  router.use(express.json({ limit: MAX_REQUEST_BODY }));
  // The defaults of @backstage/backend-openapi-utils' validated router.
  router.use(
    OpenApiValidator.middleware({
      apiSpec: spec as any,
      validateRequests: {
        coerceTypes: false,
        allowUnknownQueryParameters: false,
      },
      validateResponses: false,
      ignoreUndocumented: true,
      // Match the path below the plugin's mount point (the spec's server is `/`).
      useRequestUrl: true,
    }),
  );
  router.use(
    (
      error: ValidatorError & { status?: number },
      _req: express.Request,
      _res: express.Response,
      next: express.NextFunction,
    ) => {
      // Only the validator's refusals; a body parser's 413 or 400 keeps its status.
      if (!Array.isArray(error?.errors)) {
        next(error);
        return;
      }
      next(new InputError(describeRefusal(error)));
    },
  );
  return router as unknown as GpuClusterApiRouter;
}
