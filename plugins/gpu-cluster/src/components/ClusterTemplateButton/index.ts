export {
  ClusterTemplateButton,
  clusterTemplateLink,
} from './ClusterTemplateButton';
