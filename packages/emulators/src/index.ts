/**
 * Development and test only: emulators of the Kubernetes API (and GKE), scenarios and the demo
 * cluster. Production configuration never starts them.
 *
 * @packageDocumentation
 */

export { createCrdValidator } from './kube/validation/CrdValidator';
export type {
  CrdValidator,
  CrdValidatorOptions,
  CrdValidateOptions,
  ValidationIssue,
  CauseType,
  FieldValidation,
} from './kube/validation/CrdValidator';
export { loadCrdDefinitions, findCrdDirectory } from './kube/crds/catalog';
export type {
  CrdDefinition,
  CrdVersion,
  PrinterColumn,
} from './kube/crds/catalog';
export { FaultInjector } from './faults/FaultInjector';
export type { Fault, FaultRule, RecordedRequest } from './faults/FaultInjector';
export { startEmulatorAdmin } from './admin/EmulatorAdmin';
export type { EmulatorAdmin } from './admin/EmulatorAdmin';
export { startKubeEmulator, ADMIN_USER } from './kube/KubeEmulator';
export type { KubeEmulator, KubeEmulatorOptions } from './kube/KubeEmulator';
export type { ForbidRule } from './kube/server/auth';
export { ManualClock, systemClock, rfc3339 } from './clock';
export type { Clock } from './clock';
export { ScenarioEngine } from './scenarios/ScenarioEngine';
export { FABRIC_ANNOTATION, type EmulatedFabric } from './scenarios/ncclTest';
export { ContainerLogs } from './kube/server/podLog';
export {
  ScriptedControllers,
  DEFAULT_TIMINGS,
  OUTCOME_ANNOTATION,
  QUEUE_LABEL,
  FIXTURE_ANNOTATION,
} from './scenarios/controllers';
export type { DwsOutcome, ScenarioTimings } from './scenarios/controllers';
export {
  gkeNodePool,
  gkeReservedCpuMillis,
  gkeReservedMemoryBytes,
} from './scenarios/cluster/nodePools';
export type {
  EmulatedNodePool,
  GkeNodePoolInput,
} from './scenarios/cluster/nodePools';
export {
  DaemonSetController,
  FABRIC_FAULTS,
  FABRIC_FAULT_ANNOTATION,
  injectFabricFault,
} from './scenarios/daemonSets';
export type { FabricFault } from './scenarios/daemonSets';
export { demoClusterObjects } from './demo/demoCluster';
export { demoNodePools } from './demo/nodePools';
export { DEMO } from './demo/names';
export * from './gke';
export { kubeEmulatorControlPlanes } from './controlPlanes';
export type { KubeControlPlanes } from './controlPlanes';
export { createLoopbackTls, sharedLoopbackTls } from './tls';
export type { LoopbackTls } from './tls';
export {
  kueueReleaseStandInObjects,
  writeKueueReleaseStandIn,
  KUEUE_STAND_IN_VERSION,
  KUEUE_STAND_IN_IMAGE,
} from './demo/kueueRelease';
export * from './gcs';
export * from './cloudapis';
export { startMetadataEmulator } from './metadata/MetadataEmulator';
export type {
  MetadataEmulator,
  MetadataEmulatorOptions,
} from './metadata/MetadataEmulator';
