import { setCondition, type Condition } from '../objects';
import type { ValidationIssue } from '../validation/CrdValidator';

/**
 * What the apiextensions API server checks and writes for a CustomResourceDefinition written
 * through the API: the structural rules a manifest most often breaks (name, group, scope, exactly
 * one storage version, a schema per version) and the status its controllers publish once the names
 * are accepted (`NamesAccepted`, `Established`, `storedVersions`).
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function crdIssues(crd: Record<string, any>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  const required = (field: string) =>
    issues.push({
      field,
      message: 'Required value',
      type: 'FieldValueRequired',
    });
  if (!spec.group) required('spec.group');
  else if (!String(spec.group).includes('.'))
    issues.push({
      field: 'spec.group',
      message: `Invalid value: "${spec.group}": should be a domain with at least one dot`,
      type: 'FieldValueInvalid',
    });
  if (!names.plural) required('spec.names.plural');
  else if (!DNS1123_LABEL.test(names.plural))
    issues.push({
      field: 'spec.names.plural',
      message: `Invalid value: "${names.plural}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`,
      type: 'FieldValueInvalid',
    });
  if (!names.kind) required('spec.names.kind');
  if (!names.listKind) required('spec.names.listKind');
  if (
    spec.group &&
    names.plural &&
    crd.metadata?.name !== `${names.plural}.${spec.group}`
  ) {
    issues.push({
      field: 'metadata.name',
      message: `Invalid value: "${crd.metadata?.name}": must be spec.names.plural+"."+spec.group`,
      type: 'FieldValueInvalid',
    });
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    issues.push({
      field: 'spec.scope',
      message: `Unsupported value: ${JSON.stringify(
        spec.scope ?? '',
      )}: supported values: "Cluster", "Namespaced"`,
      type: 'FieldValueNotSupported',
    });
  }
  const versions: any[] = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.length === 0) {
    required('spec.versions');
    return issues;
  }
  if (versions.filter(v => v?.storage === true).length !== 1) {
    issues.push({
      field: 'spec.versions',
      message: `Invalid value: ${JSON.stringify(
        versions,
      )}: must have exactly one version marked as storage version`,
      type: 'FieldValueInvalid',
    });
  }
  versions.forEach((v, i) => {
    if (!v?.name) required(`spec.versions[${i}].name`);
    if (!v?.schema?.openAPIV3Schema)
      required(`spec.versions[${i}].schema.openAPIV3Schema`);
  });
  return issues;
}

/** The status the apiextensions controllers publish (transition times kept while unchanged). */
export function crdStatus(
  crd: Record<string, any>,
  previous: Record<string, any> | undefined,
  now: string,
) {
  const storage = (crd.spec.versions as any[]).find(v => v.storage)?.name;
  const stored: string[] = [...(previous?.storedVersions ?? [])];
  if (storage && !stored.includes(storage)) stored.push(storage);
  let conditions: Condition[] = previous?.conditions ?? [];
  conditions = setCondition(conditions, {
    type: 'NamesAccepted',
    status: 'True',
    reason: 'NoConflicts',
    message: 'no conflicts found',
    lastTransitionTime: now,
  });
  conditions = setCondition(conditions, {
    type: 'Established',
    status: 'True',
    reason: 'InitialNamesAccepted',
    message: 'the initial names have been accepted',
    lastTransitionTime: now,
  });
  return {
    acceptedNames: crd.spec.names,
    conditions,
    storedVersions: stored,
  };
}
