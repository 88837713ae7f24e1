import type { ServerResponse } from 'node:http';
import {
  ObjectStore,
  ResourceVersionTooOldError,
  type StoredEvent,
} from '../store/ObjectStore';
import {
  fieldSelectorMatcher,
  labelSelectorMatcher,
  SelectorParseError,
} from '../store/selectors';
import { apiVersionOf, fieldSelectableOf } from '../resources/registry';
import { badRequest } from './status';
import type { ResourceRequest } from './request';
import type { ResourceHandlers } from './ResourceHandlers';

export interface WatchOptions {
  bookmarkIntervalMs: number;
  /** End the stream after this long (fault injection: a dropped watch). */
  dropAfterMs?: number;
  onClose: (close: () => void) => () => void;
}

/**
 * Streams watch events as newline-delimited JSON, replaying retained events after the requested
 * resourceVersion (or the current state for "" / "0"), with BOOKMARKs and 410 for expired versions.
 */
export function serveWatch(
  store: ObjectStore,
  handlers: ResourceHandlers,
  req: ResourceRequest,
  query: URLSearchParams,
  res: ServerResponse,
  options: WatchOptions,
) {
  let labelMatch: (obj: any) => boolean;
  let fieldMatch: (obj: any) => boolean;
  try {
    labelMatch = labelSelectorMatcher(query.get('labelSelector'));
    fieldMatch = fieldSelectorMatcher(
      query.get('fieldSelector'),
      fieldSelectableOf(req.type, req.version),
    );
  } catch (e) {
    // Refused before the stream starts, as a list is (400 BadRequest).
    if (e instanceof SelectorParseError) throw badRequest(e.message);
    throw e;
  }
  const matches = (obj: Record<string, any>) =>
    (req.namespace === undefined || obj.metadata.namespace === req.namespace) &&
    (req.name === undefined || obj.metadata.name === req.name) &&
    labelMatch(obj) &&
    fieldMatch(obj);
  const bookmarks = ['1', 'true'].includes(
    query.get('allowWatchBookmarks') ?? '',
  );
  const sendInitialEvents = query.get('sendInitialEvents') === 'true';
  const requested = query.get('resourceVersion');

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  // Send headers now: clients wait for them before reading events, and there may be none for a while.
  res.flushHeaders();
  let closed = false;
  let unsubscribe = () => {};
  let unregister = () => {};
  const timers: NodeJS.Timeout[] = [];
  let bookmarkTimer: NodeJS.Timeout | undefined;
  const send = (type: string, object: Record<string, any>) => {
    if (!closed) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const bookmark = (annotations?: Record<string, string>) =>
    send('BOOKMARK', {
      kind: req.type.kind,
      apiVersion: apiVersionOf(req.type.group, req.version),
      metadata: {
        resourceVersion: String(store.currentRevision),
        ...(annotations ? { annotations } : {}),
      },
    });
  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    unregister();
    timers.forEach(clearTimeout);
    clearInterval(bookmarkTimer);
    res.end();
  };
  /**
   * A change moves an object into or out of a selected watch as the watch cache does
   * (k8s.io/apiserver pkg/storage/cacher/cache_watcher.go convertToWatchEvent): matching now but
   * not before → ADDED; matching before but not now → DELETED carrying the previous object with
   * the event's resourceVersion; neither → nothing.
   */
  const deliver = (event: StoredEvent) => {
    if (event.resource !== req.type.key) return;
    const now = event.type !== 'DELETED' && matches(event.object);
    const before =
      event.type === 'DELETED'
        ? matches(event.object)
        : event.previous !== undefined && matches(event.previous);
    if (!now && !before) return;
    let type: string = event.type;
    let object = event.object;
    if (event.type === 'MODIFIED' && now && !before) type = 'ADDED';
    if (event.type === 'MODIFIED' && !now && before) {
      type = 'DELETED';
      object = {
        ...event.previous!,
        metadata: {
          ...event.previous!.metadata,
          resourceVersion: event.object.metadata.resourceVersion,
        },
      };
    }
    send(
      type,
      handlers.present(req.type, req.version, structuredClone(object)),
    );
  };

  // Replay before subscribing is safe: the store is synchronous, nothing happens in between.
  if (!requested || requested === '0' || sendInitialEvents) {
    for (const obj of store.list(req.type.key, req.namespace).filter(matches)) {
      send('ADDED', handlers.present(req.type, req.version, obj));
    }
    if (sendInitialEvents && bookmarks)
      bookmark({ 'k8s.io/initial-events-end': 'true' });
  } else {
    try {
      store.eventsSince(req.type.key, Number(requested)).forEach(deliver);
    } catch (e) {
      if (!(e instanceof ResourceVersionTooOldError)) throw e;
      send('ERROR', {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `too old resource version: ${e.requested} (${e.oldest})`,
        reason: 'Expired',
        code: 410,
      });
      closed = true;
      res.end();
      return;
    }
  }
  const stopListening = store.subscribe(deliver);
  unsubscribe = () => void stopListening();
  unregister = options.onClose(close);
  res.on('close', close);
  const timeoutSeconds = Number(query.get('timeoutSeconds') ?? 0);
  if (timeoutSeconds > 0) timers.push(setTimeout(close, timeoutSeconds * 1000));
  if (options.dropAfterMs !== undefined) {
    // The server (or a proxy in between) ends the stream; clients must resume from their last version.
    timers.push(setTimeout(close, options.dropAfterMs));
  }
  if (bookmarks) {
    bookmarkTimer = setInterval(() => bookmark(), options.bookmarkIntervalMs);
  }
}
