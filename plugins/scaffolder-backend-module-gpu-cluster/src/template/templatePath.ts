/** The template, relative to this package's directory. */
export const TEMPLATE_PATH = '../../templates/gke-gpu-cluster/template.yaml';
