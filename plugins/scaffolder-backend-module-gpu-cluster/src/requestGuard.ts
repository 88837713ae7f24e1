import { InputError } from '@backstage/errors';
import express, { Router, type RequestHandler } from 'express';

/** Keys the scaffolder's templating refuses ("Template record key … is reserved", a 500). */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The path of the first reserved key in `value`, if any (`values.identity.constructor`). */
export function reservedKeyPath(
  value: unknown,
  path: string,
): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = reservedKeyPath(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    // JSON.parse keeps "__proto__" as an own key, so Object.keys sees it.
    for (const key of Object.keys(value)) {
      const child = `${path}.${key}`;
      if (RESERVED_KEYS.has(key)) return child;
      const found = reservedKeyPath(
        (value as Record<string, unknown>)[key],
        child,
      );
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Refuses scaffolder requests whose `values` or `secrets` hold `__proto__`, `constructor` or
 * `prototype` keys with a 400 naming the field, before the scaffolder's templating meets them
 * and fails with a 500. Parses the JSON body itself (same limit as the scaffolder), which the
 * scaffolder's own parser then leaves as it is.
 *
 * @public
 */
export function createScaffolderRequestGuard(): RequestHandler {
  const router = Router();
  const check: RequestHandler = (req, _res, next) => {
    for (const field of ['values', 'secrets'] as const) {
      const found = reservedKeyPath(req.body?.[field], field);
      if (found) {
        next(new InputError(`${found}: the key is not allowed`));
        return;
      }
    }
    next();
  };
  const json = express.json({ limit: '10MB' });
  router.post('/v2/dry-run', json, check);
  router.post('/v2/tasks', json, check);
  return router;
}
