export { SectionNotice, isMissing, isNotInstalled } from './SectionNotice';
