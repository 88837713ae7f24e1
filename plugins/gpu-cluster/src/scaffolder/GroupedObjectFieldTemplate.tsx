import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import ErrorOutlineIcon from '@material-ui/icons/ErrorOutline';
import {
  getUiOptions,
  type ErrorSchema,
  type ObjectFieldTemplateProps,
  type Registry,
  type UiSchema,
} from '@rjsf/utils';
import { useEffect, useState, type ComponentType, type ReactNode } from 'react';

/**
 * `ui:options` the presentation layer puts on objects and fields (spec/presentation.ts in
 * gpu-cluster-common), plus what the section fields compute from the current errors.
 */
export interface GroupingOptions {
  /** On a field: the collapsed group of its object it belongs to. */
  group?: string;
  /** On an object: render it collapsible, starting collapsed. */
  collapsed?: boolean;
  /** Computed: open the object because something inside has an error. */
  expanded?: boolean;
  /** Computed: groups of the object holding a field with an error. */
  openGroups?: string[];
}

function CollapsibleBlock(props: {
  title: ReactNode;
  subtitle?: ReactNode;
  forceOpen: boolean;
  hasErrors: boolean;
  variant: 'section' | 'group';
  children: ReactNode;
}) {
  const { forceOpen } = props;
  const [open, setOpen] = useState(forceOpen);
  // Errors found on Next open the block, so the user sees what to fix.
  useEffect(() => {
    if (forceOpen) setOpen(true);
  }, [forceOpen]);
  return (
    <Accordion
      expanded={open}
      onChange={(_event, next) => setOpen(next)}
      variant="outlined"
      // Closed blocks hold no inputs: a browser cannot focus a hidden required field.
      TransitionProps={{ unmountOnExit: true }}
    >
      <AccordionSummary expandIcon={<ExpandMoreIcon />}>
        <Box display="flex" flexDirection="column">
          <Typography
            variant={props.variant === 'section' ? 'h6' : 'subtitle1'}
            component="span"
          >
            {props.title}
            {props.hasErrors && (
              <Box
                component="span"
                color="error.main"
                ml={1}
                display="inline-flex"
                alignItems="center"
              >
                <ErrorOutlineIcon fontSize="small" aria-hidden />
                <Box component="span" ml={0.5} fontSize="0.8em">
                  needs attention
                </Box>
              </Box>
            )}
          </Typography>
          {props.subtitle && (
            <Typography variant="body2" color="textSecondary" component="span">
              {props.subtitle}
            </Typography>
          )}
        </Box>
      </AccordionSummary>
      <AccordionDetails>
        <Box width="100%">{props.children}</Box>
      </AccordionDetails>
    </Accordion>
  );
}

const GROUPED = Symbol('gpu-cluster.grouped-object-field-template');
// One wrapper per theme template: RJSF builds a new registry on every render, and a new
// component type would remount the form (losing focus and typed text) on every keystroke.
const wrappers = new WeakMap<
  ComponentType<ObjectFieldTemplateProps>,
  ComponentType<ObjectFieldTemplateProps>
>();

/**
 * Wraps the form theme's ObjectFieldTemplate: fields with a `group` option move into collapsed
 * blocks titled by the group, after the object's other fields; an object with `collapsed`
 * renders as one collapsed block with its title and description as header. Objects without
 * either render exactly as the theme does.
 */
export function groupedObjectFieldTemplate(
  Base: ComponentType<ObjectFieldTemplateProps>,
): ComponentType<ObjectFieldTemplateProps> {
  if ((Base as any)[GROUPED]) return Base;
  const known = wrappers.get(Base);
  if (known) return known;
  const Grouped = (props: ObjectFieldTemplateProps) => {
    const options = getUiOptions(props.uiSchema) as GroupingOptions;
    const groupOf = (name: string) =>
      (getUiOptions(props.uiSchema?.[name] as UiSchema) as GroupingOptions)
        .group;
    const main = props.properties.filter(p => !groupOf(p.name));
    const groups = new Map<string, typeof props.properties>();
    for (const p of props.properties) {
      const group = groupOf(p.name);
      if (group) groups.set(group, [...(groups.get(group) ?? []), p]);
    }
    const collapsible = Boolean(options.collapsed);
    const body = (
      <>
        <Base
          {...props}
          title={collapsible ? '' : props.title}
          description={collapsible ? undefined : props.description}
          properties={main}
        />
        {[...groups].map(([group, properties]) => (
          <Box key={group} mt={2}>
            <CollapsibleBlock
              title={group}
              variant="group"
              forceOpen={Boolean(options.openGroups?.includes(group))}
              hasErrors={Boolean(options.openGroups?.includes(group))}
            >
              <Base
                {...props}
                title=""
                description={undefined}
                properties={properties}
                // The theme's "add" button belongs to the object, shown once above.
                schema={{ ...props.schema, additionalProperties: false }}
              />
            </CollapsibleBlock>
          </Box>
        ))}
      </>
    );
    if (!collapsible) return body;
    return (
      <Box mb={1}>
        <CollapsibleBlock
          title={props.title}
          subtitle={props.description}
          variant="section"
          forceOpen={Boolean(options.expanded)}
          hasErrors={Boolean(options.expanded)}
        >
          {body}
        </CollapsibleBlock>
      </Box>
    );
  };
  (Grouped as any)[GROUPED] = true;
  wrappers.set(Base, Grouped);
  return Grouped;
}

/** The registry with the grouping ObjectFieldTemplate, for everything rendered below a field. */
export function withGroupedTemplate<T extends Registry>(registry: T): T {
  return {
    ...registry,
    templates: {
      ...registry.templates,
      ObjectFieldTemplate: groupedObjectFieldTemplate(
        registry.templates.ObjectFieldTemplate,
      ),
    },
  };
}

function hasAnyError(errors: ErrorSchema | undefined): boolean {
  if (!errors || typeof errors !== 'object') return false;
  return Object.entries(errors).some(([key, value]) =>
    key === '__errors'
      ? Array.isArray(value) && value.length > 0
      : hasAnyError(value as ErrorSchema),
  );
}

/**
 * Copies a uiSchema, marking collapsed objects and groups that hold a field with an error so
 * they open (`expanded`, `openGroups`). Walks objects by property name and arrays by `items`.
 */
export function openWhereErrors(
  uiSchema: UiSchema | undefined,
  errors: ErrorSchema | undefined,
): UiSchema {
  const ui: UiSchema = { ...(uiSchema ?? {}) };
  if (!hasAnyError(errors)) return ui;
  const options = { ...(ui['ui:options'] ?? {}) } as GroupingOptions &
    Record<string, unknown>;
  if (options.collapsed) options.expanded = true;
  const openGroups = new Set<string>();
  for (const [key, childErrors] of Object.entries(errors ?? {})) {
    if (key === '__errors' || !hasAnyError(childErrors as ErrorSchema))
      continue;
    const isIndex = /^\d+$/.test(key);
    const childUi = (isIndex ? ui.items : ui[key]) as UiSchema | undefined;
    const group = (getUiOptions(childUi) as GroupingOptions).group;
    if (group) openGroups.add(group);
    const opened = openWhereErrors(childUi, childErrors as ErrorSchema);
    if (isIndex) ui.items = opened;
    else ui[key] = opened;
  }
  if (openGroups.size) options.openGroups = [...openGroups];
  ui['ui:options'] = options as UiSchema['ui:options'];
  return ui;
}

function allMessages(errors: ErrorSchema | undefined): string[] {
  if (!errors || typeof errors !== 'object') return [];
  return Object.entries(errors).flatMap(([key, value]) =>
    key === '__errors'
      ? (value as string[]) ?? []
      : allMessages(value as ErrorSchema),
  );
}

/**
 * A set of checkboxes is one widget: RJSF shows only the array's own errors there, so errors of
 * its items (`zones[0]`) are moved up to the array, where the user sees them.
 */
export function liftMultiSelectErrors(
  errors: ErrorSchema | undefined,
  uiSchema: UiSchema | undefined,
): ErrorSchema | undefined {
  if (!errors || typeof errors !== 'object') return errors;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(errors)) {
    if (key === '__errors') {
      out[key] = child;
      continue;
    }
    const childUi = (/^\d+$/.test(key) ? uiSchema?.items : uiSchema?.[key]) as
      | UiSchema
      | undefined;
    out[key] =
      childUi?.['ui:widget'] === 'checkboxes'
        ? { __errors: allMessages(child as ErrorSchema) }
        : liftMultiSelectErrors(child as ErrorSchema, childUi);
  }
  return out as ErrorSchema;
}
