import { gpuStackSpecJsonSchema } from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import type { JsonObject } from '@backstage/types';

/**
 * How the spec's top-level sections are spread over the form's pages. Every section of the spec
 * (except the constant apiVersion/kind, which default) must appear exactly once: the drift test
 * enforces it, so a new spec section cannot silently go missing from the form.
 */
export const TEMPLATE_PAGES: ReadonlyArray<{
  title: string;
  description: string;
  sections: readonly string[];
}> = [
  {
    title: 'Project and owner',
    description:
      'Where the cluster lives, how its resources are named and which team owns it.',
    sections: ['identity'],
  },
  {
    title: 'Network',
    description:
      'Primary VPC, the gVNIC network and the RDMA (RoCE) network with one subnet per NIC.',
    sections: ['network'],
  },
  {
    title: 'Cluster and GPU node pools',
    description:
      'The private GKE cluster with multi-networking and its GPU node pools (DWS flex-start, queued provisioning, reservations).',
    sections: ['cluster', 'nodePools'],
  },
  {
    title: 'Kueue, Ray and verification',
    description:
      'Queues that admit work onto DWS capacity, the KubeRay cluster and the NCCL verification run.',
    sections: ['kueue', 'ray', 'verification'],
  },
  {
    title: 'Identity, storage, supply chain and state',
    description:
      'Workload Identity, training data storage, Artifact Registry / Cloud Build, and where Terraform keeps its state.',
    sections: ['workloadIdentity', 'storage', 'supplyChain', 'terraformState'],
  },
];

/** Spec properties the form leaves to their defaults. */
export const SECTIONS_NOT_IN_FORM = ['apiVersion', 'kind'] as const;

/** Form-only decorations, keyed by a dotted path in the spec. */
const UI_OVERLAY: Record<string, JsonObject> = {
  'identity.owner': {
    title: 'Owner',
    'ui:field': 'OwnerPicker',
    'ui:options': { catalogFilter: [{ kind: 'Group' }] },
  },
};

function applyOverlay(schema: any, sectionPath: string): any {
  for (const [dotted, overlay] of Object.entries(UI_OVERLAY)) {
    const [section, ...rest] = dotted.split('.');
    if (section !== sectionPath) continue;
    let node = schema;
    for (const key of rest) {
      node = node?.properties?.[key];
      if (!node) {
        throw new Error(`UI overlay ${dotted} names no field of the spec`);
      }
    }
    Object.assign(node, overlay);
  }
  return schema;
}

/**
 * The template's `spec.parameters`, derived from the stack spec's JSON Schema (draft-07, which
 * the scaffolder form validates with). The form data is therefore a spec input as-is, and the
 * steps hand `${{ parameters }}` to the actions.
 *
 * @public
 */
export function gpuClusterTemplateParameters(): JsonObject[] {
  const schema = gpuStackSpecJsonSchema({ target: 'draft-7' }) as {
    properties: Record<string, any>;
    required?: string[];
  };
  const required = new Set(schema.required ?? []);
  return TEMPLATE_PAGES.map(page => {
    const properties: Record<string, any> = {};
    for (const section of page.sections) {
      const property = schema.properties[section];
      if (!property) throw new Error(`The spec has no section ${section}`);
      properties[section] = applyOverlay(
        JSON.parse(JSON.stringify(property)),
        section,
      );
    }
    const pageRequired = page.sections.filter(s => required.has(s));
    return {
      title: page.title,
      description: page.description,
      type: 'object',
      ...(pageRequired.length ? { required: pageRequired } : {}),
      properties,
    } as JsonObject;
  });
}
