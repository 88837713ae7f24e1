import { Table, type TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type {
  StatusListName,
  StatusListQuery,
} from '@gpu-platform/backstage-plugin-gpu-cluster-common';
import FormControl from '@material-ui/core/FormControl';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import { useEffect, useRef, type ReactElement, type ReactNode } from 'react';
import { gpuClusterApiRef } from '../../api';

/** Rows per page of a status list paged by the backend. */
export const STATUS_PAGE_SIZE = 20;

/**
 * The catalog entity whose lists are paged: a cluster Resource, or a Component (`kind`) whose
 * lists the backend narrows to its namespace and LocalQueue.
 */
export interface ClusterRef {
  namespace: string;
  name: string;
  kind?: 'component';
}

/** A filter of a paged list: "" is "any". */
export function FilterSelect(props: {
  id: string;
  label: string;
  value: string;
  options: { value: string; label: string }[];
  onChange: (value: string) => void;
}) {
  return (
    <FormControl size="small" style={{ minWidth: 140, marginLeft: 16 }}>
      <InputLabel id={`${props.id}-label`}>{props.label}</InputLabel>
      <Select
        labelId={`${props.id}-label`}
        value={props.value}
        onChange={e => props.onChange(String(e.target.value))}
      >
        {props.options.map(o => (
          <MenuItem key={o.value} value={o.value}>
            {o.label}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}

/**
 * A table of one status list that the backend filters, sorts and pages (`GpuClusterApi.listStatus`):
 * the browser never holds more than a page, whatever the cluster's size. A new status
 * (`generatedAt`, the tab polls) or a new filter reloads the page.
 */
export function PagedStatusTable<T extends object>(props: {
  cluster: ClusterRef;
  list: StatusListName;
  /** Changes when the tab loaded a new status. */
  generatedAt: string;
  title: string | ReactElement;
  filters: StatusListQuery;
  columns: TableColumn<T & { id: string }>[];
  /** The backend's sort key for a column's field; other columns do not sort. */
  sortKeyOf: (field: unknown) => string;
  rowId: (item: T) => string;
  emptyContent: ReactNode;
}) {
  const api = useApi(gpuClusterApiRef);
  const tableRef = useRef<any>();
  const mounted = useRef(false);
  const filterKey = JSON.stringify(props.filters);
  useEffect(() => {
    if (mounted.current) tableRef.current?.onQueryChange?.();
    mounted.current = true;
  }, [props.generatedAt, filterKey]);
  const rows = async (query: {
    page: number;
    pageSize: number;
    orderBy?: { field?: unknown };
    orderDirection?: 'asc' | 'desc' | '';
  }) => {
    const page = await api.listStatus<T>(props.cluster, props.list, {
      ...props.filters,
      sort: props.sortKeyOf(query.orderBy?.field),
      order: query.orderDirection === 'desc' ? 'desc' : 'asc',
      offset: query.page * query.pageSize,
      limit: query.pageSize,
    });
    return {
      data: page.items.map(item => ({ ...item, id: props.rowId(item) })),
      page: query.page,
      totalCount: page.total,
    };
  };
  return (
    <Table<T & { id: string }>
      tableRef={tableRef}
      title={props.title}
      options={{
        paging: true,
        pageSize: STATUS_PAGE_SIZE,
        pageSizeOptions: [STATUS_PAGE_SIZE, 50, 100],
        search: false,
        padding: 'dense',
      }}
      columns={props.columns}
      data={rows as any}
      emptyContent={<>{props.emptyContent}</>}
    />
  );
}
