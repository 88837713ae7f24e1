import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  formatPreflightTable,
  preflightFailureMessage,
  runPreflight,
  type PreflightAuthClient,
} from '@gpu-platform/backstage-plugin-gpu-cluster-node';
import type { GpuClusterScaffolderConfig } from '../config';
import { preflightExamples } from './preflight.examples';
import { stackInputSchema } from './stack';
import type { StackGuard } from './guard';

/**
 * `gpu-cluster:preflight`: before anything is created, asks Google (Compute Engine, Service
 * Usage, Resource Manager, GKE, Cloud Storage) whether this stack can be provisioned: machine
 * types offered in each zone, GPU quota for the provisioning mode, APIs, the runner's
 * permissions, the pinned GKE version, the state bucket. A failed check fails the step naming
 * the field to change and where to fix it; warnings are logged. Read-only, so a dry run runs it
 * too. Endpoints come from configuration only.
 *
 * @public
 */
export function createPreflightAction(options: {
  config: GpuClusterScaffolderConfig;
  guard: StackGuard;
  /** Tests: credentials for the emulators; Application Default Credentials otherwise. */
  authClient?: PreflightAuthClient;
}) {
  const { config, guard } = options;
  return createTemplateAction({
    id: 'gpu-cluster:preflight',
    description:
      "Checks, before anything is created, that the GPU stack can be provisioned: machine types in each zone, GPU quota for the provisioning mode, enabled APIs, the runner identity's permissions, the pinned GKE version and the state bucket.",
    examples: preflightExamples,
    supportsDryRun: true,
    schema: {
      input: { values: stackInputSchema.values },
      output: {
        ok: z => z.boolean().describe('No check failed.'),
        checks: z =>
          z
            .array(
              z.object({
                id: z.string(),
                status: z.enum(['ok', 'warn', 'fail']),
                message: z.string(),
                field: z.string().optional(),
                link: z.string().optional(),
              }),
            )
            .describe(
              'Every check with its status, message, spec field and link.',
            ),
        servicesToEnable: z =>
          z
            .array(z.string())
            .describe('APIs disabled now that the Terraform run enables.'),
      },
    },
    async handler(ctx) {
      await guard.run(ctx.workspacePath, async () => {
        const { spec } = await guard.authorize(ctx);
        const report = await runPreflight({
          spec,
          googleApis: config.preflight.endpoint,
          gke: config.gke.endpoint,
          stateBackend: config.terraform.backend,
          storageEnv: config.terraform.env,
          authClient: options.authClient,
        });
        for (const line of formatPreflightTable(report)) ctx.logger.info(line);
        for (const check of report.checks.filter(c => c.status === 'warn'))
          ctx.logger.warn(
            `${check.id}: ${check.message}${
              check.field ? ` (field ${check.field})` : ''
            }`,
          );
        ctx.output(
          'checks',
          report.checks.map(c => ({
            id: c.id,
            status: c.status,
            message: c.message,
            ...(c.field ? { field: c.field } : {}),
            ...(c.link ? { link: c.link } : {}),
          })),
        );
        ctx.output('servicesToEnable', report.servicesToEnable);
        ctx.output('ok', report.ok);
        if (!report.ok) throw new Error(preflightFailureMessage(report));
      });
    },
  });
}
