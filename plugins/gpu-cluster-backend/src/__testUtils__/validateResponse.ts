import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';

const doc = parse(
  fs.readFileSync(path.join(__dirname, '../schema/openapi.yaml'), 'utf8'),
);
// OpenAPI 3.0 schemas are JSON Schema enough for Ajv once refs point into the document.
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema(doc, 'openapi');

/** Throws unless `body` matches the response schema of `<method> path` with `status` in openapi.yaml. */
export function validateResponse(
  apiPath: string,
  status: number,
  body: unknown,
  method: 'get' | 'post' = 'get',
) {
  let response = doc.paths[apiPath]?.[method]?.responses?.[String(status)];
  if (!response) {
    throw new Error(
      `openapi.yaml has no ${status} response for ${method.toUpperCase()} ${apiPath}`,
    );
  }
  if (response.$ref) {
    response = doc.components.responses[response.$ref.split('/').pop()];
  }
  const schema = JSON.parse(
    JSON.stringify(response.content['application/json'].schema).replace(
      /"#\/components/g,
      '"openapi#/components',
    ),
  );
  const validate = ajv.compile(schema);
  if (!validate(body)) {
    throw new Error(
      `response does not match openapi.yaml (${apiPath} ${status}): ${ajv.errorsText(
        validate.errors,
      )}`,
    );
  }
}
