export {
  UpdateClusterButton,
  UPDATE_TEMPLATE_PATH,
  updateTemplateLink,
} from './UpdateClusterButton';
