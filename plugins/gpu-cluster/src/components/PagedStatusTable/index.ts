export {
  PagedStatusTable,
  FilterSelect,
  STATUS_PAGE_SIZE,
  type ClusterRef,
} from './PagedStatusTable';
