export {
  DestroyClusterButton,
  DESTROY_TEMPLATE_PATH,
  destroyTemplateLink,
} from './DestroyClusterButton';
