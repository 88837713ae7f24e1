import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { Router, type Request, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';

/**
 * Limits `POST /v2/dry-run` of the scaffolder per signed-in user (express-rate-limit, the
 * library Backstage's own per-plugin limiter uses; that one counts per IP address, and many
 * users share one behind a proxy). Every dry run materialises a workspace and runs actions, so
 * one user cannot keep the backend busy. The counter lives in memory per backend replica.
 *
 * @public
 */
export function createDryRunRateLimit(options: {
  httpAuth: HttpAuthService;
  limit: number;
  windowMs: number;
}): RequestHandler {
  const { httpAuth, limit, windowMs } = options;
  const userOf = async (req: Request) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    return credentials.principal.userEntityRef;
  };
  const limiter = rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // Other principals (services) are not limited; requests without credentials are refused
    // by the scaffolder itself.
    skip: async req => {
      try {
        await userOf(req);
        return false;
      } catch {
        return true;
      }
    },
    keyGenerator: async req => `dry-run:${await userOf(req)}`,
    handler: (_req, res) => {
      res.status(429).json({
        error: {
          name: 'TooManyRequestsError',
          message: `Too many dry runs: at most ${limit} per ${Math.round(
            windowMs / 1000,
          )} s per user (gpuCluster.dryRunRateLimit). Try again later.`,
        },
        response: { statusCode: 429 },
      });
    },
  });
  const router = Router();
  router.post('/v2/dry-run', limiter);
  return router;
}
