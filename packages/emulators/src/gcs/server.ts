import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  GcsApiError,
  GcsStore,
  type StoredBucket,
  type StoredObject,
} from './store';

/**
 * A Cloud Storage JSON API emulator (https://cloud.google.com/storage/docs/json_api/v1) on
 * loopback HTTP, enough for the official Node client and Terraform's `gcs` backend when they are
 * pointed at it with `STORAGE_EMULATOR_HOST`: buckets get/insert/patch/list/delete, objects
 * list/get/delete, media/multipart/resumable uploads, JSON (`alt=media`) and XML-path downloads.
 */
export interface GcsEmulatorOptions {
  /** Interface to listen on; loopback by default. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /**
   * Bearer token every request must carry. Unset: no authentication, as clients configured with
   * STORAGE_EMULATOR_HOST send none.
   */
  token?: string;
  /** Time source of timestamps (tests). */
  now?: () => Date;
}

export interface GcsEmulator {
  /** `http://host:port`: the value for STORAGE_EMULATOR_HOST or a client's apiEndpoint. */
  url: string;
  host: string;
  port: number;
  store: GcsStore;
  /** Requests served, as `METHOD path` (tests assert on what clients asked for). */
  requests: string[];
  stop(): Promise<void>;
}

const JSON_PREFIX = '/storage/v1';
const UPLOAD_PREFIX = '/upload/storage/v1';
const DOWNLOAD_PREFIX = '/download/storage/v1';

function bucketResource(base: string, b: StoredBucket) {
  return {
    kind: 'storage#bucket',
    id: b.name,
    selfLink: `${base}${JSON_PREFIX}/b/${b.name}`,
    projectNumber: b.projectNumber,
    name: b.name,
    timeCreated: b.timeCreated,
    updated: b.updated,
    metageneration: String(b.metageneration),
    location: b.location,
    locationType: /^(US|EU|ASIA)$/.test(b.location) ? 'multi-region' : 'region',
    storageClass: b.storageClass,
    etag: Buffer.from(`${b.name}/${b.metageneration}`).toString('base64'),
    versioning: { enabled: b.versioning },
    iamConfiguration: {
      bucketPolicyOnly: { enabled: b.uniformBucketLevelAccess },
      uniformBucketLevelAccess: { enabled: b.uniformBucketLevelAccess },
      publicAccessPrevention: b.publicAccessPrevention,
    },
    labels: b.labels,
  };
}

function objectResource(base: string, o: StoredObject) {
  const encoded = encodeURIComponent(o.name);
  return {
    kind: 'storage#object',
    id: `${o.bucket}/${o.name}/${o.generation}`,
    selfLink: `${base}${JSON_PREFIX}/b/${o.bucket}/o/${encoded}`,
    mediaLink: `${base}${DOWNLOAD_PREFIX}/b/${o.bucket}/o/${encoded}?generation=${o.generation}&alt=media`,
    name: o.name,
    bucket: o.bucket,
    generation: String(o.generation),
    metageneration: String(o.metageneration),
    contentType: o.contentType,
    storageClass: 'STANDARD',
    size: String(o.data.length),
    md5Hash: o.md5,
    crc32c: o.crc32c,
    etag: Buffer.from(`${o.generation}`).toString('base64'),
    timeCreated: o.timeCreated,
    updated: o.updated,
    ...(o.timeDeleted ? { timeDeleted: o.timeDeleted } : {}),
    ...(o.metadata ? { metadata: o.metadata } : {}),
  };
}

const optionalNumber = (value: string | null) =>
  value === null || value === '' ? undefined : Number(value);

function preconditions(query: URLSearchParams) {
  return {
    ifGenerationMatch: optionalNumber(query.get('ifGenerationMatch')),
    ifGenerationNotMatch: optionalNumber(query.get('ifGenerationNotMatch')),
    ifMetagenerationMatch: optionalNumber(query.get('ifMetagenerationMatch')),
  };
}

/** Splits a multipart/related body (metadata JSON part, then the media part). */
function parseMultipart(
  body: Buffer,
  contentType: string,
): { metadata: Record<string, any>; media: Buffer; mediaType?: string } {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!boundary)
    throw new GcsApiError(400, 'Missing multipart boundary', 'invalid');
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Buffer[] = [];
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    parts.push(body.subarray(start + delimiter.length, next));
    start = next;
  }
  const parsed = parts.map(part => {
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString('utf8');
    let content = part.subarray(headerEnd + 4);
    // The part ends with the CRLF that precedes the next delimiter.
    if (content.subarray(-2).toString() === '\r\n')
      content = content.subarray(0, -2);
    return {
      type: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim(),
      content,
    };
  });
  if (parsed.length < 2)
    throw new GcsApiError(400, 'Multipart body needs two parts', 'invalid');
  return {
    metadata: JSON.parse(parsed[0].content.toString('utf8') || '{}'),
    media: parsed[1].content,
    mediaType: parsed[1].type,
  };
}

interface ResumableSession {
  bucket: string;
  name: string;
  contentType?: string;
  metadata?: Record<string, string>;
  conditions: ReturnType<typeof preconditions>;
  chunks: Buffer[];
  received: number;
}

/** Starts the emulator. @public */
export async function startGcsEmulator(
  options: GcsEmulatorOptions = {},
): Promise<GcsEmulator> {
  const store = new GcsStore(options.now);
  const requests: string[] = [];
  const sessions = new Map<string, ResumableSession>();
  const expectedAuth = options.token
    ? Buffer.from(`Bearer ${options.token}`)
    : undefined;
  let base = '';

  const send = (
    res: http.ServerResponse,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    if (body === undefined) {
      res.writeHead(status, headers).end();
      return;
    }
    const text = JSON.stringify(body);
    res
      .writeHead(status, {
        'content-type': 'application/json; charset=UTF-8',
        'content-length': Buffer.byteLength(text),
        ...headers,
      })
      .end(text);
  };
  const sendMedia = (res: http.ServerResponse, object: StoredObject) => {
    res
      .writeHead(200, {
        'content-type': object.contentType,
        'content-length': object.data.length,
        'x-goog-generation': String(object.generation),
        'x-goog-metageneration': String(object.metageneration),
        'x-goog-hash': `crc32c=${object.crc32c},md5=${object.md5}`,
        'x-goog-stored-content-length': String(object.data.length),
        'last-modified': new Date(object.updated).toUTCString(),
        etag: `"${object.md5}"`,
      })
      .end(object.data);
  };

  const finishUpload = (
    res: http.ServerResponse,
    session: ResumableSession,
    data: Buffer,
  ) => {
    const object = store.insertObject(session.bucket, session.name, data, {
      contentType: session.contentType,
      metadata: session.metadata,
      ...session.conditions,
    });
    send(res, 200, objectResource(base, object));
  };

  const handle = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: Buffer,
  ) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = req.method ?? 'GET';
    const segments = url.pathname.split('/').slice(1);
    requests.push(`${method} ${url.pathname}`);
    if (expectedAuth) {
      const given = Buffer.from(req.headers.authorization ?? '');
      if (
        given.length !== expectedAuth.length ||
        !timingSafeEqual(given, expectedAuth)
      ) {
        // An unauthenticated JSON API call: 401 with reason required.
        throw new GcsApiError(
          401,
          'Anonymous caller does not have storage.objects.list access to the Google Cloud Storage bucket. Permission denied on resource (or it may not exist).',
          'required',
        );
      }
    }
    const query = url.searchParams;
    const json = () =>
      body.length ? JSON.parse(body.toString('utf8')) : ({} as any);

    // JSON API: /storage/v1/b[/bucket[/o[/object]]]
    if (url.pathname.startsWith(`${JSON_PREFIX}/b`)) {
      const [, , , bucket, o, ...rest] = segments;
      const object = rest.length ? decodeURIComponent(rest.join('/')) : '';
      if (!bucket) {
        const project = query.get('project');
        // buckets.insert / buckets.list need ?project= ("Required parameter: project").
        if (!project)
          throw new GcsApiError(400, 'Required parameter: project', 'required');
        if (method === 'POST')
          return send(
            res,
            200,
            bucketResource(base, store.insertBucket(project, json())),
          );
        if (method === 'GET')
          return send(res, 200, {
            kind: 'storage#buckets',
            items: store.listBuckets(project).map(b => bucketResource(base, b)),
          });
      } else if (o === undefined) {
        if (method === 'GET')
          return send(res, 200, bucketResource(base, store.getBucket(bucket)));
        if (method === 'PATCH' || method === 'PUT')
          return send(
            res,
            200,
            bucketResource(base, store.patchBucket(bucket, json())),
          );
        if (method === 'DELETE') {
          store.deleteBucket(bucket);
          return send(res, 204);
        }
      } else if (o === 'o' && !object) {
        if (method === 'GET') {
          const page = store.listObjects(bucket, {
            prefix: query.get('prefix') ?? undefined,
            delimiter: query.get('delimiter') ?? undefined,
            versions: query.get('versions') === 'true',
            maxResults: optionalNumber(query.get('maxResults')),
            pageToken: query.get('pageToken') ?? undefined,
          });
          return send(res, 200, {
            kind: 'storage#objects',
            ...(page.items.length
              ? { items: page.items.map(i => objectResource(base, i)) }
              : {}),
            ...(page.prefixes.length ? { prefixes: page.prefixes } : {}),
            ...(page.nextPageToken
              ? { nextPageToken: page.nextPageToken }
              : {}),
          });
        }
      } else if (o === 'o') {
        const generation = optionalNumber(query.get('generation'));
        if (method === 'GET') {
          const found = store.getObject(bucket, object, generation);
          const conditions = preconditions(query);
          if (
            conditions.ifGenerationMatch !== undefined &&
            conditions.ifGenerationMatch !== found.generation
          )
            throw new GcsApiError(
              412,
              'At least one of the pre-conditions you specified did not hold.',
              'conditionNotMet',
            );
          if (query.get('alt') === 'media') return sendMedia(res, found);
          return send(res, 200, objectResource(base, found));
        }
        if (method === 'DELETE') {
          store.deleteObject(bucket, object, {
            generation,
            ifGenerationMatch: preconditions(query).ifGenerationMatch,
          });
          return send(res, 204);
        }
      }
      throw new GcsApiError(
        405,
        `Method ${method} is not supported here`,
        'notSupported',
      );
    }

    // Downloads through the media link.
    if (url.pathname.startsWith(`${DOWNLOAD_PREFIX}/b/`)) {
      const [, , , , bucket, , ...rest] = segments;
      return sendMedia(
        res,
        store.getObject(
          bucket,
          decodeURIComponent(rest.join('/')),
          optionalNumber(query.get('generation')),
        ),
      );
    }

    // Uploads: /upload/storage/v1/b/<bucket>/o?uploadType=media|multipart|resumable
    if (url.pathname.startsWith(`${UPLOAD_PREFIX}/b/`)) {
      const bucket = segments[4];
      const uploadType = query.get('uploadType');
      const uploadId = query.get('upload_id');
      if (uploadId) {
        const session = sessions.get(uploadId);
        if (!session)
          throw new GcsApiError(404, 'No such upload session', 'notFound');
        if (method === 'DELETE') {
          sessions.delete(uploadId);
          return send(res, 499);
        }
        session.chunks.push(body);
        session.received += body.length;
        const range = /bytes (?:\d+-\d+|\*)\/(\d+|\*)/.exec(
          String(req.headers['content-range'] ?? ''),
        );
        const total = range && range[1] !== '*' ? Number(range[1]) : undefined;
        if (!range || (total !== undefined && session.received >= total)) {
          sessions.delete(uploadId);
          return finishUpload(res, session, Buffer.concat(session.chunks));
        }
        // More to come: 308 with the range persisted so far.
        return send(
          res,
          308,
          undefined,
          session.received ? { range: `bytes=0-${session.received - 1}` } : {},
        );
      }
      const conditions = preconditions(query);
      if (uploadType === 'media') {
        const name = query.get('name') ?? '';
        return finishUpload(
          res,
          {
            bucket,
            name,
            contentType: req.headers['content-type'],
            conditions,
            chunks: [],
            received: 0,
          },
          body,
        );
      }
      if (uploadType === 'multipart') {
        const parsed = parseMultipart(
          body,
          String(req.headers['content-type'] ?? ''),
        );
        return finishUpload(
          res,
          {
            bucket,
            name: String(parsed.metadata.name ?? query.get('name') ?? ''),
            contentType: parsed.metadata.contentType ?? parsed.mediaType,
            metadata: parsed.metadata.metadata,
            conditions,
            chunks: [],
            received: 0,
          },
          parsed.media,
        );
      }
      if (uploadType === 'resumable' && method === 'POST') {
        store.getBucket(bucket);
        const metadata = json();
        const id = randomBytes(12).toString('hex');
        sessions.set(id, {
          bucket,
          name: String(metadata.name ?? query.get('name') ?? ''),
          contentType:
            metadata.contentType ??
            String(req.headers['x-upload-content-type'] ?? '') ??
            undefined,
          metadata: metadata.metadata,
          conditions,
          chunks: [],
          received: 0,
        });
        const location = new URL(url.pathname, base);
        location.searchParams.set('uploadType', 'resumable');
        location.searchParams.set('name', String(metadata.name ?? ''));
        location.searchParams.set('upload_id', id);
        return send(res, 200, undefined, { location: location.toString() });
      }
      throw new GcsApiError(
        400,
        `Unsupported uploadType ${uploadType}`,
        'invalid',
      );
    }

    // XML API path-style reads (GET /<bucket>/<object>), which some clients use for downloads.
    if (method === 'GET' && segments.length >= 2 && segments[0]) {
      return sendMedia(
        res,
        store.getObject(
          segments[0],
          decodeURIComponent(segments.slice(1).join('/')),
          optionalNumber(query.get('generation')),
        ),
      );
    }
    throw new GcsApiError(404, `Not found: ${url.pathname}`, 'notFound');
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch(error => {
        const apiError =
          error instanceof GcsApiError
            ? error
            : new GcsApiError(
                error instanceof SyntaxError ? 400 : 500,
                error instanceof SyntaxError
                  ? `Invalid JSON payload: ${error.message}`
                  : 'Internal error',
                error instanceof SyntaxError ? 'parseError' : 'backendError',
              );
        if (!res.headersSent) send(res, apiError.code, apiError.toJSON());
        else res.destroy();
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () =>
      resolve(),
    );
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  base = `http://${host}:${port}`;
  return {
    url: base,
    host,
    port,
    store,
    requests,
    stop: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
