import * as fs from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import * as protobuf from 'protobufjs';

/**
 * The official ClusterManager protos ship inside @google-cloud/container; the common Google
 * protos they import (google/api, google/rpc, google/protobuf, google/type) ship inside the
 * google-gax that @google-cloud/container depends on. Resolving both from the installed
 * packages keeps the emulator in lock-step with the client the product uses.
 */
export function locateProtoDirs(): {
  containerProtos: string;
  commonProtos: string;
} {
  const containerEntry = require.resolve('@google-cloud/container');
  const containerRoot = findUp(path.dirname(containerEntry), 'package.json');
  const containerProtos = path.join(containerRoot, 'build', 'protos');
  const gaxEntry = require.resolve('google-gax', { paths: [containerRoot] });
  const commonProtos = path.join(
    findUp(path.dirname(gaxEntry), 'package.json'),
    'build',
    'protos',
  );
  for (const [dir, probe] of [
    [containerProtos, 'google/container/v1/cluster_service.proto'],
    [commonProtos, 'google/rpc/status.proto'],
  ]) {
    if (!fs.existsSync(path.join(dir, probe))) {
      throw new Error(`GKE emulator: ${probe} not found under ${dir}`);
    }
  }
  return { containerProtos, commonProtos };
}

function findUp(start: string, marker: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, marker))) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`GKE emulator: no ${marker} above ${start}`);
    }
    dir = parent;
  }
}

let cachedService: grpc.ServiceDefinition | undefined;

/** The google.container.v1.ClusterManager service definition, loaded once per process. */
export function loadClusterManagerService(): grpc.ServiceDefinition {
  if (!cachedService) {
    const { containerProtos, commonProtos } = locateProtoDirs();
    const definition = protoLoader.loadSync(
      'google/container/v1/cluster_service.proto',
      {
        includeDirs: [containerProtos, commonProtos],
        // Same conversions google-gax uses, so handlers speak the shapes the client returns.
        keepCase: false,
        longs: String,
        enums: String,
        defaults: false,
        oneofs: true,
      },
    );
    const service = definition['google.container.v1.ClusterManager'];
    if (!service || !('GetCluster' in service)) {
      throw new Error(
        'GKE emulator: google.container.v1.ClusterManager missing from protos',
      );
    }
    cachedService = service as grpc.ServiceDefinition;
  }
  return cachedService;
}

let cachedStatusRoot: protobuf.Root | undefined;

function statusRoot(): protobuf.Root {
  if (!cachedStatusRoot) {
    const { commonProtos } = locateProtoDirs();
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) =>
      path.isAbsolute(target) ? target : path.join(commonProtos, target);
    root.loadSync([
      'google/rpc/status.proto',
      'google/rpc/error_details.proto',
    ]);
    cachedStatusRoot = root;
  }
  return cachedStatusRoot;
}

/**
 * Encodes a google.rpc.Status carrying a google.rpc.RetryInfo, the rich error detail real
 * Google APIs attach to RESOURCE_EXHAUSTED / UNAVAILABLE; clients read it from the
 * `grpc-status-details-bin` trailer (google-gax exposes it as `error.statusDetails`).
 */
export function encodeStatusWithRetryInfo(
  code: grpc.status,
  message: string,
  retryAfterSeconds: number,
): Buffer {
  const root = statusRoot();
  const RetryInfo = root.lookupType('google.rpc.RetryInfo');
  const Status = root.lookupType('google.rpc.Status');
  const retryInfo = RetryInfo.encode(
    RetryInfo.fromObject({
      retryDelay: { seconds: retryAfterSeconds, nanos: 0 },
    }),
  ).finish();
  // protobufjs serves google/protobuf/any.proto from its bundled copy, which keeps the
  // snake_case field name; look it up rather than assume the camelCase conversion.
  const Any = root.lookupType('google.protobuf.Any');
  const typeUrlField = Any.fields.typeUrl ? 'typeUrl' : 'type_url';
  const detail = Any.create({
    [typeUrlField]: 'type.googleapis.com/google.rpc.RetryInfo',
    value: retryInfo,
  });
  return Buffer.from(
    Status.encode(Status.create({ code, message, details: [detail] })).finish(),
  );
}
