import { ApiError, badRequest } from '../server/status';

const isObject = (v: unknown): v is Record<string, any> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): any {
  if (!isObject(patch)) {
    return structuredClone(patch);
  }
  const result: Record<string, any> = isObject(target)
    ? structuredClone(target)
    : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      result[key] = mergePatch(result[key], value);
    }
  }
  return result;
}

const unescape = (token: string) =>
  token.replace(/~1/g, '/').replace(/~0/g, '~');

function locate(doc: any, pointer: string): { parent: any; key: string } {
  const tokens = pointer.split('/').slice(1).map(unescape);
  let parent = doc;
  for (const token of tokens.slice(0, -1)) {
    parent = Array.isArray(parent) ? parent[Number(token)] : parent?.[token];
    if (parent === undefined || parent === null) {
      throw badRequest(
        `the server rejected our request due to an error in our request: path ${pointer} not found`,
      );
    }
  }
  return { parent, key: tokens[tokens.length - 1] };
}

function getAt(doc: any, pointer: string) {
  if (pointer === '') return doc;
  const { parent, key } = locate(doc, pointer);
  return Array.isArray(parent) ? parent[Number(key)] : parent[key];
}

function removeAt(doc: any, pointer: string) {
  const { parent, key } = locate(doc, pointer);
  if (Array.isArray(parent)) {
    parent.splice(Number(key), 1);
  } else {
    if (!(key in parent)) {
      throw badRequest(
        `the server rejected our request due to an error in our request: unable to remove nonexistent key: ${key}`,
      );
    }
    delete parent[key];
  }
}

function addAt(doc: any, pointer: string, value: unknown, replace: boolean) {
  const { parent, key } = locate(doc, pointer);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    parent.splice(index, replace ? 1 : 0, structuredClone(value));
  } else {
    parent[key] = structuredClone(value);
  }
}

/** RFC 6902 JSON patch (`kubectl patch --type=json`). */
export function jsonPatch(target: unknown, operations: unknown): any {
  if (!Array.isArray(operations)) {
    throw badRequest('json patch must be an array of operations');
  }
  const doc = structuredClone(target);
  for (const op of operations as any[]) {
    switch (op.op) {
      case 'add':
        addAt(doc, op.path, op.value, false);
        break;
      case 'replace':
        getAt(doc, op.path);
        addAt(doc, op.path, op.value, true);
        break;
      case 'remove':
        removeAt(doc, op.path);
        break;
      case 'move': {
        const value = getAt(doc, op.from);
        removeAt(doc, op.from);
        addAt(doc, op.path, value, false);
        break;
      }
      case 'copy':
        addAt(doc, op.path, getAt(doc, op.from), false);
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, op.path)) !== JSON.stringify(op.value)) {
          throw new ApiError(422, 'Invalid', `testing value ${op.path} failed`);
        }
        break;
      default:
        throw badRequest(`Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}
