'use strict';

/*
 * The GKE backend: google_container_cluster and google_container_node_pool changes become the
 * ClusterManager calls the google provider makes (create, the update calls of nodePoolUpdate,
 * delete; each followed by the operation wait), sent to a GKE emulator. Its refusals surface as
 * the provider's errors ("error creating NodePool: googleapi: Error 400: …, badRequest"); the
 * state gets what GKE computed.
 */

const { createClient, waitForOperation, sleep } = require('./client');
const {
  clusterRequest,
  clusterUpdates,
  clusterOf,
  clusterLocation,
  clusterPath,
  nodePoolRequest,
  nodePoolUpdates,
  clusterComputed,
  nodePoolComputed,
} = require('./mapping');
const { isUnknown, conformBlock } = require('../values');

const CONTAINER_TYPES = new Set([
  'google_container_cluster',
  'google_container_node_pool',
]);

/** gRPC status → the HTTP status and reason googleapi errors print. */
const HTTP = {
  3: [400, 'badRequest'],
  9: [400, 'failedPrecondition'],
  5: [404, 'notFound'],
  6: [409, 'alreadyExists'],
  7: [403, 'forbidden'],
  16: [401, 'unauthorized'],
  8: [429, 'rateLimitExceeded'],
  12: [501, 'notImplemented'],
  13: [500, 'backendError'],
  14: [503, 'backendError'],
  4: [504, 'deadlineExceeded'],
};

/** A GKE refusal, worded as the google provider reports it. */
class GkeApplyError extends Error {
  constructor(action, error) {
    const code = typeof error.code === 'number' ? error.code : undefined;
    const details = error.details || error.message;
    const [http, reason] = HTTP[code] || [500, 'backendError'];
    super(
      code === undefined
        ? `${action}: ${details}`
        : `${action}: googleapi: Error ${http}: ${details}, ${reason}`,
    );
    this.name = 'GkeApplyError';
    this.code = code;
  }
}

const GRPC_NOT_FOUND = 5;
const GRPC_FAILED_PRECONDITION = 9;

/** Whether GKE turned a call away because another operation runs on the cluster. */
const incompatibleOperation = error =>
  error &&
  error.code === GRPC_FAILED_PRECONDITION &&
  /incompatible operation|currently .* operation|Please wait and try again/i.test(
    String(error.details || ''),
  );

class GkeBackend {
  constructor(config) {
    this.config = config;
    this.locks = new Map();
  }

  handles(typeName) {
    return CONTAINER_TYPES.has(typeName);
  }

  get client() {
    this.cached = this.cached || createClient(this.config);
    return this.cached;
  }

  async close() {
    if (this.cached) await this.cached.close().catch(() => {});
    this.cached = undefined;
  }

  /**
   * One change at a time per cluster within this process (Terraform applies sibling node pools
   * in parallel; the provider holds a cluster lock for the same reason), and a bounded retry when
   * GKE reports another process's operation in progress (retryWhileIncompatibleOperation).
   */
  async exclusive(clusterKey, fn) {
    const previous = this.locks.get(clusterKey) || Promise.resolve();
    const run = previous
      .catch(() => {})
      .then(async () => {
        const deadline = Date.now() + this.config.timeoutMs;
        for (;;) {
          try {
            return await fn();
          } catch (error) {
            if (!incompatibleOperation(error) || Date.now() > deadline)
              throw error;
            await sleep(this.config.pollMs);
          }
        }
      });
    this.locks.set(clusterKey, run);
    try {
      return await run;
    } finally {
      if (this.locks.get(clusterKey) === run) this.locks.delete(clusterKey);
    }
  }

  async call(method, request, location, what, action) {
    let operation;
    try {
      [operation] = await this.client[method](request);
    } catch (error) {
      throw Object.assign(new GkeApplyError(action, error), {
        code: error.code,
        details: error.details,
      });
    }
    try {
      return await waitForOperation(
        this.client,
        operation,
        location,
        this.config,
        what,
      );
    } catch (error) {
      throw new GkeApplyError(action, error);
    }
  }

  /**
   * ApplyResourceChange for a container resource: the GKE calls, then the new state — the
   * deterministic fill of `fill(planned)` with GKE's values where the plan left them unknown.
   * Resolves to null once a resource is deleted.
   */
  async apply({ typeName, schema, prior, planned, defaults, fill }) {
    if (typeName === 'google_container_cluster') {
      return this.applyCluster({ schema, prior, planned, defaults, fill });
    }
    return this.applyNodePool({ prior, planned, defaults, fill });
  }

  async applyCluster({ schema, prior, planned, defaults, fill }) {
    const value = planned || prior;
    const location = clusterLocation(value, defaults);
    const ref = { ...location, cluster: String(value.name) };
    const name = clusterPath(ref);
    if (planned === null) {
      // Provider-side guard of the real google provider (resourceContainerClusterDelete).
      if (prior.deletion_protection === true) {
        throw new Error(
          'Cannot destroy cluster because deletion_protection is set to true. Set it to false to proceed with cluster deletion.',
        );
      }
      await this.exclusive(name, async () => {
        try {
          await this.call(
            'deleteCluster',
            { name },
            location,
            'deleting GKE cluster',
            'Error deleting Cluster',
          );
        } catch (error) {
          if (error.code !== GRPC_NOT_FOUND) throw error;
        }
      });
      return null;
    }
    if (prior === null) {
      const request = clusterRequest(planned, defaults);
      await this.exclusive(name, async () => {
        await this.call(
          'createCluster',
          {
            parent: `projects/${location.project}/locations/${location.location}`,
            cluster: request.cluster,
          },
          location,
          'creating GKE cluster',
          'error creating Cluster',
        );
        // remove_default_node_pool: the provider deletes GKE's default-pool right after create.
        if (
          planned.remove_default_node_pool === true &&
          !request.cluster.nodePools
        ) {
          await this.call(
            'deleteNodePool',
            { name: `${name}/nodePools/default-pool` },
            location,
            'removing default node pool',
            'Error deleting default node pool',
          );
        }
      });
    } else {
      await this.exclusive(name, async () => {
        for (const call of clusterUpdates(prior, planned, defaults)) {
          await this.call(
            call.method,
            { name, ...call.request },
            location,
            call.what,
            'Error updating GKE cluster',
          );
        }
      });
    }
    const [cluster] = await this.client.getCluster({ name });
    return withClusterComputed(schema, planned, fill(planned), cluster);
  }

  async applyNodePool({ prior, planned, defaults, fill }) {
    const value = planned || prior;
    const clusterRef = clusterOf(value, defaults);
    const location = {
      project: clusterRef.project,
      location: clusterRef.location,
    };
    const cluster = clusterPath(clusterRef);
    const name = `${cluster}/nodePools/${value.name}`;
    if (planned === null) {
      await this.exclusive(cluster, async () => {
        try {
          await this.call(
            'deleteNodePool',
            { name },
            location,
            'deleting GKE NodePool',
            'Error deleting NodePool',
          );
        } catch (error) {
          if (error.code !== GRPC_NOT_FOUND) throw error;
        }
      });
      return null;
    }
    await this.exclusive(cluster, async () => {
      if (prior === null) {
        await this.call(
          'createNodePool',
          { parent: cluster, nodePool: nodePoolRequest(planned) },
          location,
          'creating GKE NodePool',
          'error creating NodePool',
        );
      } else {
        for (const call of nodePoolUpdates(prior, planned)) {
          await this.call(
            call.method,
            call.method === 'updateCluster'
              ? { name: cluster, ...call.request }
              : { name, ...call.request },
            location,
            call.what,
            'Error updating GKE node pool',
          );
        }
      }
    });
    const [pool] = await this.client.getNodePool({ name });
    return withComputed(planned, fill(planned), nodePoolComputed(pool));
  }

  /** ReadResource: a resource GKE no longer has leaves the state (Terraform plans to create it). */
  async read({ typeName, state, defaults }) {
    if (state === null) return null;
    try {
      if (typeName === 'google_container_cluster') {
        const location = clusterLocation(state, defaults);
        await this.client.getCluster({
          name: clusterPath({ ...location, cluster: String(state.name) }),
        });
      } else {
        await this.client.getNodePool({
          name: `${clusterPath(clusterOf(state, defaults))}/nodePools/${
            state.name
          }`,
        });
      }
      return state;
    } catch (error) {
      if (error.code === GRPC_NOT_FOUND) return null;
      throw new GkeApplyError(`Error reading ${typeName}`, error);
    }
  }
}

/** Replaces `filled` values by GKE's wherever the plan had them unknown. */
function withComputed(planned, filled, computed) {
  const result = { ...filled };
  for (const [name, value] of Object.entries(computed.attributes)) {
    if (value === undefined || value === null) continue;
    if (isUnknown(planned[name])) result[name] = value;
  }
  for (const [blockName, attributes] of Object.entries(computed.nested || {})) {
    const plannedBlock = Array.isArray(planned[blockName])
      ? planned[blockName][0]
      : undefined;
    const filledBlock = Array.isArray(result[blockName])
      ? result[blockName][0]
      : undefined;
    if (!plannedBlock || !filledBlock) continue;
    const next = { ...filledBlock };
    for (const [name, value] of Object.entries(attributes)) {
      if (value === undefined || value === null) continue;
      if (typeof value === 'object') {
        const innerPlanned = Array.isArray(plannedBlock[name])
          ? plannedBlock[name][0]
          : undefined;
        const innerFilled = Array.isArray(next[name])
          ? next[name][0]
          : undefined;
        if (!innerPlanned || !innerFilled) continue;
        const inner = { ...innerFilled };
        for (const [k, v] of Object.entries(value)) {
          if (v !== undefined && v !== null && isUnknown(innerPlanned[k])) {
            inner[k] = v;
          }
        }
        next[name] = [inner, ...next[name].slice(1)];
      } else if (isUnknown(plannedBlock[name])) {
        next[name] = value;
      }
    }
    result[blockName] = [next, ...result[blockName].slice(1)];
  }
  return result;
}

function withClusterComputed(schema, planned, filled, cluster) {
  const computed = clusterComputed(cluster);
  const result = withComputed(planned, filled, computed);
  if (isUnknown(planned.node_version) && cluster.currentNodeVersion) {
    result.node_version = cluster.currentNodeVersion;
  }
  // master_auth is computed by GKE; the config rarely has the block, so the provider adds it
  // (the legacy type system Terraform grants SDKv2 providers lets it).
  const masterAuthSchema = schema.block.block_types.master_auth;
  const current = Array.isArray(result.master_auth)
    ? result.master_auth[0]
    : undefined;
  const masterAuth = conformBlock(masterAuthSchema.block, current || {});
  for (const [name, value] of Object.entries(computed.masterAuth)) {
    if (
      !current ||
      isUnknown(current[name]) ||
      current[name] === null ||
      current[name] === ''
    ) {
      masterAuth[name] = value;
    }
  }
  for (const name of ['client_certificate', 'client_key']) {
    if (masterAuth[name] === null || isUnknown(masterAuth[name]))
      masterAuth[name] = '';
  }
  result.master_auth = [masterAuth];
  return result;
}

module.exports = { GkeBackend, GkeApplyError, CONTAINER_TYPES };
