import {
  evaluateStackForView,
  FORM_PAGES,
  identityPolicyIssue,
  parseGpuStackSpec,
  parseIssuePath,
  zoneAvailabilityIssues,
  type StackPolicyView,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import type { FieldValidation } from '@rjsf/utils';

/** An issue of the form's values, with the spec path as segments (`['identity', 'zones', 0]`). */
export interface StackFormIssue {
  path: Array<string | number>;
  message: string;
}

/** Form-only properties (the review page's field) that are not part of the spec. */
const FORM_ONLY_PROPERTIES = FORM_PAGES.flatMap(page =>
  page.review ? [page.review.property] : [],
);

/**
 * The spec input the form data stands for: what the scaffolder sends to the template's steps
 * (JSON, so `undefined` fields vanish), without the form-only review property.
 */
export function stackInputFromForm(formData: unknown): Record<string, unknown> {
  const input = JSON.parse(JSON.stringify(formData ?? {}));
  for (const property of FORM_ONLY_PROPERTIES) delete input[property];
  return input;
}

/** What the policy refuses of owner and project while the rest of the spec is incomplete. */
function earlyPolicyIssue(
  policy: StackPolicyView | undefined,
  identity: unknown,
): { field: string; message: string } | undefined {
  if (!policy) return undefined;
  if (policy.refusal)
    return { field: 'identity.owner', message: policy.refusal };
  if (!identity || typeof identity !== 'object' || Array.isArray(identity)) {
    return undefined;
  }
  return identityPolicyIssue(policy, identity as Record<string, unknown>);
}

/**
 * Every issue of the form's values: the spec's own validation (`parseGpuStackSpec`, exactly what
 * the template's validate step runs, so the messages and field paths are the same), zones where
 * the accelerator catalog says a node pool's machine type is not offered (the form offers only
 * catalog zones; the spec itself accepts newer ones), and, with the user's view of
 * gpuCluster.policy, what the actions' policy check would refuse (`evaluateStackForView`, the
 * function the actions decide with). Owner and project are checked even before the rest of the
 * spec is complete.
 */
export function stackFormIssues(
  formData: unknown,
  policy?: StackPolicyView,
): StackFormIssue[] {
  const input = stackInputFromForm(formData);
  const result = parseGpuStackSpec(input);
  const issues: StackFormIssue[] = [];
  if (!result.ok) {
    issues.push(
      ...result.issues.map(issue => ({
        path: parseIssuePath(issue.path),
        message: issue.message,
      })),
    );
    const early = earlyPolicyIssue(policy, input.identity);
    if (early) {
      issues.push({
        path: parseIssuePath(early.field),
        message: early.message,
      });
    }
    return issues;
  }
  issues.push(...zoneAvailabilityIssues(result.spec));
  if (policy) {
    const verdict = evaluateStackForView(policy, result.spec);
    if (!verdict.allowed) {
      issues.push({
        path: parseIssuePath(verdict.field),
        message: verdict.message,
      });
    }
  }
  return issues;
}

/** A node of RJSF's error schema; `__errors` only where there are messages (see below). */
type ErrorNode = FieldValidation & Record<string | number, unknown>;

function errorNode(): ErrorNode {
  const node = {
    addError(message: string) {
      (node.__errors ??= []).push(message);
    },
  } as ErrorNode;
  return node;
}

/**
 * Places spec issues of one section on the field validation the scaffolder gives a section's
 * field extension, nested by path the way RJSF's error schema is (`zones: { 0: { __errors } }`).
 *
 * The scaffolder's stepper stops at a node with an empty `__errors` when it looks for errors, so
 * only nodes that carry a message keep `__errors`; otherwise a nested error would not keep the
 * user on the page.
 */
export function addSectionIssues(
  validation: FieldValidation,
  section: string,
  issues: StackFormIssue[],
): void {
  const root = validation as ErrorNode;
  for (const issue of issues) {
    if (issue.path[0] !== section) continue;
    let node = root;
    for (const key of issue.path.slice(1)) {
      if (!node[key] || typeof node[key] !== 'object') node[key] = errorNode();
      node = node[key] as ErrorNode;
    }
    (node.__errors ??= []).push(issue.message);
  }
  if (root.__errors && root.__errors.length === 0) delete root.__errors;
}
