export {
  VerifyFabricButton,
  VERIFY_TEMPLATE_PATH,
  verifyTemplateLink,
} from './VerifyFabricButton';
