import {
  normalizeOwnerRef,
  type StackPolicyGroupView,
  type StackPolicyView,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import type { RJSFSchema, UiSchema } from '@rjsf/utils';
import type { SchemaAndUi } from './catalogChoices';

/** The catalog filter of the groups a user may create for (one entry each: an OR). */
export function ownerCatalogFilter(view: StackPolicyView) {
  return view.groups.map(({ group }) => {
    const [, namespace, name] = group.match(/^group:([^/]+)\/(.+)$/) ?? [];
    return {
      kind: 'Group',
      'metadata.namespace': namespace,
      'metadata.name': name,
    };
  });
}

/** The policy's entry of the chosen owner, when the user may create for it. */
export function ownerGroup(
  view: StackPolicyView,
  owner: unknown,
): StackPolicyGroupView | undefined {
  if (typeof owner !== 'string' || owner.trim() === '') return undefined;
  const ref = normalizeOwnerRef(owner);
  return view.groups.find(g => g.group === ref);
}

const shortName = (group: string) => group.replace(/^group:default\//, '');

/**
 * The identity section limited to what gpuCluster.policy lets the user create: the owner picker
 * offers only the groups they may create for (no free text), and the project is a choice among
 * the chosen owner's projects (before an owner is chosen, among all their groups' projects).
 * The policy names projects one by one, so there is no free-text project. A value the user
 * arrived with (a shared link) stays selectable, marked, and is reported on Next.
 */
export function narrowIdentityToPolicy(
  field: SchemaAndUi,
  identity: { owner?: unknown; projectId?: unknown } | undefined,
  view: StackPolicyView,
): SchemaAndUi {
  const properties = field.schema.properties as Record<string, RJSFSchema>;
  if (!properties?.projectId || !properties?.owner) return field;
  const owner = ownerGroup(view, identity?.owner);
  const offered = owner
    ? owner.projects
    : [...new Set(view.groups.flatMap(g => g.projects))];
  const current =
    typeof identity?.projectId === 'string' && identity.projectId !== ''
      ? identity.projectId
      : undefined;
  const projects =
    current && !offered.includes(current) ? [...offered, current] : offered;
  const label = (project: string) => {
    if (!offered.includes(project)) {
      return owner
        ? `${project} — not allowed for ${shortName(owner.group)}`
        : `${project} — not allowed for your groups`;
    }
    if (owner || view.groups.length < 2) return project;
    const groups = view.groups
      .filter(g => g.projects.includes(project))
      .map(g => shortName(g.group));
    return `${project} (${groups.join(', ')})`;
  };
  const ownerUi = (field.uiSchema.owner ?? {}) as UiSchema;
  const projectUi = (field.uiSchema.projectId ?? {}) as UiSchema;
  return {
    schema: {
      ...field.schema,
      properties: {
        ...properties,
        projectId: {
          ...properties.projectId,
          // RJSF renders a select for an enum; an empty list still renders one.
          enum: projects.length ? projects : [''],
        },
      },
    },
    uiSchema: {
      ...field.uiSchema,
      owner: {
        ...ownerUi,
        'ui:options': {
          ...((ownerUi['ui:options'] as object) ?? {}),
          catalogFilter: ownerCatalogFilter(view),
          allowArbitraryValues: false,
        },
      },
      projectId: {
        ...projectUi,
        'ui:placeholder': owner
          ? `Projects of ${shortName(owner.group)}`
          : 'Choose the owner first, or a project',
        'ui:enumNames': projects.map(label),
      },
    },
  };
}

/** One sentence on what the chosen owner may create: projects and GPU budget. */
export function ownerAllowance(group: StackPolicyGroupView): string {
  const parts = [
    `${group.group} may create GPU clusters in ${group.projects.join(', ')}`,
  ];
  if (group.maxGpusPerStack !== undefined) {
    parts.push(`with at most ${group.maxGpusPerStack} GPUs per cluster`);
  }
  if (group.maxGpusTotal !== undefined) {
    parts.push(
      `${group.remainingGpus ?? group.maxGpusTotal} of its ${
        group.maxGpusTotal
      } GPUs in total are left`,
    );
  }
  return `${parts.join('; ')} (gpuCluster.policy).`;
}
