/**
 * Secret redaction for everything a child process prints. A secret leaks in more shapes than its
 * literal value: Terraform's `base64encode(file(...))` put the backend's environment into an error
 * body as base64 at an arbitrary offset, which a literal-value filter never matched. Each secret is
 * therefore matched in every encoding a tool or template function produces.
 */

/** Secrets shorter than this are not redacted: they would mask ordinary words. */
export const MIN_SECRET_LENGTH = 6;

const REPLACEMENT = '***';

/**
 * The base64 characters that depend only on the secret's own bytes, for each of the three byte
 * offsets the secret can have inside a larger encoded text. Characters mixing in neighbouring
 * bytes (and `=` padding) are left out, so the fragment matches wherever the secret sits.
 */
function base64Fragments(bytes: Buffer): string[] {
  const fragments: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString(
      'base64',
    );
    const start = Math.ceil((offset * 8) / 6);
    const end = Math.floor(((offset + bytes.length) * 8) / 6);
    const fragment = encoded.slice(start, end);
    if (fragment.length >= MIN_SECRET_LENGTH) fragments.push(fragment);
  }
  return fragments;
}

/** Every shape of `secret` that can appear in tool output, logs or error bodies. */
export function secretVariants(secret: string): string[] {
  const variants = new Set<string>();
  const add = (value: string) => {
    if (value.length >= MIN_SECRET_LENGTH) variants.add(value);
  };
  const bytes = Buffer.from(secret, 'utf8');
  add(secret);
  for (const fragment of base64Fragments(bytes)) {
    add(fragment);
    add(fragment.replace(/\+/g, '-').replace(/\//g, '_')); // base64url
  }
  add(encodeURIComponent(secret));
  add(encodeURIComponent(secret).replace(/%20/g, '+')); // form encoding
  add(JSON.stringify(secret).slice(1, -1));
  add(JSON.stringify(JSON.stringify(secret)).slice(3, -3)); // JSON inside JSON
  const hex = bytes.toString('hex');
  add(hex);
  add(hex.toUpperCase());
  // Multi-line secrets (PEM keys, JSON key files) also leak line by line.
  for (const line of secret.split(/\r?\n/)) {
    if (line !== secret && line.trim().length >= 16) add(line.trim());
  }
  return [...variants];
}

const escapeRegExp = (text: string) =>
  text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Replaces secrets (in every encoding) and private paths (by a placeholder) in text. Secrets
 * can be added after creation, e.g. a token fetched for one run.
 *
 * @public
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  private readonly paths = new Map<string, string>();
  private pattern?: RegExp;

  constructor(secrets: Iterable<string | undefined> = []) {
    for (const secret of secrets) this.addSecret(secret);
  }

  /** Adds a secret (ignored when shorter than {@link MIN_SECRET_LENGTH}). */
  addSecret(secret: string | undefined): this {
    if (!secret || secret.length < MIN_SECRET_LENGTH) return this;
    for (const variant of secretVariants(secret)) this.secrets.add(variant);
    this.pattern = undefined;
    return this;
  }

  /** Shows `dir` as `placeholder` (private run directories are nobody's business). */
  addPath(dir: string, placeholder: string): this {
    if (dir.length > 1) this.paths.set(dir, placeholder);
    this.pattern = undefined;
    return this;
  }

  /** Whether `text` holds any secret in any encoding. */
  leaks(text: string): boolean {
    return [...this.secrets].some(secret => text.includes(secret));
  }

  redact(text: string): string {
    if (this.secrets.size === 0 && this.paths.size === 0) return text;
    if (!this.pattern) {
      // Longest first, so a secret is not half-replaced by one of its shorter variants.
      const alternatives = [...this.secrets, ...this.paths.keys()].sort(
        (a, b) => b.length - a.length,
      );
      this.pattern = new RegExp(alternatives.map(escapeRegExp).join('|'), 'g');
    }
    return text.replace(
      this.pattern,
      match => this.paths.get(match) ?? REPLACEMENT,
    );
  }
}
