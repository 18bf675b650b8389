/**
 * A request target made into a path people can read and a mesh can enforce: query and fragment
 * dropped, the scheme and authority of an absolute-form target dropped, and every id-like
 * segment replaced by `{*}`, Istio's path-template operator for exactly one segment (Istio 1.22
 * and later), so a policy written from the map matches every id without listing them.
 */
export const idPlaceholder = '{*}';

/** Longest templated path reported (the ClientIntents schema allows 1024). */
export const maxTemplatedPathLength = 512;

export type TemplateResult = { ok: true; path: string } | { ok: false; reason: TemplateSkipReason };
export const templateSkipReasons = ['no-path', 'path-too-long'] as const;
export type TemplateSkipReason = (typeof templateSkipReasons)[number];

const absoluteForm = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

export function templatePath(target: string): TemplateResult {
  let path = target;
  const absolute = absoluteForm.exec(path);
  if (absolute) path = path.slice(absolute[0].length) || '/';
  // Authority-form (CONNECT host:port) and asterisk-form (OPTIONS *) name no resource.
  if (!path.startsWith('/')) return { ok: false, reason: 'no-path' };
  const cut = firstIndexOf(path, '?', '#');
  if (cut >= 0) path = path.slice(0, cut);
  const templated = path
    .split('/')
    .map((segment) => (isIdLike(segment) ? idPlaceholder : segment))
    .join('/');
  if (templated.length > maxTemplatedPathLength) return { ok: false, reason: 'path-too-long' };
  return { ok: true, path: templated };
}

const digits = /^[0-9]+$/;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const longHex = /^[0-9a-f]{16,}$/i;
const tokenCharacters = /^[A-Za-z0-9_=~.%-]+$/;
/** Segments at least this long are ids whatever they hold (JWTs, base64 blobs, signed URLs). */
const opaqueLength = 64;
/** Shorter tokens need this length and letters and digits side by side at least this often. */
const tokenLength = 20;
const tokenMixes = 3;

/**
 * The rules, in order: only digits (`8812`); a UUID; 16 or more hex digits (object ids, hashes);
 * 64 or more characters of anything; 20 or more token characters (letters, digits, `_=~.%-`) in
 * which a letter and a digit stand next to each other at least three times (random ids such as
 * `aZ3kQ9xP2mL7nB4vC8tR`). Words with a year or a version (`catalogue-2024`, `v2`) stay.
 */
export function isIdLike(segment: string): boolean {
  if (segment.length === 0) return false;
  if (digits.test(segment) || uuid.test(segment) || longHex.test(segment)) return true;
  if (segment.length >= opaqueLength) return true;
  return segment.length >= tokenLength && tokenCharacters.test(segment) && letterDigitMixes(segment) >= tokenMixes;
}

function letterDigitMixes(segment: string): number {
  let mixes = 0;
  let previous = 0;
  for (let i = 0; i < segment.length; i++) {
    const code = segment.charCodeAt(i);
    const kind = code >= 0x30 && code <= 0x39 ? 1 : (code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a ? 2 : 0;
    if (kind !== 0 && previous !== 0 && kind !== previous) mixes++;
    previous = kind;
  }
  return mixes;
}

function firstIndexOf(text: string, a: string, b: string): number {
  const i = text.indexOf(a);
  const j = text.indexOf(b);
  if (i < 0) return j;
  if (j < 0) return i;
  return Math.min(i, j);
}
