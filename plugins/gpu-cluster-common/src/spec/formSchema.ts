/**
 * Merges the spec's JSON Schema with its presentation layer into the pages of the "Create GPU
 * cluster" template (`spec.parameters`). Pure JSON in, JSON out: the template generator writes
 * the result, the drift test compares it.
 */
import { GPU_CLUSTER_TEMPLATE_TAG } from '../permissions';
import { gpuStackSpecJsonSchema } from './parse';
import {
  FIELD_PRESENTATION,
  FORM_PAGES,
  GPU_STACK_FIELD_EXTENSIONS,
  SPEC_FIELDS_NOT_IN_FORM,
  type FieldPresentation,
} from './presentation';

type Json = Record<string, any>;

const isObjectSchema = (node: Json) =>
  node.type === 'object' && node.properties !== undefined;
const isArrayOfObjects = (node: Json) =>
  node.type === 'array' && node.items && isObjectSchema(node.items);

/**
 * Presentation keys of every field of the spec's form schema (`identity.projectId`,
 * `nodePools[]` for the items of an array of objects, `nodePools[].name`, …), in schema order.
 * Records (`identity.labels`) and arrays of scalars are one field each.
 * @public
 */
export function specFieldKeys(): string[] {
  const schema = gpuStackSpecJsonSchema({ target: 'draft-7' }) as Json;
  const keys: string[] = [];
  const walk = (node: Json, key: string) => {
    if (isObjectSchema(node)) {
      for (const [name, child] of Object.entries<Json>(node.properties)) {
        const childKey = key ? `${key}.${name}` : name;
        keys.push(childKey);
        walk(child, childKey);
      }
    } else if (isArrayOfObjects(node)) {
      keys.push(`${key}[]`);
      walk(node.items, `${key}[]`);
    }
  };
  walk(schema, '');
  return keys.filter(
    key =>
      !(SPEC_FIELDS_NOT_IN_FORM as readonly string[]).includes(
        key.split(/[.[]/)[0],
      ),
  );
}

function presentationOf(key: string): FieldPresentation {
  const presentation = FIELD_PRESENTATION[key];
  if (!presentation) {
    throw new Error(
      `The spec field ${key} has no entry in FIELD_PRESENTATION (spec/presentation.ts)`,
    );
  }
  return presentation;
}

/** Drops the spec's descriptions (reference text for docs); the form shows the presentation's help. */
function stripDescriptions(node: Json): void {
  delete node.description;
  for (const child of Object.values<Json>(node.properties ?? {}))
    stripDescriptions(child);
  for (const child of [
    node.items,
    node.additionalProperties,
    node.propertyNames,
  ])
    if (child && typeof child === 'object') stripDescriptions(child);
}

function addOptions(node: Json, options: Json) {
  node['ui:options'] = { ...(node['ui:options'] ?? {}), ...options };
}

/** Moves the fields shown only for some sibling values into JSON Schema `dependencies`. */
function applyConditions(node: Json, key: string) {
  const conditional = Object.keys(node.properties).filter(
    name => FIELD_PRESENTATION[`${key}.${name}`]?.showWhen,
  );
  if (conditional.length === 0) return;
  const bySibling = new Map<string, string[]>();
  for (const name of conditional) {
    const { sibling } = FIELD_PRESENTATION[`${key}.${name}`].showWhen!;
    bySibling.set(sibling, [...(bySibling.get(sibling) ?? []), name]);
  }
  const moved: Record<string, Json> = {};
  for (const name of conditional) {
    moved[name] = node.properties[name];
    delete node.properties[name];
  }
  node.required = (node.required ?? []).filter(
    (name: string) => !conditional.includes(name),
  );
  if (node.required.length === 0) delete node.required;
  // Fields that live in a branch are "additional" to the object's own properties.
  delete node.additionalProperties;
  node.dependencies = {};
  for (const [sibling, names] of bySibling) {
    const siblingSchema = node.properties[sibling];
    if (!siblingSchema) {
      throw new Error(`${key}: showWhen names no sibling field ${sibling}`);
    }
    const values: Array<string | boolean> =
      siblingSchema.enum ??
      (siblingSchema.type === 'boolean' ? [true, false] : []);
    if (values.length === 0) {
      throw new Error(`${key}.${sibling} must be an enum or a boolean`);
    }
    node.dependencies[sibling] = {
      oneOf: values.map(value => {
        const shown = names.filter(name =>
          FIELD_PRESENTATION[`${key}.${name}`].showWhen!.oneOf.includes(value),
        );
        const required = shown.filter(
          name => FIELD_PRESENTATION[`${key}.${name}`].showWhen!.required,
        );
        return {
          properties: {
            [sibling]: { enum: [value] },
            ...Object.fromEntries(shown.map(name => [name, moved[name]])),
          },
          ...(required.length ? { required } : {}),
        };
      }),
    };
  }
}

function present(node: Json, key: string): Json {
  const p = presentationOf(key);
  node.title = p.title;
  // Objects and lists of objects show their help as a description under their title; a field
  // rendered by a field extension shows its description itself (and RJSF would add `ui:help`
  // again below it); other fields show it below the input.
  if (isObjectSchema(node) || isArrayOfObjects(node) || p.field) {
    node.description = p.help;
  } else {
    node['ui:help'] = p.help;
  }
  if (p.placeholder) node['ui:placeholder'] = p.placeholder;
  if (p.enumLabels && node.type === 'boolean') {
    node['ui:enumNames'] = [p.enumLabels.true, p.enumLabels.false];
  } else if (p.enumLabels) {
    const values = node.type === 'array' ? node.items?.enum : node.enum;
    if (!values) throw new Error(`${key} has enumLabels but no enum`);
    const labels = values.map((value: string) => p.enumLabels![value] ?? value);
    // RJSF reads `ui:enumNames` from the select's uiSchema: the array's own for a set of
    // checkboxes, the items' for a list of selects.
    if (node.type === 'array' && p.widget !== 'checkboxes')
      node.items['ui:enumNames'] = labels;
    else node['ui:enumNames'] = labels;
  }
  if (p.widget) {
    node['ui:widget'] = p.widget;
    // A set of choices: RJSF renders checkboxes only for unique items.
    if (p.widget === 'checkboxes' && node.type === 'array')
      node.uniqueItems = true;
  }
  if (p.field) node['ui:field'] = p.field;
  if (p.fieldOptions) addOptions(node, p.fieldOptions);
  if (p.group) addOptions(node, { group: p.group });
  if (p.collapsed) addOptions(node, { collapsed: true });
  if (p.hideInReview) node['ui:backstage'] = { review: { show: false } };
  if (
    p.field === GPU_STACK_FIELD_EXTENSIONS.section ||
    p.field === GPU_STACK_FIELD_EXTENSIONS.nodePools
  ) {
    addOptions(node, { section: key });
  }

  if (isObjectSchema(node)) {
    const names = Object.keys(node.properties);
    for (const name of names) present(node.properties[name], `${key}.${name}`);
    const order = Object.keys(FIELD_PRESENTATION)
      .filter(
        k => k.startsWith(`${key}.`) && !k.slice(key.length + 1).match(/[.[]/),
      )
      .map(k => k.slice(key.length + 1));
    node['ui:order'] = [...order.filter(n => names.includes(n)), '*'];
    applyConditions(node, key);
  } else if (isArrayOfObjects(node)) {
    present(node.items, `${key}[]`);
  }
  return node;
}

/**
 * The template's `spec.parameters`: one JSON Schema page per {@link FORM_PAGES} entry, each
 * section of the spec's draft-07 JSON Schema (what the scaffolder form validates with) decorated
 * with its presentation. The form data is a spec input as-is. Pages for creators only carry the
 * scaffolder permission tag {@link GPU_CLUSTER_TEMPLATE_TAG}.
 * @public
 */
export function gpuStackTemplateParameters(): Json[] {
  const schema = gpuStackSpecJsonSchema({ target: 'draft-7' }) as Json;
  stripDescriptions(schema);
  return FORM_PAGES.map(page => {
    const properties: Json = {};
    for (const section of page.sections) {
      if (!schema.properties[section]) {
        throw new Error(`The spec has no section ${section}`);
      }
      properties[section] = present(
        JSON.parse(JSON.stringify(schema.properties[section])),
        section,
      );
    }
    if (page.review) {
      // Never holds a value: its field extension only shows what Create will do.
      properties[page.review.property] = {
        type: 'string',
        title: page.review.title,
        'ui:field': GPU_STACK_FIELD_EXTENSIONS.review,
        'ui:backstage': { review: { show: false } },
      };
    }
    return {
      title: page.title,
      description: page.description,
      ...(page.creatorsOnly
        ? { 'backstage:permissions': { tags: [GPU_CLUSTER_TEMPLATE_TAG] } }
        : {}),
      type: 'object',
      ...(page.required?.length ? { required: [...page.required] } : {}),
      'ui:order': [...Object.keys(properties), '*'],
      properties,
    };
  });
}
