import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import type { JsonObject } from '@backstage/types';
import {
  FIELD_PRESENTATION,
  FORM_PAGES,
  GPU_MODEL_NAMES,
  parseIssuePath,
  presentationKey,
  type GpuType,
  type StackPreview,
  type StackPreviewResponse,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import Alert from '@material-ui/lab/Alert';
import type { ReactNode } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { gpuClusterApiRef } from '../api';
import { stackInputFromForm } from './stackIssues';

const MODE_LABELS =
  FIELD_PRESENTATION['nodePools[].provisioning.mode'].enumLabels ?? {};

const QUOTA_NOTES = {
  preemptible:
    'Spot and DWS (flex-start, queued provisioning) draw on the preemptible GPU quota.',
  'on-demand': 'On-demand nodes draw on the regular GPU quota.',
  reservation:
    'Held by the reservation already: consuming it needs no new quota.',
} as const;

/** Where an issue's field lives: its title and the form page holding it. */
function describePath(path: string): string {
  let segments: Array<string | number>;
  try {
    segments = parseIssuePath(path);
  } catch {
    return path;
  }
  const titles: string[] = [];
  for (let i = 1; i <= segments.length; i++) {
    const title =
      FIELD_PRESENTATION[presentationKey(segments.slice(0, i))]?.title;
    if (title && typeof segments[i - 1] !== 'number') titles.push(title);
  }
  const page = FORM_PAGES.find(p => p.sections.includes(String(segments[0])));
  return `${titles.join(' › ') || path}${
    page ? ` (page “${page.title}”)` : ''
  }`;
}

function Section(props: { title: string; children: ReactNode }) {
  return (
    <Box mt={3}>
      <Typography variant="h6" component="h3" gutterBottom>
        {props.title}
      </Typography>
      {props.children}
    </Box>
  );
}

/** The preview, as people read it: what, how many GPUs, what quota, what to expect, where state lives. */
export function StackPreviewView(props: { preview: StackPreview }) {
  const { preview } = props;
  const { cluster, gpus } = preview;
  const byFile = new Map<string, typeof preview.kubernetesObjects>();
  for (const object of preview.kubernetesObjects) {
    byFile.set(object.file, [...(byFile.get(object.file) ?? []), object]);
  }
  return (
    <Box>
      <Typography variant="body1" paragraph>
        Create provisions the GKE cluster <strong>{cluster.name}</strong> in{' '}
        <strong>{cluster.location}</strong> (project {cluster.projectId}, zones{' '}
        {cluster.zones.join(', ')}) with at most{' '}
        <strong>{gpus.maxNodes} GPU nodes</strong> and{' '}
        <strong>{gpus.maxGpus} GPUs</strong>, installs the queues and Ray, and
        registers the cluster in the catalog.
      </Typography>
      {preview.warnings.map(warning => (
        <Alert key={warning} severity="warning">
          {warning}
        </Alert>
      ))}

      <Section title="GPUs at most">
        <Table size="small" aria-label="GPU node pools">
          <TableHead>
            <TableRow>
              <TableCell>Node pool</TableCell>
              <TableCell>Machine type</TableCell>
              <TableCell>GPUs per node</TableCell>
              <TableCell>Nodes</TableCell>
              <TableCell>GPUs at most</TableCell>
              <TableCell>Provisioning</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {gpus.nodePools.map(pool => (
              <TableRow key={pool.name}>
                <TableCell>{pool.name}</TableCell>
                <TableCell>{pool.machineType}</TableCell>
                <TableCell>
                  {pool.gpusPerNode}×{' '}
                  {GPU_MODEL_NAMES[pool.gpuType as GpuType] ?? pool.gpuType}
                </TableCell>
                <TableCell>
                  {pool.minNodes}–{pool.maxNodes}
                </TableCell>
                <TableCell>{pool.maxGpus}</TableCell>
                <TableCell>
                  {pool.tier ? `${pool.mode} (${pool.tier} tier)` : pool.mode}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Section>

      <Section title={`GPU quota needed in ${cluster.region}`}>
        <ul>
          {preview.quota.map(need => (
            <li key={`${need.metric}/${need.pool}`}>
              <strong>{need.metric}</strong>: {need.gpus} GPUs (
              {need.nodePools.join(', ')}). {QUOTA_NOTES[need.pool]}
            </li>
          ))}
        </ul>
        <Typography variant="body2" color="textSecondary">
          Check or request it in the Google Cloud console under IAM & Admin ›
          Quotas before you create the cluster; without it the nodes never
          start.
        </Typography>
      </Section>

      <Section title="What to expect from the provisioning mode">
        {preview.modes.map(mode => (
          <Box key={mode.mode} mb={1}>
            <Typography variant="subtitle1" component="p">
              {(MODE_LABELS as Record<string, string>)[mode.mode] ?? mode.mode}{' '}
              — {mode.nodePools.join(', ')}
            </Typography>
            <ul>
              {mode.consequences.map(text => (
                <li key={text}>{text}</li>
              ))}
            </ul>
          </Box>
        ))}
      </Section>

      <Section title="Cloud resources Terraform creates">
        <ul>
          {preview.cloudResources.map(resource => (
            <li key={`${resource.kind}/${resource.name}`}>
              {resource.kind} <strong>{resource.name}</strong>
              {resource.detail ? ` — ${resource.detail}` : ''}
            </li>
          ))}
        </ul>
      </Section>

      <Section title="What kubectl applies in the cluster">
        {preview.kueueVersion && (
          <Typography variant="body2" paragraph>
            Kueue {preview.kueueVersion} is installed first.
          </Typography>
        )}
        <Accordion variant="outlined">
          <AccordionSummary expandIcon={<ExpandMoreIcon />}>
            <Typography>
              {preview.kubernetesObjects.length} Kubernetes objects in{' '}
              {byFile.size} manifests
            </Typography>
          </AccordionSummary>
          <AccordionDetails>
            <Box>
              {[...byFile].map(([file, objects]) => (
                <Box key={file} mb={1}>
                  <Typography variant="subtitle2">{file}</Typography>
                  <ul>
                    {objects.map(o => (
                      <li key={`${o.kind}/${o.namespace ?? ''}/${o.name}`}>
                        {o.kind} {o.namespace ? `${o.namespace}/` : ''}
                        {o.name}
                      </li>
                    ))}
                  </ul>
                </Box>
              ))}
            </Box>
          </AccordionDetails>
        </Accordion>
      </Section>

      <Section title="Where the Terraform state lives">
        <Typography variant="body1">
          <strong>{preview.state.location}</strong>
        </Typography>
        <Typography variant="body2" color="textSecondary">
          {preview.state.explanation}
        </Typography>
      </Section>
    </Box>
  );
}

/**
 * The "What will happen" page: sends the form's values to the gpu-cluster backend, which renders
 * them with the template's own render, and shows the answer. Holds no value of its own.
 */
export function GpuStackReview(props: FieldExtensionComponentProps<string>) {
  const gpuClusterApi = useApi(gpuClusterApiRef);
  const formData = (props.registry.formContext as { formData?: JsonObject })
    ?.formData;
  const values = stackInputFromForm(formData);
  const key = JSON.stringify(values);
  const { loading, error, value } = useAsync(
    (): Promise<StackPreviewResponse> =>
      gpuClusterApi.previewStack(JSON.parse(key)),
    [key],
  );

  return (
    <Box>
      {loading && <Progress />}
      {error && (
        <Alert severity="error">
          Could not load the preview: {error.message}. Create still checks the
          values before it changes anything.
        </Alert>
      )}
      {value && !value.valid && (
        <Alert severity="error">
          <Typography variant="subtitle1" component="p">
            Create would stop at the first step. Go back and fix:
          </Typography>
          <ul>
            {value.issues.map(issue => (
              <li key={`${issue.path}:${issue.message}`}>
                {describePath(issue.path)}: {issue.message}
              </li>
            ))}
          </ul>
        </Alert>
      )}
      {value?.valid && <StackPreviewView preview={value.preview} />}
    </Box>
  );
}
